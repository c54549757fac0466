import type { TableRecord } from '../schema/records.js';
import { alignedWindow, eventTime, FACT_RULES, factAlerts, type Delivery } from '../sentinel/alert-model.js';
import { loadRuleSettings, setting, type RuleSettings } from '../sentinel/rule-settings.js';

const DAY = 86_400_000;
const n = (v: unknown) => (typeof v === 'number' ? v : 0);
const day = (v: unknown) => String(v ?? '').slice(0, 10);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const byDate = (a: TableRecord, b: TableRecord) => eventTime(a) - eventTime(b);

/** One line per fact, in the words a SOC analyst would use. */
function describeFact(r: TableRecord, currentState: ReadonlyMap<string, string>): string {
  if (r.RecordType === 'DailyScore')
    return `score regression on ${day(r.SnapshotDate)}: ${n(r.PreviousScore)} -> ${n(r.CurrentScore)} (${n(r.ScoreChange)})`;
  if (r.ChangeType === 'Decreased')
    return `control ${String(r.ControlName)} dropped ${n(r.PreviousScore)} -> ${n(r.CurrentScore)} on ${day(r.SnapshotDate)}`;
  if (r.ChangeType === 'New' || r.ChangeType === 'Removed')
    return `control ${String(r.ControlName)} ${r.ChangeType === 'New' ? 'added' : 'removed'} on ${day(r.SnapshotDate)}`;
  const now = currentState.get(String(r.ControlName));
  return (
    `${String(r.ControlName)} set to ${String(r.State)} ("${String(r.StateLabel)}") by ${String(r.UpdatedBy)} on ${day(r.UpdatedDateTime)}: ` +
    `${String(r.Comment ?? '')}${now ? ` [current state: ${now}]` : ''}`
  );
}

/**
 * Each control's current state: the ControlState rows of the run when it has them, else the latest
 * state change of each control (what those rows hold).
 */
function currentStates(records: readonly TableRecord[]): Map<string, TableRecord> {
  const rows = records.filter((r) => String(r.RecordType) === 'ControlState');
  const source = rows.length > 0 ? rows : records.filter((r) => r.RecordType === 'ControlStateUpdate').sort(byDate);
  return new Map(source.map((r) => [String(r.ControlName), r]));
}

/** The first run's baseline alert, as the baseline rule builds it from the run's records. */
function baselineLine(rule: RuleSettings, daily: readonly TableRecord[], current: ReadonlyMap<string, TableRecord>): string {
  const minPointsLost = setting<number>(rule, 'numbers', 'minPointsLost');
  const regressions = daily.filter((r) => n(r.ScoreChange) <= -minPointsLost);
  const accepted = [...current.values()].filter((r) => r.State === 'Ignored');
  const last = daily[daily.length - 1]!;
  return (
    `  [${rule.displayName}] 1 informational alert: ${daily.length} daily snapshots from ${day(daily[0]!.SnapshotDate)} to ` +
    `${day(last.SnapshotDate)} (score now ${n(last.CurrentScore)} of ${n(last.MaxScore)}); ${regressions.length} regressions losing ` +
    `${regressions.reduce((s, r) => s - n(r.ScoreChange), 0)} points; ${accepted.length} controls risk accepted now ` +
    `(${accepted.reduce((s, r) => s + n(r.MaxScore), 0)} points at stake)${accepted.length > 0 ? `: ${accepted.map((r) => r.ControlName).join(', ')}` : ''}`
  );
}

/** The first run after a delivery at `ingestedAt` that reads it: the end of its window plus the delay, at half past. */
function runAfter(rule: RuleSettings, ingestedAt: number): number {
  const windowMs = setting<number>(rule, 'durations', 'window');
  const delayMs = setting<number>(rule, 'durations', 'ingestionDelay');
  let runAt = Math.ceil(ingestedAt / windowMs) * windowMs + windowMs / 2;
  while (alignedWindow(runAt, windowMs, delayMs).end <= ingestedAt) runAt += windowMs;
  return runAt;
}

/**
 * What the demo found and what the Sentinel rules would raise from it, derived from the rules' own
 * thresholds and windows (kql/analytics-rules): a first run (backfill) raises one baseline alert and
 * no alert for history older than maxFactAge; had the connector run daily, each listed fact would
 * have raised its own alert.
 */
export function describeDemo(records: readonly TableRecord[], now: Date): string[] {
  const rules = loadRuleSettings();
  const daily = records.filter((r) => r.RecordType === 'DailyScore').sort(byDate);
  const current = currentStates(records);
  const currentLabels = new Map([...current].map(([name, r]) => [name, String(r.StateLabel ?? r.State)]));
  const lines = ['Demo tenant (bundled sample data, no Azure involved):'];
  const first = daily[0];
  const last = daily[daily.length - 1];
  if (!first || !last) return [...lines, '  no daily scores in this run'];
  lines.push(
    `  ${daily.length} daily scores from ${day(first.SnapshotDate)} to ${day(last.SnapshotDate)}: ${n(first.CurrentScore)} -> ${n(last.CurrentScore)} of ${n(last.MaxScore)} (${n(last.ScorePercent)}%)`,
  );

  const baseline = rules.get('SecureScoreHistoryBaseline')!;
  const maxFactAge = setting<number>(baseline, 'durations', 'maxFactAge');
  const newest = eventTime(last);
  // A real first run's newest snapshot is from today; the sample data is fixed in time, so the first
  // run is placed the day after it when it is older than maxFactAge (the baseline rule would take a
  // run of stale data for a replay).
  const firstRunAt = now.getTime() - newest <= maxFactAge && now.getTime() >= newest ? now.getTime() : newest + DAY;
  lines.push(
    `As a first run (a backfill ingested on ${isoDay(firstRunAt)}), the rules in kql/analytics-rules raise, by their own thresholds and windows:`,
  );
  lines.push(baselineLine(baseline, daily, current));
  const backfill: Delivery[] = records.map((record) => ({ record, ingestedAt: firstRunAt }));
  const freshAlerts = FACT_RULES.flatMap((fr) =>
    factAlerts(fr, rules.get(fr.name)!, backfill, runAfter(rules.get(fr.name)!, firstRunAt)).map(
      (f) => `  [${rules.get(fr.name)!.displayName}] ${describeFact(f.record, currentLabels)}`,
    ),
  );
  lines.push(
    ...(freshAlerts.length > 0
      ? freshAlerts
      : [`  no alert of its own for any fact: all are older than ${maxFactAge / DAY}d when they arrive (the baseline summarises them)`]),
  );

  lines.push('Had the connector run daily through this period (each fact ingested the day after it happened), one alert per fact:');
  const alerted = new Set<string>();
  for (const fr of FACT_RULES) {
    const rule = rules.get(fr.name)!;
    const facts = records
      .filter((r) => r.RecordType === fr.recordType)
      .sort(byDate)
      .flatMap((record) => {
        const ingestedAt = eventTime(record) + DAY;
        return factAlerts(fr, rule, [{ record, ingestedAt }], runAfter(rule, ingestedAt));
      });
    for (const f of facts) {
      alerted.add(f.record.RecordId);
      lines.push(`  [${rule.displayName}] ${describeFact(f.record, currentLabels)}`);
    }
  }
  const recertify = rules.get('SecureScoreAcceptanceRecertification')!;
  const recertifyAfter = setting<number>(recertify, 'durations', 'recertifyAfter');
  for (const r of [...current.values()].filter((c) => c.State === 'Ignored' && c.UpdatedDateTime)) {
    const accepted = Date.parse(String(r.UpdatedDateTime));
    const periods = Math.max(1, Math.ceil((now.getTime() - accepted) / recertifyAfter));
    lines.push(
      `  [${recertify.displayName}] ${String(r.ControlName)} (accepted ${day(r.UpdatedDateTime)}) due on ${isoDay(accepted + periods * recertifyAfter)}`,
    );
  }
  const silent = records.filter((r) => r.RecordType === 'ControlStateUpdate' && !alerted.has(r.RecordId));
  for (const s of silent) lines.push(`  no rule alerts on: ${describeFact(s, currentLabels)}`);
  return lines;
}
