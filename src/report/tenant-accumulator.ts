import { type InputRecord, type InputRecordOf, isRecordOf, numberOf, textOf, timeOf } from './input-record.js';
import { LatestByKey } from './latest-by-key.js';
import type {
  AcceptedControl,
  AcceptedSource,
  CategoryRow,
  ControlAppearance,
  ControlDrop,
  ControlRef,
  DailyPoint,
  StateChange,
  TenantReport,
} from './model.js';

/** The portal's category order; others follow alphabetically. */
const CATEGORY_ORDER = ['Identity', 'Data', 'Device', 'Apps', 'Infrastructure'];
const UNCATEGORIZED = 'Uncategorized';

/** A control's score on one snapshot, as far as the category breakdown needs it. */
interface ControlSample {
  readonly at: number;
  readonly score: number;
  readonly maxScore: number | null;
  readonly category: string | null;
}

/** A state as ControlState or ControlStateUpdate records tell it. */
interface StateView extends Omit<AcceptedControl, 'title' | 'category'> {
  readonly state: string | null;
}

const negate = (n: number) => -n;

/**
 * Everything kept about one tenant while records stream past. Per-day control rows are folded
 * into per-control first/last samples (bounded by the number of controls); only the rows the
 * report lists one by one (score drops, new and removed controls, state changes) are kept, keyed by
 * RecordId so a re-sent record counts once.
 */
export class TenantAccumulator {
  private displayName: { name: string; generated: number } | undefined;
  private readonly daily = new LatestByKey<DailyPoint>();
  private readonly firstSamples = new LatestByKey<ControlSample>();
  private readonly lastSamples = new LatestByKey<ControlSample>();
  private firstControlAt = Number.POSITIVE_INFINITY;
  private lastControlAt = Number.NEGATIVE_INFINITY;
  private readonly profiles = new Map<string, { title: string | null; category: string | null }>();
  private readonly drops = new LatestByKey<Omit<ControlDrop, 'title' | 'category'>>();
  private readonly appearances = new LatestByKey<Omit<ControlAppearance, 'title' | 'category'>>();
  private readonly updates = new LatestByKey<Omit<StateChange, 'title' | 'category'>>();
  private readonly latestUpdate = new LatestByKey<StateView>();
  private readonly latestState = new LatestByKey<StateView>();

  constructor(readonly tenantId: string) {}

  /** Takes one record of this tenant. Returns false for a RecordType the report does not use. */
  add(record: InputRecord): boolean {
    this.noteDisplayName(record);
    this.noteProfile(record);
    if (isRecordOf(record, 'DailyScore')) this.addDaily(record);
    else if (isRecordOf(record, 'ControlScore')) this.addControlScore(record);
    else if (isRecordOf(record, 'ControlStateUpdate')) this.addStateUpdate(record);
    else if (isRecordOf(record, 'ControlState')) this.addState(record);
    else return false;
    return true;
  }

  /** The tenant's display name if any record carried one, else its id. */
  get label(): string {
    return this.displayName?.name ?? this.tenantId;
  }

  private noteDisplayName(record: InputRecord): void {
    const name = textOf(record, 'TenantDisplayName');
    const generated = generatedOf(record);
    if (name && (!this.displayName || generated >= this.displayName.generated)) this.displayName = { name, generated };
  }

  private noteProfile(record: InputRecord): void {
    const name = textOf(record, 'ControlName');
    if (!name) return;
    const known = this.profiles.get(name);
    this.profiles.set(name, {
      title: textOf(record, 'ControlTitle') ?? known?.title ?? null,
      category: textOf(record, 'ControlCategory') ?? known?.category ?? null,
    });
  }

  private addDaily(record: InputRecordOf<'DailyScore'>): void {
    const date = textOf(record, 'SnapshotDate');
    if (!date) return;
    const point: DailyPoint = {
      date,
      score: numberOf(record, 'CurrentScore'),
      maxScore: numberOf(record, 'MaxScore'),
      percent: numberOf(record, 'ScorePercent'),
      change: numberOf(record, 'ScoreChange'),
    };
    this.daily.offer(record.RecordId, point, timeOf(record, 'SnapshotDate'), generatedOf(record));
  }

  private addControlScore(record: InputRecordOf<'ControlScore'>): void {
    const name = textOf(record, 'ControlName');
    const date = textOf(record, 'SnapshotDate');
    if (!name || !date) return;
    const at = timeOf(record, 'SnapshotDate');
    const generated = generatedOf(record);
    const score = numberOf(record, 'CurrentScore');
    const previous = numberOf(record, 'PreviousScore');
    const change = textOf(record, 'ChangeType');
    // A Removed row says the control is absent from this snapshot: it has no score to add up.
    if (score !== null && change !== 'Removed') {
      const sample: ControlSample = { at, score, maxScore: numberOf(record, 'MaxScore'), category: textOf(record, 'ControlCategory') };
      this.lastSamples.offer(name, sample, at, generated);
      // The first sample is the oldest: offer it with the time negated so "newest" means "oldest".
      this.firstSamples.offer(name, sample, negate(at), generated);
      this.firstControlAt = Math.min(this.firstControlAt, at);
      this.lastControlAt = Math.max(this.lastControlAt, at);
    }
    const id = record.RecordId;
    if (change === 'Decreased') {
      const pointsLost = negate(numberOf(record, 'ScoreChange') ?? (score ?? 0) - (previous ?? 0));
      if (pointsLost > 0)
        this.drops.offer(id, { controlName: name, date, cause: 'Decreased', previous, current: score, pointsLost }, at, generated);
    } else if (change === 'New' || change === 'Removed') {
      this.appearances.offer(id, { controlName: name, date, change, score: change === 'New' ? score : previous }, at, generated);
      // A control removed with points takes them out of the total: it is a cause of that day's drop.
      if (change === 'Removed' && previous !== null && previous > 0)
        this.drops.offer(id, { controlName: name, date, cause: 'Removed', previous, current: null, pointsLost: previous }, at, generated);
    }
  }

  private addState(record: InputRecordOf<'ControlState'>): void {
    const name = textOf(record, 'ControlName');
    if (name) this.latestState.offer(name, stateView(record, name), timeOf(record, 'SnapshotDate'), generatedOf(record));
  }

  private addStateUpdate(record: InputRecordOf<'ControlStateUpdate'>): void {
    const name = textOf(record, 'ControlName');
    if (!name) return;
    const at = timeOf(record, 'UpdatedDateTime');
    const generated = generatedOf(record);
    this.updates.offer(
      record.RecordId,
      {
        controlName: name,
        updatedAt: textOf(record, 'UpdatedDateTime'),
        state: textOf(record, 'State'),
        stateLabel: textOf(record, 'StateLabel'),
        previousState: textOf(record, 'PreviousState'),
        updatedBy: textOf(record, 'UpdatedBy'),
        comment: textOf(record, 'Comment'),
      },
      at,
      generated,
    );
    this.latestUpdate.offer(name, stateView(record, name), at, generated);
  }

  private ref<T extends { controlName: string }>(row: T): T & ControlRef {
    const profile = this.profiles.get(row.controlName);
    return { ...row, title: profile?.title ?? null, category: profile?.category ?? null };
  }

  private categories(): CategoryRow[] {
    const sums = new Map<string, { score: number; maxScore: number; firstScore: number | null }>();
    const sumFor = (category: string | null) => {
      const key = category ?? UNCATEGORIZED;
      let sum = sums.get(key);
      if (!sum) sums.set(key, (sum = { score: 0, maxScore: 0, firstScore: null }));
      return sum;
    };
    const compared = this.firstControlAt < this.lastControlAt;
    for (const s of this.lastSamples.values()) {
      if (s.at !== this.lastControlAt) continue;
      const sum = sumFor(s.category);
      sum.score += s.score;
      sum.maxScore += s.maxScore ?? 0;
    }
    if (compared) {
      for (const s of this.firstSamples.values()) {
        if (s.at !== this.firstControlAt) continue;
        const sum = sumFor(s.category);
        sum.firstScore = (sum.firstScore ?? 0) + s.score;
      }
    }
    return [...sums.entries()]
      .map(([category, s]) => {
        const firstScore = compared ? (s.firstScore ?? 0) : null;
        return {
          category,
          score: round2(s.score),
          maxScore: round2(s.maxScore),
          percent: s.maxScore > 0 ? round2((s.score / s.maxScore) * 100) : null,
          firstScore: firstScore === null ? null : round2(firstScore),
          change: firstScore === null ? null : round2(s.score - firstScore),
        };
      })
      .sort((a, b) => categoryRank(a.category) - categoryRank(b.category) || a.category.localeCompare(b.category));
  }

  private accepted(): { source: AcceptedSource; rows: AcceptedControl[] } {
    // ControlState (one per control per run) is the current truth; files from before it existed
    // only have the history, whose newest entry per control is the current state.
    const source: AcceptedSource = this.latestState.size > 0 ? 'ControlState' : this.latestUpdate.size > 0 ? 'ControlStateUpdate' : 'none';
    const views = source === 'ControlState' ? this.latestState.values() : this.latestUpdate.values();
    const rows = views
      .filter((v) => v.state === 'Ignored')
      .map(({ state: _state, ...v }) => this.ref(v))
      .sort((a, b) => byTimeDesc(a.updatedAt, b.updatedAt) || a.controlName.localeCompare(b.controlName));
    return { source, rows };
  }

  /** The tenant's part of the report. */
  finish(): TenantReport {
    const daily = this.daily.values().sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
    const categories = this.categories();
    const { source, rows } = this.accepted();
    const dayOf = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    const controlDrops = this.drops
      .values()
      .map((d) => this.ref(d))
      .sort((a, b) => byTimeDesc(a.date, b.date) || b.pointsLost - a.pointsLost);
    const sameDay = (a: string, b: string) => Date.parse(a) === Date.parse(b);
    return {
      tenantId: this.tenantId,
      label: this.label,
      daily,
      categoriesDate: categories.length > 0 ? dayOf(this.lastControlAt) : null,
      categoriesFirstDate: categories.length > 0 && this.firstControlAt < this.lastControlAt ? dayOf(this.firstControlAt) : null,
      categories,
      scoreDrops: daily
        .filter((d) => d.change !== null && d.change < 0)
        .map((d) => ({
          date: d.date,
          previous: d.score === null ? null : round2(d.score - (d.change ?? 0)),
          current: d.score,
          pointsLost: round2(-(d.change ?? 0)),
          causes: controlDrops.filter((c) => sameDay(c.date, d.date)),
        }))
        .reverse(),
      controlDrops,
      accepted: rows,
      acceptedSource: source,
      stateChanges: this.updates
        .values()
        .map((u) => this.ref(u))
        .sort((a, b) => byTimeDesc(a.updatedAt, b.updatedAt)),
      appearances: this.appearances
        .values()
        .map((a) => this.ref(a))
        .sort((a, b) => byTimeDesc(a.date, b.date) || a.controlName.localeCompare(b.controlName)),
    };
  }

  /** How many entries this tenant holds: grows with controls and listed changes, not with days × controls. */
  get heldEntries(): number {
    return (
      this.daily.size +
      this.firstSamples.size +
      this.lastSamples.size +
      this.profiles.size +
      this.drops.size +
      this.appearances.size +
      this.updates.size +
      this.latestUpdate.size +
      this.latestState.size
    );
  }
}

/** A state as either record tells it: from the columns both carry. */
function stateView(record: InputRecordOf<'ControlState'> | InputRecordOf<'ControlStateUpdate'>, controlName: string): StateView {
  return {
    controlName,
    state: textOf(record, 'State'),
    updatedBy: textOf(record, 'UpdatedBy'),
    updatedAt: textOf(record, 'UpdatedDateTime'),
    comment: textOf(record, 'Comment'),
    assignedTo: textOf(record, 'AssignedTo'),
    maxScore: numberOf(record, 'MaxScore'),
  };
}

function generatedOf(record: InputRecord): number {
  return timeOf(record, 'TimeGenerated');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function categoryRank(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i === -1 ? CATEGORY_ORDER.length : i;
}

function byTimeDesc(a: string | null, b: string | null): number {
  return (Date.parse(b ?? '') || 0) - (Date.parse(a ?? '') || 0);
}
