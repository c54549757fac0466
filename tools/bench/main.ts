/**
 * `npm run bench`: measures the product, not a part of it. The built CLI runs as a child process
 * against HTTPS stand-ins of Entra ID, Graph and Logs Ingestion in this process, for the cases of
 * issue 11 (backfill, daily incremental for one and many tenants, Graph latency, startup) and the
 * memory figures of issue 9; each case is compared with its floor, timed here on the same payloads.
 * Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { childNodeOptions } from './image-flags.js';
import { parseBenchOptions, USAGE } from './options.js';
import { scenarioReport, startupReport } from './report.js';
import { runCase, type BenchSession, type CaseResult, type CaseSpec } from './run-case.js';
import { caseScenarios } from './scenarios.js';
import { measureStartup } from './startup.js';

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const started = Date.now();
  console.log(`securescore-connector bench: node ${process.version}, ${cpus().length} CPU(s), ${new Date().toISOString()}`);
  const flags = childNodeOptions();
  console.log(
    `the CLI runs as ${flags ? `node ${flags}` : 'plain node'} (${process.env.BENCH_CHILD_NODE_OPTIONS === undefined ? "the image's ENTRYPOINT" : 'BENCH_CHILD_NODE_OPTIONS'})`,
  );
  if (options.scenarios.includes('startup')) {
    console.log('');
    for (const line of startupReport(await measureStartup(options.repeats ?? 5))) console.log(line);
  }
  // Scenarios share identical cases (the memory scenario's 1-tenant backfill is the backfill one,
  // with however many repeats it had there).
  const done = new Map<string, CaseResult>();
  const session: BenchSession = { dir: mkdtempSync(join(tmpdir(), 'securescore-bench-session-')), checkpoints: new Map() };
  const keyOf = ({ label: _label, repeats: _repeats, ...spec }: CaseSpec) => JSON.stringify(spec);
  try {
    for (const scenario of caseScenarios(options)) {
      const results: CaseResult[] = [];
      for (const spec of scenario.cases) {
        process.stderr.write(`bench: ${scenario.name}: ${spec.label} x ${spec.repeats}...\n`);
        const result = done.get(keyOf(spec)) ?? (await runCase(spec, session));
        done.set(keyOf(spec), result);
        results.push({ ...result, spec: { ...result.spec, label: spec.label } });
      }
      console.log('');
      for (const line of scenarioReport(scenario, results)) console.log(line);
    }
  } finally {
    rmSync(session.dir, { recursive: true, force: true });
  }
  console.log('');
  console.log(`bench: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
