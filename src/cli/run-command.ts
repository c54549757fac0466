import { buildConfig, type CliArgs } from '../config/config.js';
import { runConnector } from '../run/run.js';
import type { TableRecord } from '../schema/records.js';
import type { CommandContext } from './context.js';
import { describeDemo } from './demo-report.js';
import { exitCodeOf, formatSummary } from './summary.js';

/** `run`: read Graph, normalize, deliver, print one summary; resolves to the exit code. */
export async function runCommand(args: CliArgs, context: CommandContext): Promise<number> {
  const config = buildConfig(args, context.env, 'run');
  // Only the demo keeps its records, for the digest: a real run keeps none after sending them.
  const demoRecords: TableRecord[] = [];
  context.setLogFormat?.(config.logFormat);
  const stop = context.stop;
  if (stop) stop.graceMs = config.shutdownGraceMs;
  // The deadline stops the run as SIGTERM would, so a job that nobody watches always ends.
  const deadline = setTimeout(() => {
    context.log(`securescore-connector: the run deadline (--max-run-minutes ${config.maxRunMs / 60_000}) is reached; stopping`);
    stop?.stop('deadline');
  }, config.maxRunMs);
  deadline.unref();
  const report = await runConnector(config, {
    now: () => new Date(),
    env: context.env,
    signal: stop?.soft,
    hardSignal: stop?.hard,
    onRecords: config.demo ? (records) => demoRecords.push(...records) : undefined,
  });
  clearTimeout(deadline);
  if (config.demo) for (const line of describeDemo(demoRecords, new Date())) context.log(line);
  for (const line of formatSummary(report)) context.log(line);
  return exitCodeOf(report);
}
