import type { BenchOptions, ScenarioName } from './options.js';
import type { CaseSpec } from './run-case.js';

/** The cases of one scenario, and the targets (issues 9 and 11) they show. */
export interface CaseScenario {
  readonly name: Exclude<ScenarioName, 'startup'>;
  readonly title: string;
  readonly cases: readonly CaseSpec[];
  readonly targets: readonly Target[];
}

/** A figure an issue asks for: which case, which figure (a row of the table, or a ratio of two cases). */
export interface Target {
  readonly what: string;
  /** Which issue asks for it, and at what size when the bench ran another. */
  readonly asked: string;
  readonly figure: { readonly case: string; readonly row: string } | { readonly ratioOf: readonly [string, string]; readonly row: string };
}

const BACKFILL_DAYS = 90;
/** The issue, and the tenant count it asks for when this run measured another. */
const asked = (issue: number, tenants: number, measured: number) =>
  measured === tenants ? `issue ${issue}` : `issue ${issue} asks ${plural(tenants)}`;
const plural = (n: number) => (n === 1 ? '1 tenant' : `${n.toLocaleString('en-US')} tenants`);

/** The cases and targets of the selected scenarios, with sizes from the options. */
export function caseScenarios(options: BenchOptions): CaseScenario[] {
  const base = { controls: options.controls, days: BACKFILL_DAYS, latencyMs: 0, concurrency: options.concurrency };
  const tenantsOr = (fallback: number, quick: number) => options.tenants ?? (options.quick ? quick : fallback);
  const sized = (repeats: number) => options.repeats ?? repeats;
  const shape = `${options.controls} controls x ${BACKFILL_DAYS} days`;

  const backfillTenants = tenantsOr(10, 3);
  const one = { ...base, label: '1 tenant', tenants: 1, incremental: false, repeats: sized(3) };
  const backfill: CaseScenario = {
    name: 'backfill',
    title: `backfill: first run, ${shape} per tenant`,
    cases: [one, { ...one, label: plural(backfillTenants), tenants: backfillTenants }],
    targets: [
      {
        asked: 'issue 11',
        what: `1 tenant backfill (${shape}): floor ratio`,
        figure: { case: '1 tenant', row: 'floor ratio (CPU / floor)' },
      },
      {
        asked: asked(11, 10, backfillTenants),
        what: `${plural(backfillTenants)} backfill: floor ratio`,
        figure: { case: plural(backfillTenants), row: 'floor ratio (CPU / floor)' },
      },
      {
        asked: asked(11, 10, backfillTenants),
        what: `${plural(backfillTenants)} backfill: wall s`,
        figure: { case: plural(backfillTenants), row: 'wall s' },
      },
    ],
  };

  const dailyTenants = tenantsOr(100, 20);
  const daily = { ...base, label: '1 tenant', tenants: 1, incremental: true, repeats: sized(3) };
  const many = { ...daily, label: plural(dailyTenants), tenants: dailyTenants };
  const slow = { ...many, label: `${plural(dailyTenants)}, Graph +${options.latencyMs} ms`, latencyMs: options.latencyMs };
  const incremental: CaseScenario = {
    name: 'incremental',
    title: `incremental: a daily run over yesterday's checkpoint, ${options.controls} controls per tenant`,
    cases: options.latencyMs > 0 ? [daily, many, slow] : [daily, many],
    targets: [
      { asked: 'issue 11', what: '1 tenant daily incremental: CPU s', figure: { case: daily.label, row: 'CPU s (user+sys)' } },
      {
        asked: asked(11, 1000, dailyTenants),
        what: `${plural(dailyTenants)} daily incremental: CPU ms per tenant`,
        figure: { case: many.label, row: 'CPU ms / tenant' },
      },
      {
        asked: asked(11, 1000, dailyTenants),
        what: `${plural(dailyTenants)} daily incremental: peak RSS MB`,
        figure: { case: many.label, row: 'peak RSS MB' },
      },
      {
        asked: asked(11, 1000, dailyTenants),
        what: `${plural(dailyTenants)} daily incremental: ingestion requests per tenant`,
        figure: { case: many.label, row: 'ingestion requests / tenant' },
      },
      ...(options.latencyMs > 0
        ? [
            {
              asked: asked(11, 1000, dailyTenants),
              what: `same with ${options.latencyMs} ms Graph latency: wall ratio vs none`,
              figure: { ratioOf: [slow.label, many.label] as const, row: 'wall s' },
            },
          ]
        : []),
    ],
  };

  const hugeLabel = `1 tenant, ${options.hugeControls.toLocaleString('en-US')} controls`;
  // The backfill scenario's many tenants, so the default run measures them once.
  const memoryTenants = backfillTenants;
  const memoryRepeats = sized(1);
  const memory: CaseScenario = {
    name: 'memory',
    title: `memory: backfill peak RSS, ${BACKFILL_DAYS} days`,
    cases: [
      { ...one, label: hugeLabel, controls: options.hugeControls, repeats: memoryRepeats },
      { ...one, repeats: memoryRepeats },
      { ...one, label: plural(memoryTenants), tenants: memoryTenants, repeats: memoryRepeats },
    ],
    targets: [
      {
        asked: options.hugeControls === 10_000 ? 'issue 9' : 'issue 9 asks 10,000 controls',
        what: `${options.hugeControls.toLocaleString('en-US')} controls x ${BACKFILL_DAYS} days, 1 tenant: peak RSS MB`,
        figure: { case: hugeLabel, row: 'peak RSS MB' },
      },
      { asked: 'issue 9', what: `1 tenant backfill (${shape}): peak RSS MB`, figure: { case: '1 tenant', row: 'peak RSS MB' } },
      {
        asked: asked(9, 100, memoryTenants),
        what: `${plural(memoryTenants)} backfill: peak RSS MB`,
        figure: { case: plural(memoryTenants), row: 'peak RSS MB' },
      },
      {
        asked: asked(9, 100, memoryTenants),
        what: `${plural(memoryTenants)} vs 1 tenant backfill: peak RSS ratio`,
        figure: { ratioOf: [plural(memoryTenants), '1 tenant'], row: 'peak RSS MB' },
      },
    ],
  };
  return [backfill, incremental, memory].filter((s) => options.scenarios.includes(s.name));
}
