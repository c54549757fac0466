import type { TableRecord } from '../schema/records.js';
import { setting, type RuleSettings } from './rule-settings.js';

/**
 * The predicates the analytics rules rely on, in TypeScript: the aligned window of first ingestion a
 * run reads, first ingestion itself, the age of a fact when it arrived, and each per-fact rule's own
 * filter with the thresholds read from the rule. The demo digest and the scenario tests use them, so
 * "what would alert" is derived from the rules, not from a separate list.
 */

/** One arrival of a record in the workspace (the same record can arrive more than once). */
export interface Delivery {
  readonly record: TableRecord;
  /** ingestion_time(), epoch ms. */
  readonly ingestedAt: number;
}

/** A record as a parser returns it: the last copy, with the time its first copy arrived. */
export interface IngestedFact {
  readonly record: TableRecord;
  readonly firstIngested: number;
}

/** A half-open span of time, epoch ms. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * The window of first ingestion a run reads: whole windows (bin), ending at least `delay` before the
 * run. Runs started a little late still land in the same window, so consecutive runs read consecutive
 * windows: nothing is missed or read twice as long as the run's lateness stays below
 * (run minute - delay) within the window.
 */
export function alignedWindow(runAt: number, windowMs: number, delayMs: number): Span {
  const end = Math.floor((runAt - delayMs) / windowMs) * windowMs;
  return { start: end - windowMs, end };
}

/** A rule's window at a run time, from its own `let window` and `let ingestionDelay` lines. */
export function ruleWindow(rule: RuleSettings, runAt: number): Span {
  return alignedWindow(runAt, setting<number>(rule, 'durations', 'window'), setting<number>(rule, 'durations', 'ingestionDelay'));
}

/**
 * What a parser called with a window returns at `runAt`: records whose first arrival within the
 * rule's query period falls in the window. Copies outside the period are invisible to the rule, as
 * Sentinel limits a scheduled query to it (ingestion time stands in for TimeGenerated here; the
 * connector stamps TimeGenerated minutes before the upload).
 */
export function firstIngestedIn(deliveries: readonly Delivery[], window: Span, runAt: number, periodMs: number): IngestedFact[] {
  const visible = deliveries.filter((d) => d.ingestedAt >= runAt - periodMs && d.ingestedAt <= runAt);
  const byId = new Map<string, { first: number; last: Delivery }>();
  for (const d of visible) {
    const seen = byId.get(d.record.RecordId);
    if (!seen) byId.set(d.record.RecordId, { first: d.ingestedAt, last: d });
    else {
      seen.first = Math.min(seen.first, d.ingestedAt);
      if (d.record.TimeGenerated >= seen.last.record.TimeGenerated) seen.last = d;
    }
  }
  return [...byId.values()]
    .filter((s) => s.first >= window.start && s.first < window.end)
    .map((s) => ({ record: s.last.record, firstIngested: s.first }));
}

/** When the fact happened: the snapshot date, the state change time, or (for runs) the collection time. */
export function eventTime(record: TableRecord): number {
  const value = record.SnapshotDate ?? record.UpdatedDateTime ?? record.TimeGenerated;
  return Date.parse(String(value));
}

/** Young enough when it first arrived to alert on its own (`FirstIngested - EventTime <= maxFactAge`). */
export function isFresh(fact: IngestedFact, maxFactAgeMs: number): boolean {
  return fact.firstIngested - eventTime(fact.record) <= maxFactAgeMs;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A rule that raises one alert per fact, with the record type it reads and its own filter. */
export interface FactRule {
  /** File name in kql/analytics-rules. */
  readonly name: string;
  readonly recordType: string;
  /** The rule's filter on one record, with the thresholds of its `let` lines. */
  readonly matches: (record: TableRecord, rule: RuleSettings) => boolean;
}

const isAcceptance = (r: TableRecord) => r.State === 'Ignored';

/**
 * The per-fact rules whose filter needs only the record itself. (The burst and toggle rules also read
 * earlier state changes; the baseline, silence, failure and re-certification rules read runs and
 * current states: the scenario tests model those on their own.)
 */
export const FACT_RULES: readonly FactRule[] = [
  {
    name: 'SecureScoreTenantRegression',
    recordType: 'DailyScore',
    matches: (r, rule) => {
      const change = num(r.ScoreChange);
      const max = num(r.MaxScore);
      const percent = max > 0 ? (100 * -change) / max : 0;
      return (
        change <= -setting<number>(rule, 'numbers', 'minPointsLost') && percent >= setting<number>(rule, 'numbers', 'minPercentPointsLost')
      );
    },
  },
  {
    name: 'SecureScoreControlRegression',
    recordType: 'ControlScore',
    matches: (r, rule) => r.ChangeType === 'Decreased' && -num(r.ScoreChange) >= setting<number>(rule, 'numbers', 'minPointsLost'),
  },
  {
    name: 'SecureScoreControlsAddedRemoved',
    recordType: 'ControlScore',
    matches: (r, rule) => setting<string[]>(rule, 'lists', 'changeTypes').includes(str(r.ChangeType)),
  },
  {
    name: 'SecureScoreRiskAccepted',
    recordType: 'ControlStateUpdate',
    matches: (r, rule) => isAcceptance(r) && (num(r.MaxScore) || 0) >= setting<number>(rule, 'numbers', 'minPointsAtStake'),
  },
  {
    name: 'SecureScoreResolvedUnverified',
    recordType: 'ControlStateUpdate',
    matches: (r, rule) => setting<string[]>(rule, 'lists', 'unverifiedStates').includes(str(r.State)),
  },
  {
    name: 'SecureScoreAcceptanceWithoutComment',
    recordType: 'ControlStateUpdate',
    matches: (r) => isAcceptance(r) && str(r.Comment).trim() === '',
  },
];

/** The facts a per-fact rule alerts on in one run at `runAt`, given every delivery so far. */
export function factAlerts(factRule: FactRule, rule: RuleSettings, deliveries: readonly Delivery[], runAt: number): IngestedFact[] {
  const maxFactAge = setting<number>(rule, 'durations', 'maxFactAge');
  return firstIngestedIn(
    deliveries.filter((d) => d.record.RecordType === factRule.recordType),
    ruleWindow(rule, runAt),
    runAt,
    rule.periodMs,
  ).filter((f) => isFresh(f, maxFactAge) && factRule.matches(f.record, rule));
}
