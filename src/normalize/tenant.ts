import type { TableRecord } from '../schema/records.js';
import { controlEntries, normalizeControlScores, type ControlEntry } from './control-score.js';
import { normalizeControlState } from './control-state.js';
import { normalizeStateUpdates } from './control-state-update.js';
import { normalizeDailyScore } from './daily-score.js';
import type { RawControlProfile, RawSecureScore } from './graph-types.js';
import { ProfileIndex } from './profiles.js';
import type { NormalizeContext } from './record.js';
import { dateSnapshot, type DatedSnapshot } from './snapshots.js';
import { Warnings } from './warnings.js';

/** Which facts of a tenant's Graph data to turn into records. */
export interface NormalizeSelection {
  /** How many of the newest snapshots to emit; older ones only serve as "previous". */
  readonly snapshotCount: number;
  /** Whether the snapshot of a day (YYYY-MM-DD) was already delivered. */
  readonly isDelivered?: ((day: string) => boolean) | undefined;
  /** RecordIds of state updates already delivered (history can gain entries dated in the past). */
  readonly deliveredStateUpdates?: ReadonlySet<string> | undefined;
  /**
   * After a first run, the oldest snapshot read is only the comparison base of the days after it: it is
   * not emitted even when it is not delivered (a day before the backfill), because compared with
   * nothing every control would look New and the "controls added" rule would fire for all of them.
   */
  readonly incremental?: boolean | undefined;
}

/** Records that are delivered together: one snapshot's (day set), or the state records. */
export interface RecordBatch {
  readonly records: TableRecord[];
  /** The day of the snapshot whose DailyScore and ControlScores these are; the checkpoint records it once all were accepted. */
  readonly day?: string | undefined;
}

interface Pending {
  readonly snapshot: DatedSnapshot;
  readonly entries: Map<string, ControlEntry>;
  /** Warnings found reading it; they count only if it is emitted (a comparison-only snapshot is not ingested). */
  readonly warnings: Warnings;
  readonly index: number;
}

/**
 * Turns one tenant's Graph data into records in bounded pieces: snapshots arrive in chunks, newest
 * first as Graph sends them, and each is emitted (DailyScore and ControlScores, compared with the
 * next older one) as soon as that older one is known; at most two snapshots are held at a time.
 * Then the state updates not yet delivered, and every control's current state.
 */
export class TenantNormalizer {
  private readonly profiles: ProfileIndex;
  private pending: Pending | undefined;
  private newest: Pending | undefined;
  private accepted = 0;
  private read = 0;
  private readonly seenIds = new Set<string>();
  private readonly seenDays = new Set<string>();

  constructor(
    profiles: readonly RawControlProfile[],
    private readonly selection: NormalizeSelection,
    private readonly ctx: NormalizeContext,
  ) {
    this.profiles = new ProfileIndex(profiles, ctx.warnings);
  }

  /**
   * Takes the next chunk of snapshots and yields the batches now complete, one snapshot's at a time:
   * a snapshot's records are made only once the caller has taken the previous batch, so a whole chunk
   * never exists as records at once.
   */
  *push(chunk: readonly RawSecureScore[]): Generator<RecordBatch> {
    // Duplicates keep the one Graph sent first; then newest first, as the comparison needs.
    const dated: DatedSnapshot[] = [];
    chunk.forEach((raw, i) => {
      const snapshot = dateSnapshot(raw, `secureScores[${this.read + i}]`, this.ctx.now, this.ctx.warnings);
      if (!snapshot) return;
      const day = snapshot.date.slice(0, 10);
      if (this.seenIds.has(snapshot.id) || this.seenDays.has(day)) {
        this.ctx.warnings.add(
          'duplicate-snapshot',
          `secureScores[${this.read + i}] repeats snapshot ${snapshot.id} (${day}); kept the first`,
        );
        return;
      }
      this.seenIds.add(snapshot.id);
      this.seenDays.add(day);
      dated.push(snapshot);
    });
    this.read += chunk.length;
    for (const snapshot of dated.sort((a, b) => b.date.localeCompare(a.date))) {
      if (this.pending && snapshot.date >= this.pending.snapshot.date) {
        const day = snapshot.date.slice(0, 10);
        this.ctx.warnings.add('snapshot-out-of-order', `secureScore ${snapshot.id} (${day}) came after an older snapshot; not ingested`);
        continue;
      }
      const warnings = new Warnings();
      const next: Pending = { snapshot, entries: controlEntries(snapshot, { ...this.ctx, warnings }), warnings, index: this.accepted++ };
      const current = this.pending;
      this.pending = next;
      this.newest ??= next;
      if (current) yield* this.emit(current, next);
    }
  }

  /** createdDateTime of the newest snapshot read (emitted or not), once one was. */
  get newestSnapshotDate(): string | undefined {
    return this.newest?.snapshot.date;
  }

  /** The last snapshot (compared with nothing older), the state updates and the current states. */
  finish(): RecordBatch[] {
    const batches: RecordBatch[] = [];
    if (this.pending && !this.selection.incremental) batches.push(...this.emit(this.pending, undefined));
    this.pending = undefined;
    const updates: TableRecord[] = [];
    const states: TableRecord[] = [];
    for (const profile of this.profiles.all()) {
      const history = normalizeStateUpdates(profile, this.ctx);
      for (const update of history) if (!this.selection.deliveredStateUpdates?.has(update.RecordId)) updates.push(update);
      states.push(normalizeControlState(profile, history[history.length - 1], this.newest, this.ctx));
    }
    if (updates.length > 0) batches.push({ records: updates });
    if (states.length > 0) batches.push({ records: states });
    return batches;
  }

  private emit(current: Pending, previous: Pending | undefined): RecordBatch[] {
    const day = current.snapshot.date.slice(0, 10);
    if (current.index >= this.selection.snapshotCount || this.selection.isDelivered?.(day)) return [];
    this.ctx.warnings.absorb(current.warnings);
    const records: TableRecord[] = [
      normalizeDailyScore(current.snapshot, previous?.snapshot, this.ctx),
      ...normalizeControlScores(current.snapshot, current.entries, previous?.entries, this.profiles, this.ctx),
    ];
    return [{ records, day }];
  }
}
