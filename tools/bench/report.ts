import type { ChildMeasure } from './measure-child.js';
import type { CaseResult, RunFigures } from './run-case.js';
import type { CaseScenario, Target } from './scenarios.js';
import type { StartupResult } from './startup.js';
import { alignedTable, formatNumber, formatSpread, ratio, spreadOf, type Spread } from './stats.js';

type Row = readonly [name: string, spreadOfCase: (result: CaseResult) => Spread];

const perRun =
  (figure: (run: RunFigures, tenants: number) => number) =>
  (result: CaseResult): Spread =>
    spreadOf(result.runs.map((run) => figure(run, result.spec.tenants)));

const floorSpread = (result: CaseResult) => spreadOf(result.floors.map((f) => f.totalMs / 1000));

/** The rows of a case table, in order; names are what targets refer to. */
const ROWS: readonly Row[] = [
  ['wall s', perRun((r) => r.wallMs / 1000)],
  ['CPU s (user+sys)', perRun((r) => r.cpuMs / 1000)],
  ['CPU ms / tenant', perRun((r, tenants) => r.cpuMs / tenants)],
  ['peak RSS MB', perRun((r) => r.peakRssMb)],
  // Where the peak went: live data shows in heap used; garbage V8 has not collected yet in committed minus used.
  ['  at peak: V8 heap committed MB', perRun((r) => r.atPeak.heapTotalMb)],
  ['  at peak: V8 heap used MB', perRun((r) => r.atPeak.heapUsedMb)],
  ['  at peak: buffers MB', perRun((r) => r.atPeak.arrayBuffersMb)],
  ['  at peak: native (malloc) MB', perRun((r) => r.atPeak.nativeMb)],
  ['  at peak: code (mapped files) MB', perRun((r) => r.atPeak.fileMb)],
  ['records delivered', perRun((r) => r.records)],
  ['records/s (wall)', perRun((r) => ratio(r.records, r.wallMs / 1000))],
  ['Graph requests / tenant', perRun((r, tenants) => r.graphRequests / tenants)],
  ['ingestion requests / tenant', perRun((r, tenants) => r.ingestionRequests / tenants)],
  ['KB / ingestion request (gzip)', perRun((r) => ratio(r.ingestionGzipBytes / 1024, r.ingestionRequests))],
  ['KB / ingestion request (JSON)', perRun((r) => ratio(r.ingestionJsonBytes / 1024, r.ingestionRequests))],
  ['floor s (parse+stringify+gzip)', floorSpread],
  [
    'floor ratio (CPU / floor)',
    (result) => {
      const floorMs = spreadOf(result.floors.map((f) => f.totalMs)).median;
      return spreadOf(result.runs.map((r) => ratio(r.cpuMs, floorMs)));
    },
  ],
  ['stand-ins CPU s', perRun((r) => r.standInCpuMs / 1000)],
];

function floorParts(result: CaseResult): string {
  if (result.floors.length === 0) return '-';
  const part = (pick: (f: CaseResult['floors'][number]) => number) => formatNumber(spreadOf(result.floors.map(pick)).median / 1000);
  return `${part((f) => f.parseMs)} + ${part((f) => f.stringifyMs)} + ${part((f) => f.gzipMs)}`;
}

function caseOf(results: readonly CaseResult[], label: string): CaseResult | undefined {
  return results.find((r) => r.spec.label === label);
}

function medianOf(results: readonly CaseResult[], label: string, rowName: string): number {
  const result = caseOf(results, label);
  const row = ROWS.find(([name]) => name === rowName);
  return result && row ? row[1](result).median : NaN;
}

/** The value a target names, from this run's results. */
export function targetValue(target: Target, results: readonly CaseResult[]): number {
  const { figure } = target;
  if ('case' in figure) return medianOf(results, figure.case, figure.row);
  return ratio(medianOf(results, figure.ratioOf[0], figure.row), medianOf(results, figure.ratioOf[1], figure.row));
}

function repeatsNote(results: readonly CaseResult[]): string {
  const counts = [...new Set(results.map((r) => r.runs.length))];
  return `${counts.join('/')} repeat(s) per case; median (min-max)`;
}

/** One aligned table per scenario (a column per case, a row per figure), then its targets with the values measured. */
export function scenarioReport(scenario: CaseScenario, results: readonly CaseResult[]): string[] {
  const header = ['figure', ...results.map((r) => r.spec.label)];
  const rows = ROWS.map(([name, spread]) => [name, ...results.map((r) => formatSpread(spread(r)))]);
  rows.splice(
    rows.findIndex((row) => row[0] === 'floor ratio (CPU / floor)'),
    0,
    ['  of which parse + stringify + gzip s', ...results.map(floorParts)],
  );
  const exits = results.map((r) => r.runs.map((run) => (run.signal ? run.signal : String(run.exitCode))).join(','));
  if (results.some((r) => r.problems.length > 0)) rows.push(['exit codes', ...exits]);
  const targets = scenario.targets.map((t) => [t.what, formatNumber(targetValue(t, results)), t.asked]);
  const lines = [
    `== ${scenario.title} (${repeatsNote(results)}; concurrency ${results[0]?.spec.concurrency ?? '-'} for many tenants) ==`,
    ...alignedTable([header, ...rows]),
    '',
    ...alignedTable([['target', 'measured', 'asked by'], ...targets]),
  ];
  for (const r of results) for (const p of r.problems) lines.push(`! ${r.spec.label}: ${p}`);
  return lines;
}

/** The startup table: `--version` against bare Node, and the target ratio. */
export function startupReport(result: StartupResult): string[] {
  const spreadBy = (runs: readonly ChildMeasure[], pick: (m: ChildMeasure) => number) => spreadOf(runs.map(pick));
  const figures: Array<[string, (m: ChildMeasure) => number]> = [
    ['wall ms', (m) => m.wallMs],
    ['CPU ms (user+sys)', (m) => m.userMs + m.systemMs],
    ['peak RSS MB', (m) => m.peakRssMb],
  ];
  const rows = figures.map(([name, pick]) => [
    name,
    formatSpread(spreadBy(result.bareNode, pick)),
    formatSpread(spreadBy(result.cli, pick)),
  ]);
  const cpu = (runs: readonly ChildMeasure[]) => spreadBy(runs, (m) => m.userMs + m.systemMs).median;
  return [
    `== startup: securescore-connector --version vs node -e 0 (${result.cli.length} repeat(s), alternating; median (min-max)) ==`,
    ...alignedTable([['figure', 'node -e 0', '--version'], ...rows]),
    '',
    ...alignedTable([
      ['target', 'measured', 'asked by'],
      ['--version CPU vs node -e 0: ratio', formatNumber(ratio(cpu(result.cli), cpu(result.bareNode))), 'issue 11'],
      ['--version CPU over node -e 0: ms', formatNumber(cpu(result.cli) - cpu(result.bareNode)), 'issue 11'],
    ]),
  ];
}
