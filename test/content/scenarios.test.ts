/**
 * The README's scenario table, checked over the connector's own records: the normalizers' output on
 * the demo tenant (and on other tenants with the same history under their own ids), delivered on
 * simulated timelines (many tenants per connector run, ingestion times, re-sends, replays, outages,
 * scheduler lateness), evaluated at each rule's schedule by the rule models, whose keys, windows and
 * thresholds the content tests tie to the rules' text (test/content/rule-models.test.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { eventTime, type Delivery } from '../../src/sentinel/alert-model.js';
import { setting } from '../../src/sentinel/rule-settings.js';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { DAY, DEMO_FACTS, dailyRunTime, deliverRun, MINUTE, replayed, SNAPSHOT_TIMES, snapshotFacts } from './support/demo-timeline.js';
import { dailyRuns, recertificationAlerts, seededJitter } from './support/rule-model.js';
import {
  evaluate,
  freshOnArrival,
  matchingFacts,
  rules,
  unexpectedFactAlerts,
  type EvaluateOptions,
  type Outcome,
} from './support/scenario.js';
import { dailyTimeline, everyDay, tenantsOf } from './support/timelines.js';

const rule = (name: string) => rules.get(name)!;
const last = SNAPSHOT_TIMES.length - 1;
const outage = new Set([20, 21, 22, 23, 24]);
const silence = (day: number) => day >= 3 && day <= 32;
const START_MINUTES = [0, 12, 14, 29, 45];

interface Scenario {
  /** The connector's runs for these tenants. */
  readonly deliveries: (tenants: readonly string[]) => Delivery[];
  readonly options?: (deliveries: readonly Delivery[]) => EvaluateOptions;
  /** Alerts each tenant gets from the run-level rules. */
  readonly baseline: string;
  readonly failed: number;
  readonly silent: number;
}

const connectorEnds = (deliveries: readonly Delivery[]) => Math.max(...deliveries.map((d) => d.ingestedAt));

/** The README's columns: what was done, and what each tenant gets from the baseline, failure and silence rules. */
const SCENARIOS: Record<string, Scenario> = {
  'first backfill': {
    deliveries: (tenants) => dailyTimeline(tenants.map((tenantId) => ({ tenantId, joinsOn: last }))),
    baseline: '1 (first run)',
    failed: 0,
    silent: 0,
  },
  'daily steady state': { deliveries: (tenants) => dailyTimeline(everyDay(tenants)), baseline: '0', failed: 0, silent: 0 },
  're-send within a day': {
    // A second run three hours after each, sending the same facts again.
    deliveries: (tenants) => {
      const daily = dailyTimeline(everyDay(tenants));
      return [...daily, ...resentAfter(daily, 3 * 60 * MINUTE)];
    },
    baseline: '0',
    failed: 0,
    silent: 0,
  },
  'replay after 20 days': {
    deliveries: (tenants) => {
      const daily = dailyTimeline(everyDay(tenants));
      return [...daily, ...replayed(daily, 20 * DAY)];
    },
    // The connector's schedule ends with the demo period: the silence after it is not the replay's doing.
    options: (deliveries) => ({ scheduleEnds: connectorEnds(deliveries.slice(0, deliveries.length / 2)) }),
    baseline: '0',
    failed: 0,
    silent: 0,
  },
  '5-day outage, then catch-up': {
    deliveries: (tenants) => dailyTimeline(everyDay(tenants, (day) => (outage.has(day) ? 'fail' : 'run'))),
    baseline: '1 (catch-up)',
    failed: 5,
    silent: 4,
  },
  'connector silent 30 days': {
    deliveries: (tenants) => dailyTimeline(everyDay(tenants, (day) => (silence(day) ? 'skip' : 'run'))),
    baseline: '1 (catch-up)',
    failed: 0,
    silent: 29,
  },
};

/** Each run again, `after` later, as a run of its own (another RunId) sending the same records. */
function resentAfter(deliveries: readonly Delivery[], after: number): Delivery[] {
  const runIds = new Map<string, string>();
  return deliveries.map((d) => {
    const runId = runIds.get(d.record.RunId) ?? `${d.record.RunId}-resent`;
    runIds.set(d.record.RunId, runId);
    const record = { ...d.record, RunId: runId, TimeGenerated: new Date(Date.parse(d.record.TimeGenerated) + after).toISOString() };
    if (record.RecordType === 'ConnectorRun') Object.assign(record, { RecordId: `${d.record.RecordId}-resent`, RunKind: 'Incremental' });
    if ('RunStartTime' in record) Object.assign(record, { RunStartTime: record.TimeGenerated });
    return { record, ingestedAt: d.ingestedAt + after };
  });
}

/** One tenant's row of counts: per-fact rules `alerts of matching facts`, then the run-level rules. */
function tenantCounts(outcome: Outcome, deliveries: readonly Delivery[], tenant: string): Record<string, string> {
  const row: Record<string, string> = {};
  for (const [name, facts] of matchingFacts(deliveries)) {
    const own = facts.filter((f) => f.AzureTenantId === tenant);
    const counts = outcome.facts.get(name)!;
    row[name] = `${own.reduce((s, f) => s + (counts.get(f.RecordId) ?? 0), 0)} of ${own.length}`;
  }
  const baseline = outcome.baseline.filter((b) => b.tenant === tenant);
  row.SecureScoreHistoryBaseline = `${baseline.length}${baseline.length ? ` (${baseline.map((b) => b.occasion).join(', ')})` : ''}`;
  row.SecureScoreConnectorRunFailed = String(outcome.failed.filter((f) => f.tenant === tenant).length);
  row.SecureScoreConnectorSilent = String(outcome.silent.filter((s) => s.tenant === tenant).length);
  return row;
}

/** Per tenant count, scenario and rule: the counts every tenant of the run got (one value when they all agree). */
const table = new Map<string, Record<string, Record<string, string>>>();
function record(label: string, scenario: string, counts: Record<string, string>): void {
  const columns = table.get(label) ?? {};
  columns[scenario] = counts;
  table.set(label, columns);
}

function printTable(label: string): string {
  const columns = table.get(label)!;
  const scenarios = Object.keys(columns);
  const names = Object.keys(columns[scenarios[0]!]!);
  const lines = [`| rule | ${scenarios.join(' | ')} |`, `|---|${scenarios.map(() => '---').join('|')}|`];
  for (const name of names) lines.push(`| ${name} | ${scenarios.map((s) => columns[s]![name] ?? '').join(' | ')} |`);
  return `${label}\n${lines.join('\n')}`;
}

afterAll(() => {
  if (table.size > 0)
    console.log(
      `Alerts per tenant, rule and scenario (per-fact rules: alerts of matching facts)\n${[...table.keys()].map(printTable).join('\n\n')}`,
    );
});

describe('what each rule raises, scenario by scenario, with 1, 2 and 5 tenants in each connector run', () => {
  it('the demo holds facts for every per-fact rule but the unjustified acceptance', () => {
    expect(
      Object.fromEntries([...matchingFacts(DEMO_FACTS.map((record) => ({ record, ingestedAt: 0 })))].map(([n, f]) => [n, f.length])),
    ).toEqual({
      SecureScoreTenantRegression: 2,
      SecureScoreControlRegression: 1,
      SecureScoreControlsAddedRemoved: 2,
      SecureScoreRiskAccepted: 2,
      SecureScoreResolvedUnverified: 1,
      SecureScoreAcceptanceWithoutComment: 0,
    });
  });

  describe.each([1, 2, 5])('%i tenant(s) per run', (count) => {
    const tenants = tenantsOf(count);
    it.each(Object.entries(SCENARIOS))(
      '%s: a fact alerts once if it was at most maxFactAge old when it first arrived, else never; every tenant gets the same, its own',
      (name, scenario) => {
        const deliveries = scenario.deliveries(tenants);
        const outcome = evaluate(deliveries, scenario.options?.(deliveries) ?? {});
        expect(unexpectedFactAlerts(outcome, deliveries, (fact) => (freshOnArrival(deliveries, fact) ? 1 : 0))).toEqual([]);
        const rows = tenants.map((t) => tenantCounts(outcome, deliveries, t));
        for (const row of rows) {
          expect(row).toEqual(rows[0]);
          expect(row.SecureScoreHistoryBaseline).toBe(scenario.baseline);
          expect(Number(row.SecureScoreConnectorRunFailed)).toBe(scenario.failed);
          expect(Number(row.SecureScoreConnectorSilent)).toBe(scenario.silent);
        }
        // Nothing alerts for a tenant that is not in the run.
        expect(outcome.baseline.every((b) => tenants.includes(b.tenant))).toBe(true);
        record(`${count} tenant(s) per run`, name, rows[0]!);
      },
    );
  });

  it.each(START_MINUTES)(
    'rules started at :%i, each run 0-10 minutes late, raise in every scenario what they raise at half past with no lateness',
    (minute) => {
      const tenants = tenantsOf(2);
      for (const [name, scenario] of Object.entries(SCENARIOS)) {
        const deliveries = scenario.deliveries(tenants);
        const options = scenario.options?.(deliveries) ?? {};
        const outcome = evaluate(deliveries, { ...options, startMinute: minute, lateness: seededJitter(minute + 1, 10 * MINUTE) });
        expect(
          unexpectedFactAlerts(outcome, deliveries, (fact) => (freshOnArrival(deliveries, fact) ? 1 : 0)),
          name,
        ).toEqual([]);
        const counts = tenants.map((t) => tenantCounts(outcome, deliveries, t));
        const atHalfPast = tenantCounts(evaluate(deliveries, options), deliveries, tenants[0]!);
        for (const row of counts) expect(row, name).toEqual(atHalfPast);
        record(`rules started at :${String(minute).padStart(2, '0')}, each run 0-10 min late (2 tenants per run)`, name, counts[0]!);
      }
    },
  );

  it('a run that failed alerts once, also when its record is replayed 20 days later with TimeGenerated set to the arrival', () => {
    const tenants = tenantsOf(2);
    const deliveries = SCENARIOS['5-day outage, then catch-up']!.deliveries(tenants);
    const runRecords = deliveries.filter((d) => d.record.RecordType === 'ConnectorRun');
    const replay = replayed(runRecords, 20 * DAY);
    expect(replay.every((d) => Date.parse(d.record.TimeGenerated) === d.ingestedAt)).toBe(true);
    const outcome = evaluate([...deliveries, ...replay], { scheduleEnds: connectorEnds(deliveries) });
    expect(outcome.failed).toHaveLength(5 * tenants.length);
    for (const tenant of tenants) expect(outcome.failed.filter((f) => f.tenant === tenant)).toHaveLength(5);
    expect(outcome.baseline.map((b) => b.occasion)).toEqual(['catch-up', 'catch-up']);
  });

  it('a tenant silent 30 days and not on the watchlist is reported until its last run is 14 days old: 12 times, not 29', () => {
    for (const tenants of [tenantsOf(1), tenantsOf(5)]) {
      const deliveries = SCENARIOS['connector silent 30 days']!.deliveries(tenants);
      const outcome = evaluate(deliveries, { watchlist: [] });
      for (const tenant of tenants) expect(outcome.silent.filter((s) => s.tenant === tenant)).toHaveLength(12);
    }
  });

  it('a first run on old data (its newest snapshot 31 days old) still raises its baseline, saying how old', () => {
    const newest = SNAPSHOT_TIMES[last]!;
    const deliveries = deliverRun({ at: newest + 31 * DAY, kind: 'Backfill', facts: DEMO_FACTS });
    const outcome = evaluate(deliveries);
    expect(unexpectedFactAlerts(outcome, deliveries, () => 0)).toEqual([]);
    expect(outcome.baseline).toEqual([
      expect.objectContaining({
        tenant: DEMO_TENANT_ID,
        occasion: 'first run',
        snapshots: SNAPSHOT_TIMES.length,
        newestSnapshotAgeDays: 31,
      }),
    ]);
    // Its records replayed a week later are a replay, not a run: nothing more.
    const again = evaluate([...deliveries, ...replayed(deliveries, 7 * DAY)]);
    expect(again.baseline).toHaveLength(1);
  });

  it('re-certification: a standing acceptance alerts once per recertifyAfter period, from the current-state rows', () => {
    const recertify = rule('SecureScoreAcceptanceRecertification');
    const period = setting<number>(recertify, 'durations', 'recertifyAfter');
    const accepted = DEMO_FACTS.find((r) => r.State === 'Ignored' && r.ControlName === 'BlockLegacyAuthentication')!;
    const lastSnapshot = SNAPSHOT_TIMES[last]!;
    const start = dailyRunTime(lastSnapshot);
    const deliveries: Delivery[] = [];
    for (let at = start; at < eventTime(accepted) + 2 * period + 5 * DAY; at += DAY)
      deliveries.push(
        ...deliverRun({ at, kind: 'Incremental', facts: snapshotFacts(lastSnapshot).filter((r) => r.RecordType === 'DailyScore') }).filter(
          (d) => String(d.record.RecordType) === 'ControlState',
        ),
      );
    const alerts = recertificationAlerts(recertify, deliveries, dailyRuns(start, start + 2 * period + 10 * DAY));
    expect(alerts.map((a) => a.control)).toEqual(['BlockLegacyAuthentication', 'BlockLegacyAuthentication']);
    const [firstDue, secondDue] = alerts.map((a) => a.at - eventTime(accepted));
    expect(firstDue! >= period && firstDue! < period + 2 * DAY).toBe(true);
    expect(secondDue! >= 2 * period && secondDue! < 2 * period + 2 * DAY).toBe(true);
  });
});

/** The README's rows, by the words they start with, and the rule each counts. */
const README_ROWS: Record<string, string> = {
  'tenant score regression': 'SecureScoreTenantRegression',
  'control score regression': 'SecureScoreControlRegression',
  'controls added or removed': 'SecureScoreControlsAddedRemoved',
  'control set to Risk accepted': 'SecureScoreRiskAccepted',
  'resolved through third party': 'SecureScoreResolvedUnverified',
  'risk accepted without a justification': 'SecureScoreAcceptanceWithoutComment',
  'history baseline': 'SecureScoreHistoryBaseline',
  'connector run failed': 'SecureScoreConnectorRunFailed',
  'expected tenant silent': 'SecureScoreConnectorSilent',
};

/** The README's scenario table: its column headings, and row label -> column -> cell. */
function readmeTable(): { columns: string[]; rows: Map<string, Map<string, string>> } {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### What each rule does, scenario by scenario'));
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const columns = cells(lines[0]!).slice(1);
  return { columns, rows: new Map(lines.slice(2).map((l) => [cells(l)[0]!, new Map(columns.map((h, i) => [h, cells(l)[i + 1]!]))])) };
}

describe('the README says what the rules do, counted as executed', () => {
  it('has, for every scenario and rule, the count each tenant gets (the first words of its cell)', () => {
    const { columns, rows } = readmeTable();
    const tenants = tenantsOf(1);
    const mismatches: string[] = [];
    for (const [scenario, definition] of Object.entries(SCENARIOS)) {
      const deliveries = definition.deliveries(tenants);
      const counts = tenantCounts(evaluate(deliveries, definition.options?.(deliveries) ?? {}), deliveries, tenants[0]!);
      const column = columns.find((h) => h.toLowerCase().startsWith(scenario.toLowerCase()));
      if (!column) {
        mismatches.push(`no README column for "${scenario}"`);
        continue;
      }
      for (const [label, name] of Object.entries(README_ROWS)) {
        const row = [...rows.keys()].find((k) => k.toLowerCase().startsWith(label.toLowerCase()));
        const cell = row ? rows.get(row)!.get(column) : undefined;
        const want = counts[name]!;
        if (!cell || !(cell === want || cell.startsWith(`${want} `) || cell.startsWith(`${want};`)))
          mismatches.push(`${label} / ${scenario}: README "${cell ?? '(no row)'}", executed "${want}"`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
