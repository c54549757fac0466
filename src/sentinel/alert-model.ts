import type { TableRecord } from '../schema/records.js';
import { setting, type RuleSettings } from './rule-settings.js';

/**
 * The predicates the analytics rules rely on, in TypeScript: the window of first ingestion a run reads,
 * first ingestion itself, the age of a fact when it arrived (by its event time, never TimeGenerated), the
 * alert key a rule leaves out on its later runs, and each per-fact rule's own filter with the thresholds
 * read from the rule. The demo digest and the scenario tests use them, so "what would alert" is derived
 * from the rules, not from a separate list; test/content ties each to the rule's text.
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
 * A whole window of first ingestion ending at least `delay` before the run (bin): what a run reads when
 * it is started at a known minute, as the demo digest places it.
 */
export function alignedWindow(runAt: number, windowMs: number, delayMs: number): Span {
  const end = Math.floor((runAt - delayMs) / windowMs) * windowMs;
  return { start: end - windowMs, end };
}

/**
 * The window of first ingestion a rule's run reads (its `let windowEnd = now() - ingestionDelay;` and
 * `let windowStart = windowEnd - window - 2 * maxLateness;`): it reaches back to where the previous run,
 * started up to maxLateness late or early on its minute, may have stopped, so consecutive windows overlap
 * and leave no gap whatever minute the rule runs at. What the overlap reads again the rule has already
 * alerted on ({@link AlertLog}).
 */
export function ruleWindow(rule: RuleSettings, runAt: number): Span {
  const end = runAt - setting<number>(rule, 'durations', 'ingestionDelay');
  return { start: end - setting<number>(rule, 'durations', 'window') - 2 * setting<number>(rule, 'durations', 'maxLateness'), end };
}

const parsedTimes = new WeakMap<TableRecord, number>();
/** A record's TimeGenerated, epoch ms (parsed once). */
function timeGenerated(record: TableRecord): number {
  let time = parsedTimes.get(record);
  if (time === undefined) {
    time = Date.parse(record.TimeGenerated);
    parsedTimes.set(record, time);
  }
  return time;
}

/** Deliveries in arrival order, and each record's copies in arrival order: built once per array. */
interface ArrivalIndex {
  readonly sorted: readonly Delivery[];
  readonly copies: ReadonlyMap<string, readonly Delivery[]>;
}
const indexes = new WeakMap<readonly Delivery[], ArrivalIndex>();
function arrivalIndex(deliveries: readonly Delivery[]): ArrivalIndex {
  let index = indexes.get(deliveries);
  if (!index) {
    const sorted = deliveries
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.ingestedAt - b.d.ingestedAt || a.i - b.i)
      .map((x) => x.d);
    const copies = new Map<string, Delivery[]>();
    for (const d of sorted) {
      const list = copies.get(d.record.RecordId);
      if (list) list.push(d);
      else copies.set(d.record.RecordId, [d]);
    }
    index = { sorted, copies };
    indexes.set(deliveries, index);
  }
  return index;
}

/**
 * What a parser called with a window returns at `runAt`: records whose first arrival within the
 * rule's query period falls in the window, each as its copy with the newest TimeGenerated. Sentinel
 * limits a scheduled query to the records whose TimeGenerated is within its period, so a copy that
 * arrived long ago (or whose TimeGenerated the workspace kept old) is invisible, and a replayed copy
 * (TimeGenerated set to its arrival) is seen.
 */
export function firstIngestedIn(deliveries: readonly Delivery[], window: Span, runAt: number, periodMs: number): IngestedFact[] {
  const { sorted, copies } = arrivalIndex(deliveries);
  const visible = (d: Delivery) => d.ingestedAt <= runAt && timeGenerated(d.record) >= runAt - periodMs;
  let lo = 0;
  for (let hi = sorted.length; lo < hi;) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.ingestedAt < window.start) lo = mid + 1;
    else hi = mid;
  }
  const found: IngestedFact[] = [];
  const seen = new Set<string>();
  for (let i = lo; i < sorted.length && sorted[i]!.ingestedAt < window.end && sorted[i]!.ingestedAt <= runAt; i++) {
    const id = sorted[i]!.record.RecordId;
    if (seen.has(id)) continue;
    seen.add(id);
    const own = copies.get(id)!.filter(visible);
    const first = own[0];
    if (!first || first.ingestedAt < window.start || first.ingestedAt >= window.end) continue;
    const last = own.reduce((a, b) => (timeGenerated(b.record) >= timeGenerated(a.record) ? b : a));
    found.push({ record: last.record, firstIngested: first.ingestedAt });
  }
  return found;
}

/**
 * The column that holds each record type's event time, as the parsers' EventTime: a snapshot's date, a
 * state change's time, a run's start (RunStartTime; TimeGenerated for records written before it existed).
 */
export const EVENT_TIME_COLUMNS = {
  DailyScore: 'SnapshotDate',
  ControlScore: 'SnapshotDate',
  ControlState: 'SnapshotDate',
  ControlStateUpdate: 'UpdatedDateTime',
  ConnectorRun: 'RunStartTime',
} as const;

/** When the fact happened: the snapshot date, the state change time, or (for runs) the run's start, never TimeGenerated when it has one. */
export function eventTime(record: TableRecord): number {
  const column = EVENT_TIME_COLUMNS[record.RecordType];
  return Date.parse(String(record[column] ?? record.TimeGenerated));
}

/** Young enough when it first arrived to alert on its own (`FirstIngested - EventTime <= maxFactAge`). */
export function isFresh(fact: IngestedFact, maxFactAgeMs: number): boolean {
  return fact.firstIngested - eventTime(fact.record) <= maxFactAgeMs;
}

/**
 * An alert's AlertKey custom detail, as the rules write it (`strcat(ruleKey, ":", RecordId)`, the rule's
 * file name as its key): the fact it is about, for the rule's later runs to leave out.
 */
export function alertKey(ruleName: string, recordId: string): string {
  return `${ruleName}:${recordId}`;
}

/**
 * The alerts a rule raised, as SecurityAlert holds them for MSSecureScoreAlertKeys(ruleKey, since): each
 * AlertKey with the time it was raised, queryable `visibleAfterMs` later.
 */
export class AlertLog {
  private readonly raised = new Map<string, number>();

  constructor(private readonly visibleAfterMs: number) {}

  /** Whether a run at `runAt` finds `key` among the alerts raised since `since`. */
  alreadyRaised(key: string, since: number, runAt: number): boolean {
    const at = this.raised.get(key);
    return at !== undefined && at >= since && at + this.visibleAfterMs <= runAt;
  }

  raise(key: string, at: number): void {
    this.raised.set(key, at);
  }
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The parser each record type is read through. */
export const PARSERS = {
  DailyScore: 'MSSecureScoreDaily',
  ControlScore: 'MSSecureScoreControls',
  ControlStateUpdate: 'MSSecureScoreStateChanges',
  ControlState: 'MSSecureScoreControlState',
  ConnectorRun: 'MSSecureScoreConnectorRuns',
} as const;

/** A rule that raises one alert per fact, with the record type it reads and its own filter. */
export interface FactRule {
  /** File name in kql/analytics-rules, and the rule's key (`let ruleKey`). */
  readonly name: string;
  readonly recordType: keyof typeof PARSERS;
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

const byType = new WeakMap<readonly Delivery[], Map<string, Delivery[]>>();
/** The deliveries of one record type (the same array for the same input, so its arrival index is kept). */
function ofType(deliveries: readonly Delivery[], type: string): Delivery[] {
  let types = byType.get(deliveries);
  if (!types) {
    types = new Map();
    byType.set(deliveries, types);
  }
  let typed = types.get(type);
  if (!typed) {
    typed = deliveries.filter((d) => d.record.RecordType === type);
    types.set(type, typed);
  }
  return typed;
}

/**
 * The facts a per-fact rule finds in one run at `runAt`, given every delivery so far: first ingested in
 * its window, young enough then, matching its filter (before it leaves out what it already alerted on).
 */
export function factAlerts(factRule: FactRule, rule: RuleSettings, deliveries: readonly Delivery[], runAt: number): IngestedFact[] {
  const maxFactAge = setting<number>(rule, 'durations', 'maxFactAge');
  return firstIngestedIn(ofType(deliveries, factRule.recordType), ruleWindow(rule, runAt), runAt, rule.periodMs).filter(
    (f) => isFresh(f, maxFactAge) && factRule.matches(f.record, rule),
  );
}
