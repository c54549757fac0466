import { buildConfig, type CliArgs } from '../config/config.js';
import { inTenantTerms, loadTenants } from '../config/tenants.js';
import { runConnector } from '../run/run.js';
import type { TableRecord } from '../schema/records.js';
import type { CommandContext } from './context.js';
import { Logger } from './log.js';
import { RunLog } from './run-log.js';
import type { ExplainProblem } from './problem-groups.js';
import { summarize } from './summary.js';
import { withTenantsSource, type TenantsSource } from './tenants-source.js';

/** `run`: read Graph, normalize, deliver, print events as they happen and one summary; resolves to the exit code. */
export async function runCommand(args: CliArgs, context: CommandContext): Promise<number> {
  const given = buildConfig(args, context.env, 'run');
  context.setLogFormat?.(given.logFormat);
  return withTenantsSource(given, context.env, (tenants) => runWith(tenants, context));
}

async function runWith(tenants: TenantsSource, context: CommandContext): Promise<number> {
  const config = tenants.config;
  // Only the demo keeps its records, for the digest: a real run keeps none after sending them.
  const demoRecords: TableRecord[] = [];
  const explain = await tenantTerms(tenants, context.env);
  const log = new RunLog(context.logger ?? new Logger((text) => context.log(text.replace(/\n$/, ''))), {
    verbosity: config.verbosity,
    terminal: context.terminal ?? false,
    writeStatus: context.writeStatus ?? (() => {}),
    explain,
  });
  const stop = context.stop;
  if (stop) stop.graceMs = config.shutdownGraceMs;
  // The deadline stops the run as SIGTERM would, so a job that nobody watches always ends.
  const deadline = setTimeout(() => {
    log.print('warn', `securescore-connector: the run deadline (--max-run-minutes ${config.maxRunMs / 60_000}) is reached; stopping`, {
      event: 'deadline',
    });
    stop?.stop('deadline');
  }, config.maxRunMs);
  deadline.unref();
  let report;
  try {
    report = await runConnector(config, {
      now: () => new Date(),
      env: context.env,
      signal: stop?.soft,
      hardSignal: stop?.hard,
      onRecords: config.demo ? (records) => demoRecords.push(...records) : undefined,
      events: log.event,
    });
  } finally {
    clearTimeout(deadline);
    log.clearStatus();
  }
  if (config.demo && config.verbosity !== 'quiet') {
    // Only the demo's digest reads the analytics rules (YAML), so only the demo loads it.
    const { describeDemo } = await import('./demo-report.js');
    for (const line of describeDemo(demoRecords, new Date())) log.print('info', line, { event: 'demo-digest' });
  }
  const lines = summarize(report, explain);
  for (const line of lines) log.print(line.level, line.text, line.fields);
  return lines.at(-1)!.fields.exitCode as number;
}

/**
 * How a tenant's problems are worded: for a tenant of the tenants file, in the words of its own
 * credential settings (its clientSecretEnv variable, clientId, certificatePath), not the
 * environment's. A file that cannot be read is the run's to report, so it changes nothing here.
 */
async function tenantTerms(tenants: TenantsSource, env: NodeJS.ProcessEnv): Promise<ExplainProblem | undefined> {
  const file = tenants.config.tenantsFile;
  if (!file) return undefined;
  const entries = await loadTenants(file).catch(() => []);
  const byId = new Map(entries.map((e) => [e.tenantId.toLowerCase(), e]));
  return (tenantId, problem) => {
    const entry = byId.get(tenantId.toLowerCase());
    return tenants.rename(entry ? inTenantTerms(problem, entry, tenants.shownAs ?? file, env) : problem);
  };
}
