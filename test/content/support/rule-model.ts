/**
 * The rules that do not raise one alert per fact, modelled on the same predicates as the others
 * (aligned window, first ingestion, age when it arrived), with the thresholds read from the rules.
 * Each mirrors its KQL; the content test ties the literals they rely on to the rule text.
 */
import {
  eventTime,
  factAlerts,
  FACT_RULES,
  firstIngestedIn,
  isFresh,
  ruleWindow,
  type Delivery,
} from '../../../src/sentinel/alert-model.js';
import { setting, type RuleSettings } from '../../../src/sentinel/rule-settings.js';
import { DAY, HOUR, MINUTE } from './demo-timeline.js';

/** Hourly run times at `minute` past each hour from `from` to `to`, each started 0..maxJitter late. */
export function hourlyRuns(from: number, to: number, minute = 30, jitter: () => number = () => 0): number[] {
  const runs: number[] = [];
  for (let t = Math.floor(from / HOUR) * HOUR + minute * MINUTE; t <= to; t += HOUR) runs.push(t + jitter());
  return runs;
}

/** Daily run times at `hour`:30 from `from` to `to`. */
export function dailyRuns(from: number, to: number, hour = 7): number[] {
  const runs: number[] = [];
  for (let t = Math.floor(from / DAY) * DAY + hour * HOUR + 30 * MINUTE; t <= to; t += DAY) runs.push(t);
  return runs;
}

/** A deterministic 0..maxMs lateness, like Sentinel's. */
export function seededJitter(seed: number, maxMs: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return (a / 2147483648) * maxMs;
  };
}

/** Runs whose window holds at least one arrival: the only ones that can alert (the rest are skipped for speed). */
function busyRuns(rule: RuleSettings, deliveries: readonly Delivery[], runs: readonly number[]): number[] {
  const arrivals = [...new Set(deliveries.map((d) => d.ingestedAt))].sort((a, b) => a - b);
  return runs.filter((t) => {
    const w = ruleWindow(rule, t);
    return arrivals.some((a) => a >= w.start && a < w.end);
  });
}

/** How many times each fact alerted, per per-fact rule. */
export function perFactAlerts(
  rules: ReadonlyMap<string, RuleSettings>,
  deliveries: readonly Delivery[],
  runs: readonly number[],
): Map<string, Map<string, number>> {
  const result = new Map<string, Map<string, number>>();
  for (const factRule of FACT_RULES) {
    const rule = rules.get(factRule.name)!;
    const counts = new Map<string, number>();
    for (const t of busyRuns(rule, deliveries, runs))
      for (const fact of factAlerts(factRule, rule, deliveries, t))
        counts.set(fact.record.RecordId, (counts.get(fact.record.RecordId) ?? 0) + 1);
    result.set(factRule.name, counts);
  }
  return result;
}

/** The baseline rule: one alert per successful run that is a backfill or brought stale facts, unless it only replays old data. */
export function baselineAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
): Array<{ runId: string; occasion: string }> {
  const maxFactAge = setting<number>(rule, 'durations', 'maxFactAge');
  const alerts: Array<{ runId: string; occasion: string }> = [];
  for (const t of busyRuns(rule, deliveries, runs)) {
    const window = ruleWindow(rule, t);
    const connectorRuns = firstIngestedIn(
      deliveries.filter((d) => d.record.RecordType === 'ConnectorRun'),
      window,
      t,
      rule.periodMs,
    ).filter((r) => r.record.RunStatus !== 'Failed');
    for (const run of connectorRuns) {
      // A run's record arrives minutes after the run started; a replayed one is old: not news.
      if (!isFresh(run, maxFactAge)) continue;
      const started = eventTime(run.record);
      const own = (type: string) =>
        firstIngestedIn(
          deliveries.filter((d) => d.record.RecordType === type),
          { start: window.start - DAY, end: t },
          t,
          rule.periodMs,
        ).filter(
          (f) => f.record.AzureTenantId === run.record.AzureTenantId && f.record.RunId === run.record.RunId && f.firstIngested >= started,
        );
      const daily = own('DailyScore');
      if (daily.length === 0) continue;
      const stale = [...daily, ...own('ControlStateUpdate')].filter((f) => !isFresh(f, maxFactAge)).length;
      const kind = String(run.record.RunKind ?? 'Incremental');
      if (kind === 'Backfill' || stale > 0)
        alerts.push({ runId: run.record.RunId, occasion: kind === 'Backfill' ? 'first run' : 'catch-up' });
    }
  }
  return alerts;
}

/** The failed-run rule: one alert per run that did not succeed, when its record first arrives. */
export function failedRunAlerts(rule: RuleSettings, deliveries: readonly Delivery[], runs: readonly number[]): string[] {
  const maxFactAge = setting<number>(rule, 'durations', 'maxFactAge');
  return busyRuns(rule, deliveries, runs).flatMap((t) =>
    firstIngestedIn(
      deliveries.filter((d) => d.record.RecordType === 'ConnectorRun'),
      ruleWindow(rule, t),
      t,
      rule.periodMs,
    )
      .filter((r) => r.record.RunStatus !== 'Succeeded' && isFresh(r, maxFactAge))
      .map((r) => r.record.RunId),
  );
}

/**
 * The silent-tenant rule at each daily run: every expected tenant (the watchlist, plus tenants seen
 * in the query period) without a successful run for silentAfter alerts once.
 */
export function silentAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
  watchlist: readonly string[],
): Array<{ tenant: string; at: number }> {
  const silentAfter = setting<number>(rule, 'durations', 'silentAfter');
  return runs.flatMap((t) => {
    const visible = deliveries.filter(
      (d) => d.record.RecordType === 'ConnectorRun' && d.ingestedAt <= t && Date.parse(d.record.TimeGenerated) >= t - rule.periodMs,
    );
    const tenants = new Set([...watchlist.map((w) => w.toLowerCase()), ...visible.map((d) => d.record.AzureTenantId.toLowerCase())]);
    return [...tenants]
      .filter((tenant) => {
        const successes = visible.filter((d) => d.record.AzureTenantId.toLowerCase() === tenant && d.record.RunStatus === 'Succeeded');
        const last = Math.max(...successes.map((d) => eventTime(d.record)));
        return successes.length === 0 || last < t - silentAfter;
      })
      .map((tenant) => ({ tenant, at: t }));
  });
}

/** The re-certification rule at each daily run: current acceptances whose age crossed a multiple of recertifyAfter that day. */
export function recertificationAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
): Array<{ control: string; at: number }> {
  const recertifyAfter = setting<number>(rule, 'durations', 'recertifyAfter');
  return runs.flatMap((t) => {
    const { start, end } = ruleWindow(rule, t);
    const rows = deliveries.filter(
      (d) => String(d.record.RecordType) === 'ControlState' && d.ingestedAt <= t && d.ingestedAt >= t - rule.periodMs,
    );
    const current = new Map<string, Delivery['record']>();
    for (const { record } of rows.sort(
      (a, b) => eventTime(a.record) - eventTime(b.record) || a.record.TimeGenerated.localeCompare(b.record.TimeGenerated),
    ))
      current.set(String(record.ControlName), record);
    return [...current.values()]
      .filter((r) => r.State === 'Ignored' && r.UpdatedDateTime)
      .filter((r) => {
        const accepted = Date.parse(String(r.UpdatedDateTime));
        const periods = Math.floor((end - accepted) / recertifyAfter);
        const due = accepted + periods * recertifyAfter;
        return periods >= 1 && due >= start && due < end;
      })
      .map((r) => ({ control: String(r.ControlName), at: t }));
  });
}
