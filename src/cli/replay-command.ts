import { readFile, rm, writeFile } from 'node:fs/promises';
import { createCredential } from '../auth/credential.js';
import { buildConfig, type CliArgs } from '../config/config.js';
import { ConnectorError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import { createSink } from '../sink/factory.js';
import type { CommandContext } from './context.js';

/**
 * `replay FILE`: sends a dead-letter file again. Accepted records are removed from the file (the file
 * is deleted when none is left); refused ones and lines that are not records stay, so nothing is lost.
 */
export async function replayCommand(args: CliArgs & { file: string }, context: CommandContext): Promise<number> {
  const config = buildConfig(args, context.env, 'replay');
  context.setLogFormat?.(config.logFormat);
  if (!config.ingestion)
    throw new ConnectorError('CONFIG', 'replay: no destination. Set --ingestion-endpoint and --dcr-immutable-id as for run');
  let text: string;
  try {
    text = await readFile(args.file, 'utf8');
  } catch {
    throw new ConnectorError('CONFIG', `replay: cannot read ${args.file}. Give the path printed by run after "Dead letter:"`);
  }
  const records: TableRecord[] = [];
  const unreadable: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as TableRecord;
      if (typeof record?.RecordId !== 'string' || typeof record.RecordType !== 'string') throw new Error('not a record');
      records.push(record);
    } catch {
      unreadable.push(line);
    }
  }
  const sink = createSink(config, config.ingestion, () => createCredential(config.authorityHost));
  const result = await sink.send(records);
  await sink.close();
  const left = [...result.rejected.map((r) => JSON.stringify(r)), ...unreadable];
  if (left.length === 0) await rm(args.file);
  else await writeFile(args.file, `${left.join('\n')}\n`);

  for (const p of result.problems) context.log(p);
  if (unreadable.length > 0)
    context.log(`replay: ${unreadable.length} line(s) of ${args.file} are not records and were kept in the file. Inspect them by hand`);
  context.log(
    `replay: ${result.accepted} of ${records.length} record(s) accepted; ${left.length === 0 ? `${args.file} removed` : `${left.length} line(s) left in ${args.file}`}`,
  );
  return left.length === 0 ? 0 : 1;
}
