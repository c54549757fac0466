import { existsSync } from 'node:fs';
import { createCredential } from '../auth/credential.js';
import { buildConfig, type CliArgs } from '../config/config.js';
import { ConnectorError } from '../errors.js';
import { openDeadLetter, openDeadLetterFolder, type DeadLetter } from '../sink/dead-letter-store.js';
import { createSink } from '../sink/factory.js';
import { replayDeadLetter, type ReplayOutcome } from '../sink/replay-dead-letter.js';
import { isBlobUrl } from '../storage/blob-url.js';
import type { CommandContext } from './context.js';
import { lazy } from '../lazy.js';

/**
 * `replay FILE|BLOB_URL` sends one dead letter again; `replay --all [FOLDER|BLOB_FOLDER_URL]` every
 * dead letter of a folder (default: --dead-letter). Accepted records leave the dead letter, which is
 * deleted when none is left; refused ones and lines that are not records stay, so nothing is lost.
 * One line per dead letter and a total; exit 0 only when everything was accepted.
 */
export async function replayCommand(args: CliArgs & { file?: string | undefined }, context: CommandContext): Promise<number> {
  const config = buildConfig(args, context.env, 'replay');
  context.setLogFormat?.(config.logFormat);
  // buildConfig already refuses replay without a DCR; without this, the sink would be NDJSON on stdout.
  if (!config.ingestion)
    throw new ConnectorError('CONFIG', 'replay: no destination. Set --ingestion-endpoint and --dcr-immutable-id of the DCR to re-send to');
  const home = lazy(() => createCredential(config.authorityHost));

  let deadLetters: DeadLetter[];
  if (config.replayAll) {
    const folder = openDeadLetterFolder(args.file ?? config.deadLetter, context.env, home);
    deadLetters = await folder.list();
    if (deadLetters.length === 0) {
      context.log(`replay: no dead letters in ${folder.description}`);
      return 0;
    }
  } else {
    if (!args.file)
      throw new ConnectorError(
        'CONFIG',
        'replay: no dead letter named. Give the path or blob URL printed by run after "Dead letter:", or --all for every one in --dead-letter',
      );
    // A path that is not there is a mistake in the command, not a delivery to retry next run.
    if (!isBlobUrl(args.file) && !existsSync(args.file))
      throw new ConnectorError(
        'CONFIG',
        `replay: ${args.file} does not exist. Give the path printed by run after "Dead letter:", or --all for every dead letter in --dead-letter`,
      );
    deadLetters = [openDeadLetter(args.file, context.env, home)];
  }

  const sink = createSink(config, config.ingestion, home);
  const outcomes: ReplayOutcome[] = [];
  try {
    // One at a time: each is sent, then rewritten, before the next is read.
    for (const deadLetter of deadLetters) {
      const outcome = await replayDeadLetter(deadLetter, sink);
      outcomes.push(outcome);
      for (const problem of outcome.problems) context.log(problem);
      context.log(`replay: ${describeOutcome(outcome)}`);
    }
  } finally {
    await sink.close();
  }
  const done = outcomes.filter((o) => o.removed).length;
  const accepted = outcomes.reduce((n, o) => n + o.accepted, 0);
  const records = outcomes.reduce((n, o) => n + o.records, 0);
  if (outcomes.length > 1 || config.replayAll)
    context.log(
      `replay: ${outcomes.length} dead letter(s): ${accepted} of ${records} record(s) accepted; ${done} removed, ${outcomes.length - done} kept`,
    );
  return done === outcomes.length ? 0 : 1;
}

function describeOutcome(o: ReplayOutcome): string {
  const unreadable = o.unreadable > 0 ? ` (${o.unreadable} line(s) are not records: inspect them by hand)` : '';
  if (o.unread) return `${o.location}: not read; left as it was`;
  const what = o.removed ? 'removed' : `${o.kept} line(s) kept${unreadable}`;
  return `${o.location}: ${o.accepted} of ${o.records} record(s) accepted; ${what}`;
}
