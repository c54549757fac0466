// A child process that runs the built connector in-process, once per line of standard input, with the
// run's clock set by the line: `{"args": {...camelCase flags}, "env": {...}, "now": "ISO"}`. It answers
// each with one JSON line: the tenants' outcomes. The real SDKs do the work against the stand-ins
// (NODE_EXTRA_CA_CERTS trusts their certificate, as for the CLI); only the clock the connector is
// given moves, so forty days of runs take seconds and no faketime is needed in `npm test`.
import { createInterface } from 'node:readline';

const { buildConfig } = await import('../../dist/config/config.js');
const { runConnector } = await import('../../dist/run/run.js');

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { args, env, now } = JSON.parse(line);
  // The SDK credentials read the process's own environment, as they do in the CLI.
  Object.assign(process.env, env);
  const start = Date.parse(now);
  const started = Date.now();
  let answer;
  try {
    const report = await runConnector(buildConfig(args, env, 'run'), { now: () => new Date(start + Date.now() - started), env });
    answer = {
      outcomes: report.outcomes.map((o) => ({
        tenantId: o.tenantId,
        status: o.status,
        counts: o.counts,
        warnings: o.warnings.counts,
        problems: o.problems,
        deadLettered: o.deadLettered,
      })),
    };
  } catch (error) {
    answer = { error: String(error?.message ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
