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
  const report = await runConnector(config, {
    now: () => new Date(),
    env: context.env,
    signal: context.signal,
    onRecords: config.demo ? (records) => demoRecords.push(...records) : undefined,
  });
  if (config.demo) for (const line of describeDemo(demoRecords)) context.log(line);
  for (const line of formatSummary(report)) context.log(line);
  return exitCodeOf(report);
}
