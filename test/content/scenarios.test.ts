/**
 * The README's scenario table, checked over the connector's own records: the normalizers' output on
 * the demo tenant, delivered on simulated timelines (ingestion times, re-sends, replays, outages,
 * scheduler lateness), evaluated with the predicates every rule relies on (aligned window, first
 * ingestion, age when it arrived) and each rule's thresholds read from its YAML.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { alignedWindow, eventTime, FACT_RULES, type Delivery } from '../../src/sentinel/alert-model.js';
import { loadRuleSettings, setting } from '../../src/sentinel/rule-settings.js';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import {
  DAY,
  DEMO_FACTS,
  dailyRunTime,
  deliverRun,
  HOUR,
  MINUTE,
  replayed,
  SNAPSHOT_TIMES,
  snapshotFacts,
  stateChangesBetween,
  type SimulatedRun,
} from './support/demo-timeline.js';
import {
  baselineAlerts,
  dailyRuns,
  failedRunAlerts,
  hourlyRuns,
  perFactAlerts,
  recertificationAlerts,
  seededJitter,
  silentAlerts,
} from './support/rule-model.js';

const rules = loadRuleSettings();
const rule = (name: string) => rules.get(name)!;
const maxFactAge = setting<number>(rule('SecureScoreRiskAccepted'), 'durations', 'maxFactAge');
const matching = new Map(
  FACT_RULES.map((fr) => [fr.name, DEMO_FACTS.filter((r) => r.RecordType === fr.recordType && fr.matches(r, rule(fr.name)))]),
);

/** The connector's daily schedule over the demo period; `plan` may drop, fail or merge runs. */
function dailySchedule(plan: (index: number) => 'run' | 'skip' | 'fail' = () => 'run'): { runs: SimulatedRun[]; deliveries: Delivery[] } {
  const runs: SimulatedRun[] = [];
  let lastSuccess = SNAPSHOT_TIMES[0]! - DAY;
  let pending: number[] = [];
  SNAPSHOT_TIMES.forEach((snapshot, i) => {
    const at = dailyRunTime(snapshot);
    pending.push(snapshot);
    const step = plan(i);
    if (step === 'skip') return;
    if (step === 'fail') {
      runs.push({ at, facts: [], kind: 'Incremental', status: 'Failed' });
      return;
    }
    runs.push({ at, kind: 'Incremental', facts: [...pending.flatMap(snapshotFacts), ...stateChangesBetween(lastSuccess, at)] });
    pending = [];
    lastSuccess = at;
  });
  return { runs, deliveries: runs.flatMap(deliverRun) };
}

const last = SNAPSHOT_TIMES[SNAPSHOT_TIMES.length - 1]!;
const hourly = (deliveries: readonly Delivery[], jitter?: () => number) =>
  hourlyRuns(Math.min(...deliveries.map((d) => d.ingestedAt)), Math.max(...deliveries.map((d) => d.ingestedAt)) + 2 * DAY, 30, jitter);

interface Outcome {
  readonly facts: Map<string, Map<string, number>>;
  readonly baseline: Array<{ occasion: string }>;
  readonly failed: string[];
  readonly silent: Array<{ at: number }>;
}

function evaluate(
  deliveries: readonly Delivery[],
  options: { jitter?: () => number; watchlist?: string[]; scheduleEnds?: number } = {},
): Outcome {
  const runs = hourly(deliveries, options.jitter);
  return {
    facts: perFactAlerts(rules, deliveries, runs),
    baseline: baselineAlerts(rule('SecureScoreHistoryBaseline'), deliveries, runs),
    failed: failedRunAlerts(rule('SecureScoreConnectorRunFailed'), deliveries, runs),
    silent: silentAlerts(
      rule('SecureScoreConnectorSilent'),
      deliveries,
      dailyRuns(
        Math.min(...deliveries.map((d) => d.ingestedAt)),
        (options.scheduleEnds ?? Math.max(...deliveries.map((d) => d.ingestedAt))) + DAY,
      ),
      options.watchlist ?? [DEMO_TENANT_ID],
    ),
  };
}

/** Every matching fact alerted exactly as often as `expected` says (1 = once, 0 = never). */
function expectFactAlerts(outcome: Outcome, expected: (fact: (typeof DEMO_FACTS)[number], rule: string) => number): void {
  for (const [name, facts] of matching) {
    const counts = outcome.facts.get(name)!;
    for (const fact of facts)
      expect(counts.get(fact.RecordId) ?? 0, `${name} ${String(fact.ControlName ?? fact.SnapshotDate)}`).toBe(expected(fact, name));
    // Nothing that does not match the rule alerts.
    expect([...counts.keys()].filter((id) => !facts.some((f) => f.RecordId === id))).toEqual([]);
  }
}

const table: Record<string, Record<string, string>> = {};
function record(scenario: string, outcome: Outcome, note: Record<string, string> = {}): void {
  const row: Record<string, string> = {};
  for (const [name, facts] of matching) {
    const counts = outcome.facts.get(name)!;
    const alerts = [...counts.values()].reduce((s, n) => s + n, 0);
    row[name] = `${alerts} of ${facts.length}`;
  }
  row.SecureScoreHistoryBaseline = `${outcome.baseline.length}${outcome.baseline.length ? ` (${outcome.baseline.map((b) => b.occasion).join(', ')})` : ''}`;
  row.SecureScoreConnectorRunFailed = String(outcome.failed.length);
  row.SecureScoreConnectorSilent = String(outcome.silent.length);
  table[scenario] = { ...row, ...note };
}

afterAll(() => {
  const scenarios = Object.keys(table);
  if (scenarios.length === 0) return;
  const names = Object.keys(table[scenarios[0]!]!);
  const lines = [`| rule | ${scenarios.join(' | ')} |`, `|---|${scenarios.map(() => '---').join('|')}|`];
  for (const name of names) lines.push(`| ${name} | ${scenarios.map((s) => table[s]![name] ?? '').join(' | ')} |`);
  console.log(`Alerts per rule and scenario (fact rules: alerts of matching demo facts)\n${lines.join('\n')}`);
});

describe('what each rule raises, scenario by scenario, on the demo tenant', () => {
  it('the demo holds facts for every per-fact rule but the unjustified acceptance', () => {
    expect(Object.fromEntries([...matching].map(([name, facts]) => [name, facts.length]))).toEqual({
      SecureScoreTenantRegression: 2,
      SecureScoreControlRegression: 1,
      SecureScoreControlsAddedRemoved: 2,
      SecureScoreRiskAccepted: 2,
      SecureScoreResolvedUnverified: 1,
      SecureScoreAcceptanceWithoutComment: 0,
    });
  });

  it('first backfill: no fact older than maxFactAge alerts on its own; one baseline alert summarises the history', () => {
    const deliveries = deliverRun({ at: dailyRunTime(last), kind: 'Backfill', facts: DEMO_FACTS });
    const outcome = evaluate(deliveries);
    expectFactAlerts(outcome, (fact) => (dailyRunTime(last) - eventTime(fact) <= maxFactAge ? 1 : 0));
    expect([...outcome.facts.values()].every((c) => c.size === 0)).toBe(true);
    expect(outcome.baseline).toEqual([{ runId: expect.any(String), occasion: 'first run' }]);
    expect(outcome.failed).toEqual([]);
    record('first backfill', outcome);
  });

  it('daily steady state: every matching fact alerts exactly once, and nothing else does', () => {
    const outcome = evaluate(dailySchedule().deliveries);
    expectFactAlerts(outcome, () => 1);
    expect(outcome.baseline).toEqual([]);
    expect(outcome.silent).toEqual([]);
    record('daily steady state', outcome);
  });

  it('re-send within a day: a second run sending the same facts three hours later raises nothing more', () => {
    const { runs } = dailySchedule();
    const deliveries = [...runs, ...runs.map((r) => ({ ...r, at: r.at + 3 * HOUR }))].flatMap(deliverRun);
    const outcome = evaluate(deliveries);
    expectFactAlerts(outcome, () => 1);
    expect(outcome.baseline).toEqual([]);
    record('re-send within a day', outcome);
  });

  it('replay after 20 days: the same records arriving again, past the query period, raise nothing more', () => {
    const { deliveries } = dailySchedule();
    const replay = deliveries.map((d) => ({ ...d, ingestedAt: d.ingestedAt + 20 * DAY }));
    // The connector's schedule ends with the demo period: the silence after it is not the replay's doing.
    const outcome = evaluate([...deliveries, ...replay], { scheduleEnds: Math.max(...deliveries.map((d) => d.ingestedAt)) });
    expectFactAlerts(outcome, () => 1);
    expect(outcome.baseline).toEqual([]);
    expect(outcome.failed).toEqual([]);
    record('replay after 20 days', outcome);
  });

  it('5-day outage then catch-up: each failure alerts once, the silence daily; fresh facts alert, older ones go to one catch-up baseline', () => {
    const outage = new Set([20, 21, 22, 23, 24]);
    const { deliveries } = dailySchedule((i) => (outage.has(i) ? 'fail' : 'run'));
    const catchUpAt = dailyRunTime(SNAPSHOT_TIMES[25]!);
    const firstIngested = (fact: (typeof DEMO_FACTS)[number]) =>
      Math.min(...deliveries.filter((d) => d.record.RecordId === fact.RecordId).map((d) => d.ingestedAt));
    const outcome = evaluate(deliveries);
    expectFactAlerts(outcome, (fact) => (firstIngested(fact) - eventTime(fact) <= maxFactAge ? 1 : 0));
    // The outage hid the third-party claim for more than maxFactAge, the removal and the -2 drop not.
    expect(outcome.facts.get('SecureScoreResolvedUnverified')!.size).toBe(0);
    expect(outcome.facts.get('SecureScoreControlsAddedRemoved')!.size).toBe(2);
    expect(outcome.baseline).toEqual([{ runId: expect.any(String), occasion: 'catch-up' }]);
    expect(outcome.failed).toHaveLength(5);
    expect(outcome.silent.length).toBeGreaterThanOrEqual(3);
    expect(outcome.silent.every((s) => s.at < catchUpAt + DAY)).toBe(true);
    expect(new Set(outcome.silent.map((s) => Math.floor(s.at / DAY))).size).toBe(outcome.silent.length);
    record('5-day outage, catch-up', outcome);
  });

  it('0-5 min scheduler lateness: aligned windows read every arrival once; windows from now() miss some and repeat others', () => {
    const arrivals = seededJitter(7, 59 * MINUTE);
    const { runs } = dailySchedule();
    const deliveries = runs.flatMap((r) => deliverRun({ ...r, arrivesAfterMinutes: Math.round(arrivals() / MINUTE) }));
    const outcome = evaluate(deliveries, { jitter: seededJitter(11, 5 * MINUTE) });
    expectFactAlerts(outcome, () => 1);
    record('0-5 min scheduler jitter', outcome);

    // The window predicate itself, with each record arriving at any minute of the day after its run:
    // how many runs read it.
    const spread = seededJitter(13, DAY);
    const anyMinute = deliveries.map((d) => ({ ...d, ingestedAt: d.ingestedAt + spread() }));
    const runTimes = hourly(anyMinute, seededJitter(11, 5 * MINUTE));
    const reads = (window: (t: number) => { start: number; end: number }) =>
      anyMinute.map((d) => runTimes.filter((t) => d.ingestedAt >= window(t).start && d.ingestedAt < window(t).end).length);
    const aligned = reads((t) => alignedWindow(t, HOUR, 15 * MINUTE));
    expect(aligned.filter((n) => n !== 1)).toEqual([]);
    const fromNow = reads((t) => ({ start: t - HOUR - 15 * MINUTE, end: t - 15 * MINUTE }));
    expect(fromNow.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(fromNow.filter((n) => n > 1).length).toBeGreaterThan(0);
  });

  it('connector silent for 30 days: one alert per day for the whole silence, past the 14-day query period, only with the watchlist', () => {
    const silence = (i: number) => (i >= 3 && i <= 32 ? 'skip' : 'run');
    const { deliveries } = dailySchedule(silence);
    const lastBefore = dailyRunTime(SNAPSHOT_TIMES[2]!);
    const resumed = dailyRunTime(SNAPSHOT_TIMES[33]!);
    const outcome = evaluate(deliveries);
    const days = outcome.silent.map((s) => Math.floor(s.at / DAY));
    expect(new Set(days).size).toBe(days.length);
    expect(outcome.silent.length).toBeGreaterThanOrEqual(28);
    expect(Math.max(...outcome.silent.map((s) => s.at)) - lastBefore).toBeGreaterThan(28 * DAY);
    expect(
      outcome.silent.every(
        (s) => s.at > lastBefore + setting<number>(rule('SecureScoreConnectorSilent'), 'durations', 'silentAfter') && s.at < resumed,
      ),
    ).toBe(true);
    // Without the watchlist the tenant drops out of the query period after 14 days and the rule goes blind.
    const blind = evaluate(deliveries, { watchlist: [] }).silent;
    expect(Math.max(...blind.map((s) => s.at)) - lastBefore).toBeLessThanOrEqual(14 * DAY + DAY);
    // On resuming, facts older than maxFactAge go to one catch-up baseline; the fresh -10 drop alerts.
    expect(outcome.baseline).toEqual([{ runId: expect.any(String), occasion: 'catch-up' }]);
    expect(outcome.facts.get('SecureScoreControlRegression')!.size).toBe(1);
    record('silent 30 days', outcome, { note: `${blind.length} silent alerts without the watchlist` });
  });

  it('a failed run alerts once, also when its record is replayed 20 days later with TimeGenerated set to the arrival', () => {
    const outage = new Set([20, 21, 22, 23, 24]);
    const { deliveries } = dailySchedule((i) => (outage.has(i) ? 'fail' : 'run'));
    const replay = replayed(
      deliveries.filter((d) => d.record.RecordType === 'ConnectorRun'),
      20 * DAY,
    );
    expect(replay.every((d) => Date.parse(d.record.TimeGenerated) === d.ingestedAt)).toBe(true);
    const outcome = evaluate([...deliveries, ...replay], { scheduleEnds: Math.max(...deliveries.map((d) => d.ingestedAt)) });
    expect(outcome.failed).toHaveLength(5);
    expect(outcome.baseline.map((b) => b.occasion)).toEqual(['catch-up']);
  });

  it('a first run on old data (its newest snapshot 31 days old) still raises its baseline; its replay a week later does not', () => {
    const deliveries = deliverRun({ at: last + 31 * DAY, kind: 'Backfill', facts: DEMO_FACTS });
    const outcome = evaluate(deliveries);
    expect([...outcome.facts.values()].every((c) => c.size === 0)).toBe(true);
    expect(outcome.baseline).toEqual([{ runId: expect.any(String), occasion: 'first run' }]);
    expect(evaluate([...deliveries, ...replayed(deliveries, 7 * DAY)]).baseline).toHaveLength(1);
  });

  it('re-certification: a standing acceptance alerts once per recertifyAfter period, from the current-state rows', () => {
    const recertify = rule('SecureScoreAcceptanceRecertification');
    const period = setting<number>(recertify, 'durations', 'recertifyAfter');
    const accepted = DEMO_FACTS.find((r) => r.State === 'Ignored' && r.ControlName === 'BlockLegacyAuthentication')!;
    const start = dailyRunTime(last);
    const deliveries: Delivery[] = [];
    for (let at = start; at < eventTime(accepted) + 2 * period + 5 * DAY; at += DAY)
      deliveries.push(
        ...deliverRun({ at, kind: 'Incremental', facts: snapshotFacts(last).filter((r) => r.RecordType === 'DailyScore') }).filter(
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
