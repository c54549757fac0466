/**
 * Every rule run at its schedule, as Sentinel runs it: from the minute it was started at, each run up
 * to a few minutes late; each run reads its window (alert-model.ts), finds its candidates the way its
 * KQL does, and leaves out what it already alerted on (the AlertKeys SecurityAlert holds). The rules
 * that do not raise one alert per fact are modelled here on the same predicates, with the thresholds
 * read from the rules. Each mirrors its KQL, and declares what it relates records by (the *_KEYS
 * below): test/content/rule-models.test.ts ties those, the windows, the event times and the alert keys
 * to the rules' syntax trees.
 */
import {
  AlertLog,
  alertKey,
  eventTime,
  factAlerts,
  FACT_RULES,
  firstIngestedIn,
  isFresh,
  ruleWindow,
  type Delivery,
  type IngestedFact,
} from '../../../src/sentinel/alert-model.js';
import { setting, type RuleSettings } from '../../../src/sentinel/rule-settings.js';
import { DAY, HOUR, MINUTE } from './demo-timeline.js';

/** What the baseline rule relates a run's records by: every join and summarize of it (one run reads many tenants). */
export const BASELINE_KEYS = ['AzureTenantId', 'RunId'] as const;
/** What the silent-tenant rule summarises runs by, and joins the watchlist on. */
export const SILENT_KEYS = ['AzureTenantId'] as const;
/** What the regression rules join a snapshot's other records on. */
export const SNAPSHOT_KEYS = ['AzureTenantId', 'SnapshotId'] as const;

/**
 * How long after a run raised an alert the next run finds it in SecurityAlert. Not a published figure: the
 * rules need it below the time between two runs (an hour less twice the lateness, 40 minutes and more).
 */
const ALERT_VISIBLE_AFTER = 5 * MINUTE;

/** When Sentinel runs a rule: every `frequency` from the minute it was started at, each run up to a few minutes late. */
export interface Schedule {
  /** Minute past the hour the rule was started at (daily rules: at 07:MM). */
  readonly minute: number;
  /** How late each run starts, ms. */
  readonly lateness?: () => number;
}

/** Run times of a rule from `from` to `to` on its schedule. */
export function ruleRuns(rule: RuleSettings, from: number, to: number, schedule: Schedule): number[] {
  const first = rule.frequencyMs >= DAY ? Math.floor(from / DAY) * DAY + 7 * HOUR : Math.floor(from / HOUR) * HOUR;
  const runs: number[] = [];
  for (let t = first + schedule.minute * MINUTE; t <= to; t += rule.frequencyMs) runs.push(t + (schedule.lateness?.() ?? 0));
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

/** Something a run of a rule would alert on, before it leaves out what it already alerted on. */
export interface Candidate {
  readonly key: string;
  readonly tenant: string;
}

/** An alert a run raised. */
export type Raised<C extends Candidate> = C & { readonly at: number };

/**
 * A rule over its runs: each finds its candidates and raises those whose AlertKey it has not raised
 * since its window's start (MSSecureScoreAlertKeys(ruleKey, windowStart)). Given the deliveries its
 * candidates come from, runs whose window (and the day before it) holds no arrival are skipped: they
 * find nothing.
 */
export function runRule<C extends Candidate>(
  rule: RuleSettings,
  runs: readonly number[],
  candidates: (runAt: number) => C[],
  deliveries?: readonly Delivery[],
): Array<Raised<C>> {
  const log = new AlertLog(ALERT_VISIBLE_AFTER);
  const arrivals = deliveries ? [...new Set(deliveries.map((d) => d.ingestedAt))] : undefined;
  const raised: Array<Raised<C>> = [];
  for (const t of runs) {
    const window = ruleWindow(rule, t);
    if (arrivals && !arrivals.some((a) => a >= window.start - DAY && a < window.end)) continue;
    for (const candidate of candidates(t)) {
      if (log.alreadyRaised(candidate.key, window.start, t)) continue;
      log.raise(candidate.key, t);
      raised.push({ ...candidate, at: t });
    }
  }
  return raised;
}

const ofType = (deliveries: readonly Delivery[], type: string) => deliveries.filter((d) => String(d.record.RecordType) === type);

/** How many times each fact alerted, per per-fact rule. */
export function perFactAlerts(
  rules: ReadonlyMap<string, RuleSettings>,
  deliveries: readonly Delivery[],
  schedule: Schedule,
  to: number,
): Map<string, Map<string, number>> {
  const from = Math.min(...deliveries.map((d) => d.ingestedAt));
  const result = new Map<string, Map<string, number>>();
  for (const factRule of FACT_RULES) {
    const rule = rules.get(factRule.name)!;
    const typed = ofType(deliveries, factRule.recordType);
    const alerts = runRule(
      rule,
      ruleRuns(rule, from, to, schedule),
      (t) =>
        factAlerts(factRule, rule, typed, t).map((f) => ({
          key: alertKey(factRule.name, f.record.RecordId),
          tenant: f.record.AzureTenantId,
          recordId: f.record.RecordId,
        })),
      typed,
    );
    const counts = new Map<string, number>();
    for (const a of alerts) counts.set(a.recordId, (counts.get(a.recordId) ?? 0) + 1);
    result.set(factRule.name, counts);
  }
  return result;
}

/** One baseline alert: a tenant's first run or catch-up, with what it counted. */
export interface BaselineCandidate extends Candidate {
  readonly runId: string;
  readonly occasion: 'first run' | 'catch-up';
  readonly snapshots: number;
  readonly staleFacts: number;
  readonly riskAccepted: number;
  readonly newestSnapshotAgeDays: number;
}

/**
 * The baseline rule: one alert per tenant and successful run (its ConnectorRun record first ingested in
 * the window, minutes after the run started) that was a backfill or brought facts older than maxFactAge,
 * counting the records that first arrived with that run of that tenant (keyed by BASELINE_KEYS).
 */
export function baselineAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
): Array<Raised<BaselineCandidate>> {
  const maxFactAge = setting<number>(rule, 'durations', 'maxFactAge');
  const connectorRuns = ofType(deliveries, 'ConnectorRun');
  const byType = new Map(['DailyScore', 'ControlStateUpdate', 'ControlState'].map((t) => [t, ofType(deliveries, t)]));
  const sameRun = (f: IngestedFact, run: IngestedFact) => BASELINE_KEYS.every((k) => f.record[k] === run.record[k]);
  return runRule(
    rule,
    runs,
    (t) => {
      const window = ruleWindow(rule, t);
      return firstIngestedIn(connectorRuns, window, t, rule.periodMs)
        .filter((r) => ['Succeeded', 'PartiallySucceeded'].includes(String(r.record.RunStatus)) && isFresh(r, maxFactAge))
        .flatMap((run): BaselineCandidate[] => {
          const started = eventTime(run.record);
          const own = (type: string) =>
            firstIngestedIn(byType.get(type)!, { start: window.start - DAY, end: t }, t, rule.periodMs).filter((f) => sameRun(f, run));
          const daily = own('DailyScore').filter((f) => f.firstIngested >= started);
          if (daily.length === 0) return [];
          const changes = own('ControlStateUpdate').filter((f) => f.firstIngested >= started);
          const staleFacts = daily.filter((f) => !isFresh(f, maxFactAge)).length;
          const kind = String(run.record.RunKind ?? 'Incremental');
          if (kind !== 'Backfill' && staleFacts === 0 && changes.every((f) => isFresh(f, maxFactAge))) return [];
          const newest = Math.max(...daily.map((f) => eventTime(f.record)));
          return [
            {
              key: alertKey(rule.name, run.record.RecordId),
              tenant: run.record.AzureTenantId,
              runId: run.record.RunId,
              occasion: kind === 'Backfill' ? 'first run' : 'catch-up',
              snapshots: daily.length,
              staleFacts,
              riskAccepted: own('ControlState').filter((f) => f.record.State === 'Ignored').length,
              newestSnapshotAgeDays: Math.floor((started - newest) / DAY),
            },
          ];
        });
    },
    connectorRuns,
  );
}

/** The failed-run rule: one alert per run record that did not succeed, young (by the run's start) when it first arrives. */
export function failedRunAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
): Array<Raised<Candidate & { runId: string }>> {
  const maxFactAge = setting<number>(rule, 'durations', 'maxFactAge');
  const connectorRuns = ofType(deliveries, 'ConnectorRun');
  return runRule(
    rule,
    runs,
    (t) =>
      firstIngestedIn(connectorRuns, ruleWindow(rule, t), t, rule.periodMs)
        .filter((r) => r.record.RunStatus !== 'Succeeded' && isFresh(r, maxFactAge))
        .map((r) => ({ key: alertKey(rule.name, r.record.RecordId), tenant: r.record.AzureTenantId, runId: r.record.RunId })),
    connectorRuns,
  );
}

/**
 * The silent-tenant rule at each daily run: every expected tenant (the watchlist, plus tenants seen in
 * the query period) whose last successful run started more than silentAfter ago (by the runs' event
 * time) alerts once; it has no alert key, a silence alerts every day.
 */
export function silentAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
  watchlist: readonly string[],
): Array<{ tenant: string; at: number }> {
  const silentAfter = setting<number>(rule, 'durations', 'silentAfter');
  const connectorRuns = ofType(deliveries, 'ConnectorRun');
  const tenantOf = (f: IngestedFact) => f.record[SILENT_KEYS[0]].toLowerCase();
  return runs.flatMap((t) => {
    const visible = firstIngestedIn(connectorRuns, { start: -Infinity, end: Infinity }, t, rule.periodMs);
    const tenants = new Set([...watchlist.map((w) => w.toLowerCase()), ...visible.map(tenantOf)]);
    return [...tenants]
      .filter((tenant) => {
        const successes = visible.filter((d) => tenantOf(d) === tenant && d.record.RunStatus === 'Succeeded');
        return successes.length === 0 || Math.max(...successes.map((d) => eventTime(d.record))) < t - silentAfter;
      })
      .map((tenant) => ({ tenant, at: t }));
  });
}

/**
 * The re-certification rule at each daily run: current acceptances (each tenant's control's newest
 * current-state row) whose age crossed a multiple of recertifyAfter within the run's window, once per
 * tenant, control, acceptance and period.
 */
export function recertificationAlerts(
  rule: RuleSettings,
  deliveries: readonly Delivery[],
  runs: readonly number[],
): Array<Raised<Candidate & { control: string }>> {
  const recertifyAfter = setting<number>(rule, 'durations', 'recertifyAfter');
  const states = ofType(deliveries, 'ControlState');
  return runRule(rule, runs, (t) => {
    const { start, end } = ruleWindow(rule, t);
    const rows = firstIngestedIn(states, { start: -Infinity, end: Infinity }, t, rule.periodMs).map((f) => f.record);
    const current = new Map<string, Delivery['record']>();
    for (const record of rows.sort((a, b) => eventTime(a) - eventTime(b) || a.TimeGenerated.localeCompare(b.TimeGenerated)))
      current.set(`${record.AzureTenantId}|${String(record.ControlName)}`, record);
    return [...current.values()]
      .filter((r) => r.State === 'Ignored' && r.UpdatedDateTime)
      .flatMap((r) => {
        const accepted = Date.parse(String(r.UpdatedDateTime));
        const periods = Math.floor((end - accepted) / recertifyAfter);
        const due = accepted + periods * recertifyAfter;
        if (periods < 1 || due < start || due >= end) return [];
        return [
          {
            key: `${rule.name}:${r.AzureTenantId}|${String(r.ControlName)}|${String(r.UpdatedDateTime)}|${periods}`,
            tenant: r.AzureTenantId,
            control: String(r.ControlName),
          },
        ];
      });
  });
}
