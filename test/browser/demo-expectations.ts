/**
 * What the report must show, computed straight from the NDJSON with none of the report's code:
 * the browser test compares the page with this. Plain and unbounded (it holds every record), which
 * is fine for the demo's two thousand lines.
 */

type Row = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : null);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
const day = (v: unknown) => String(v).slice(0, 10);
const ms = (v: unknown) => Date.parse(String(v)) || 0;

export interface DemoExpectations {
  readonly tenantId: string;
  readonly daily: Array<{ date: string; score: number; maxScore: number; percent: number; change: number | null }>;
  readonly drops: Array<{ date: string; before: number; after: number; lost: number }>;
  /** A control whose score went down, or that was removed with points (after: 'removed'). */
  readonly controlDrops: Array<{ date: string; control: string; before: number; after: number | 'removed'; lost: number }>;
  readonly categories: Map<string, { score: number; maxScore: number }>;
  readonly accepted: Array<{ control: string; by: string; comment: string }>;
  readonly appearances: Array<{ date: string; change: 'Added' | 'Removed'; control: string }>;
  readonly runs: Array<{ status: string; counts: Record<string, number> }>;
}

/** Expectations for the one tenant of the demo. */
export function demoExpectations(ndjson: string): DemoExpectations {
  const byId = new Map<string, Row>();
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Row;
    byId.set(String(row.RecordId), row);
  }
  const rows = [...byId.values()];
  const of = (type: string) => rows.filter((r) => r.RecordType === type);
  const tenants = new Set(rows.map((r) => r.AzureTenantId));
  if (tenants.size !== 1) throw new Error(`the demo has one tenant, this NDJSON has ${tenants.size}`);

  const daily = of('DailyScore')
    .sort((a, b) => ms(a.SnapshotDate) - ms(b.SnapshotDate))
    .map((r) => ({
      date: day(r.SnapshotDate),
      score: num(r.CurrentScore)!,
      maxScore: num(r.MaxScore)!,
      percent: num(r.ScorePercent)!,
      change: num(r.ScoreChange),
    }));
  const controls = of('ControlScore');
  const lastDay = Math.max(...controls.filter((r) => num(r.CurrentScore) !== null).map((r) => ms(r.SnapshotDate)));
  const categories = new Map<string, { score: number; maxScore: number }>();
  for (const r of controls.filter((c) => ms(c.SnapshotDate) === lastDay && num(c.CurrentScore) !== null)) {
    const sum = categories.get(String(r.ControlCategory)) ?? { score: 0, maxScore: 0 };
    categories.set(String(r.ControlCategory), { score: sum.score + num(r.CurrentScore)!, maxScore: sum.maxScore + (num(r.MaxScore) ?? 0) });
  }

  // Currently risk accepted: the newest ControlState per control if there are any, else the newest state change.
  const states = of('ControlState');
  const source = states.length > 0 ? states : of('ControlStateUpdate');
  const timeOf = (r: Row) => (states.length > 0 ? [ms(r.SnapshotDate), ms(r.TimeGenerated)] : [ms(r.UpdatedDateTime), ms(r.TimeGenerated)]);
  const newest = new Map<string, Row>();
  for (const r of source) {
    const held = newest.get(String(r.ControlName));
    const [a, b] = timeOf(r);
    const [c, d] = held ? timeOf(held) : [-Infinity, -Infinity];
    if (a! > c! || (a === c && b! >= d!)) newest.set(String(r.ControlName), r);
  }

  return {
    tenantId: String([...tenants][0]),
    daily,
    drops: daily
      .filter((d) => d.change !== null && d.change < 0)
      .map((d) => ({ date: d.date, before: d.score - d.change!, after: d.score, lost: -d.change! }))
      .reverse(),
    controlDrops: controls
      .filter((r) => r.ChangeType === 'Decreased' || (r.ChangeType === 'Removed' && (num(r.PreviousScore) ?? 0) > 0))
      .map((r) => {
        const removed = r.ChangeType === 'Removed';
        return {
          date: day(r.SnapshotDate),
          control: String(r.ControlName),
          before: num(r.PreviousScore)!,
          after: removed ? ('removed' as const) : num(r.CurrentScore)!,
          lost: removed ? num(r.PreviousScore)! : -num(r.ScoreChange)!,
        };
      })
      .sort((a, b) => b.date.localeCompare(a.date) || b.lost - a.lost),
    categories,
    accepted: [...newest.values()]
      .filter((r) => r.State === 'Ignored')
      .map((r) => ({ control: String(r.ControlName), by: str(r.UpdatedBy) ?? '–', comment: str(r.Comment) ?? '–' })),
    appearances: controls
      .filter((r) => r.ChangeType === 'New' || r.ChangeType === 'Removed')
      .sort((a, b) => ms(b.SnapshotDate) - ms(a.SnapshotDate))
      .map((r) => ({ date: day(r.SnapshotDate), change: r.ChangeType === 'New' ? 'Added' : 'Removed', control: String(r.ControlName) })),
    runs: of('ConnectorRun').map((r) => ({ status: String(r.RunStatus), counts: (r.RecordCounts ?? {}) as Record<string, number> })),
  };
}
