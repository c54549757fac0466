import { parseArgs } from 'node:util';
import { defaultOf } from '../../src/config/options.js';

/** What a deployment runs with when it does not set --concurrency. */
const DEFAULT_CONCURRENCY = Number(defaultOf('concurrency'));

const SCENARIOS = ['startup', 'backfill', 'incremental', 'memory'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** What to measure, from the command line. */
export interface BenchOptions {
  readonly scenarios: readonly ScenarioName[];
  /** Repeats of every case; undefined: each scenario's own default. */
  readonly repeats: number | undefined;
  /** Tenants of the multi-tenant cases; undefined: each scenario's own default. */
  readonly tenants: number | undefined;
  /** Controls of a typical tenant. */
  readonly controls: number;
  /** Controls of the one huge tenant of the memory scenario. */
  readonly hugeControls: number;
  /** Graph latency of the extra incremental case; 0 leaves that case out. */
  readonly latencyMs: number;
  readonly concurrency: number;
  readonly quick: boolean;
  readonly help: boolean;
}

export const USAGE = `npm run bench -- [options]

Runs the built CLI (dist/cli/index.js) against HTTPS stand-ins of Entra ID, Graph and Logs Ingestion
in this process, and prints wall, CPU, peak RSS and request figures with min/median/max over repeats.

  --scenario NAME    ${SCENARIOS.join(', ')} (repeat the flag or use commas; default: all)
  --repeats N        runs per case (default: 5 startup, 3 backfill and incremental, 1 memory)
  --tenants N        tenants of the multi-tenant cases (default: 10 backfill and memory, 100 incremental;
                     issue 11 asks 1000 incremental, issue 9 asks 100 memory)
  --controls N       controls per tenant (default 400)
  --huge-controls N  controls of the memory scenario's single huge tenant (default 10000)
  --latency-ms N     Graph latency of the extra incremental case; 0 leaves it out (default 100)
  --concurrency N    the CLI's --concurrency for more than one tenant (default: the CLI's own, ${DEFAULT_CONCURRENCY})
  --quick            small sizes and one repeat: a smoke test of the bench itself
  --help`;

function whole(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`bench: --${flag} ${value} is not a whole number of at least ${min}. See --help`);
  return n;
}

/** Reads the bench's flags; throws with the fix on anything it does not know. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: 'string', multiple: true },
      repeats: { type: 'string' },
      tenants: { type: 'string' },
      controls: { type: 'string' },
      'huge-controls': { type: 'string' },
      'latency-ms': { type: 'string' },
      concurrency: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const named = (values.scenario ?? []).flatMap((s) => s.split(',')).map((s) => s.trim());
  for (const name of named)
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`bench: --scenario ${name} is unknown. Use ${SCENARIOS.join(', ')}`);
  const quick = values.quick ?? false;
  return {
    scenarios: named.length > 0 ? SCENARIOS.filter((s) => named.includes(s)) : SCENARIOS,
    repeats: whole(values.repeats, 'repeats', 1) ?? (quick ? 1 : undefined),
    tenants: whole(values.tenants, 'tenants', 2),
    controls: whole(values.controls, 'controls', 1) ?? (quick ? 60 : 400),
    hugeControls: whole(values['huge-controls'], 'huge-controls', 1) ?? (quick ? 1000 : 10_000),
    latencyMs: whole(values['latency-ms'], 'latency-ms', 0) ?? 100,
    concurrency: whole(values.concurrency, 'concurrency', 1) ?? DEFAULT_CONCURRENCY,
    quick,
    help: values.help ?? false,
  };
}
