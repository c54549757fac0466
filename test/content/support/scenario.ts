/**
 * A scenario's outcome: what each rule raises over a timeline of deliveries, evaluated by the rule
 * models at each rule's schedule.
 */
import { eventTime, FACT_RULES, type Delivery } from '../../../src/sentinel/alert-model.js';
import { loadRuleSettings, setting } from '../../../src/sentinel/rule-settings.js';
import type { TableRecord } from '../../../src/schema/records.js';
import { DAY } from './demo-timeline.js';
import {
  baselineAlerts,
  failedRunAlerts,
  perFactAlerts,
  ruleRuns,
  silentAlerts,
  type BaselineCandidate,
  type Schedule,
} from './rule-model.js';

export const rules = loadRuleSettings();
const rule = (name: string) => rules.get(name)!;

export interface Outcome {
  /** Per per-fact rule: alerts per RecordId. */
  readonly facts: Map<string, Map<string, number>>;
  readonly baseline: BaselineCandidate[];
  readonly failed: Array<{ tenant: string; runId: string }>;
  readonly silent: Array<{ tenant: string; at: number }>;
}

export interface EvaluateOptions {
  /** Minute past the hour the rules were started at (and keep); half past by default. */
  readonly startMinute?: number;
  /** How late Sentinel starts each run, ms. */
  readonly lateness?: () => number;
  /** The expected-tenants watchlist; every tenant of the deliveries by default. */
  readonly watchlist?: readonly string[];
  /** When the connector's schedule ends (the silent rule runs a day past it); the last arrival by default. */
  readonly scheduleEnds?: number;
}

/** Every rule over the deliveries, each at its own schedule, until two days after the last arrival. */
export function evaluate(deliveries: readonly Delivery[], options: EvaluateOptions = {}): Outcome {
  const first = Math.min(...deliveries.map((d) => d.ingestedAt));
  const last = Math.max(...deliveries.map((d) => d.ingestedAt));
  const schedule: Schedule = { minute: options.startMinute ?? 30, ...(options.lateness ? { lateness: options.lateness } : {}) };
  const runsOf = (name: string, to = last + 2 * DAY) => ruleRuns(rule(name), first, to, schedule);
  const tenants = [...new Set(deliveries.map((d) => d.record.AzureTenantId))];
  return {
    facts: perFactAlerts(rules, deliveries, schedule, last + 2 * DAY),
    baseline: baselineAlerts(rule('SecureScoreHistoryBaseline'), deliveries, runsOf('SecureScoreHistoryBaseline')).map(
      ({ at: _at, ...b }) => b,
    ),
    failed: failedRunAlerts(rule('SecureScoreConnectorRunFailed'), deliveries, runsOf('SecureScoreConnectorRunFailed')).map((f) => ({
      tenant: f.tenant,
      runId: f.runId,
    })),
    silent: silentAlerts(
      rule('SecureScoreConnectorSilent'),
      deliveries,
      runsOf('SecureScoreConnectorSilent', (options.scheduleEnds ?? last) + DAY),
      options.watchlist ?? tenants,
    ),
  };
}

/** The facts of the deliveries each per-fact rule's own filter matches (one per RecordId), by rule. */
export function matchingFacts(deliveries: readonly Delivery[]): Map<string, TableRecord[]> {
  const unique = [...new Map(deliveries.map((d) => [d.record.RecordId, d.record])).values()];
  return new Map(
    FACT_RULES.map((fr) => [fr.name, unique.filter((r) => r.RecordType === fr.recordType && fr.matches(r, rules.get(fr.name)!))]),
  );
}

/** When a record first reached the workspace. */
function firstIngested(deliveries: readonly Delivery[], recordId: string): number {
  return Math.min(...deliveries.filter((d) => d.record.RecordId === recordId).map((d) => d.ingestedAt));
}

/** Young enough when it first arrived to alert on its own. */
export function freshOnArrival(deliveries: readonly Delivery[], fact: TableRecord): boolean {
  return (
    firstIngested(deliveries, fact.RecordId) - eventTime(fact) <=
    setting<number>(rules.get('SecureScoreRiskAccepted')!, 'durations', 'maxFactAge')
  );
}

/** The per-fact alerts of an outcome that differ from `expected` (1 = once, 0 = never), as `rule tenant fact: got n`. */
export function unexpectedFactAlerts(
  outcome: Outcome,
  deliveries: readonly Delivery[],
  expected: (fact: TableRecord, rule: string) => number,
): string[] {
  const problems: string[] = [];
  for (const [name, facts] of matchingFacts(deliveries)) {
    const counts = outcome.facts.get(name)!;
    for (const fact of facts) {
      const got = counts.get(fact.RecordId) ?? 0;
      if (got !== expected(fact, name))
        problems.push(
          `${name} ${fact.AzureTenantId.slice(0, 8)} ${String(fact.ControlName ?? fact.SnapshotDate)}: ${got} alerts, not ${expected(fact, name)}`,
        );
    }
    for (const id of counts.keys())
      if (!facts.some((f) => f.RecordId === id)) problems.push(`${name}: alerted on ${id}, which it does not match`);
  }
  return problems;
}
