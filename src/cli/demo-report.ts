import type { TableRecord } from '../schema/records.js';

const n = (v: unknown) => (typeof v === 'number' ? v : 0);

/** What the demo found, in the words a SOC analyst would use: the facts the Sentinel rules alert on. */
export function describeDemo(records: readonly TableRecord[]): string[] {
  const daily = records
    .filter((r) => r.RecordType === 'DailyScore')
    .sort((a, b) => String(a.SnapshotDate).localeCompare(String(b.SnapshotDate)));
  const controls = records.filter((r) => r.RecordType === 'ControlScore');
  const states = records.filter((r) => r.RecordType === 'ControlStateUpdate');
  const lines = ['Demo tenant (bundled sample data, no Azure involved):'];
  const first = daily[0];
  const last = daily[daily.length - 1];
  if (first && last) {
    lines.push(
      `  ${daily.length} daily scores from ${String(first.SnapshotDate).slice(0, 10)} to ${String(last.SnapshotDate).slice(0, 10)}: ${n(first.CurrentScore)} -> ${n(last.CurrentScore)} of ${n(last.MaxScore)} (${n(last.ScorePercent)}%)`,
    );
  }
  for (const d of daily.filter((r) => n(r.ScoreChange) < 0)) {
    lines.push(
      `  score regression on ${String(d.SnapshotDate).slice(0, 10)}: ${n(d.PreviousScore)} -> ${n(d.CurrentScore)} (${n(d.ScoreChange)})`,
    );
  }
  for (const c of controls.filter((r) => r.ChangeType === 'Decreased')) {
    lines.push(
      `  control ${String(c.ControlName)} dropped ${n(c.PreviousScore)} -> ${n(c.CurrentScore)} on ${String(c.SnapshotDate).slice(0, 10)}`,
    );
  }
  for (const c of controls.filter((r) => r.ChangeType === 'New' || r.ChangeType === 'Removed')) {
    lines.push(
      `  control ${String(c.ControlName)} ${c.ChangeType === 'New' ? 'added' : 'removed'} on ${String(c.SnapshotDate).slice(0, 10)}`,
    );
  }
  for (const s of states) {
    lines.push(
      `  ${String(s.ControlName)} set to ${String(s.State)} ("${String(s.StateLabel)}") by ${String(s.UpdatedBy)} on ${String(s.UpdatedDateTime).slice(0, 10)}: ${String(s.Comment ?? '')}`,
    );
  }
  lines.push('  Each line above is a fact a rule in kql/analytics-rules turns into a Sentinel incident.');
  return lines;
}
