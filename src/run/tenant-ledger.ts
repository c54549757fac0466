import type { RecordBatch } from '../normalize/tenant.js';
import type { TableRecord } from '../schema/records.js';
import { RECORD_TYPES } from '../schema/columns.js';
import type { DeliveredFacts } from '../state/checkpoint.js';

/** Records per RecordType, every type at 0. */
export function zeroCounts(): Record<string, number> {
  return Object.fromEntries(RECORD_TYPES.map((t) => [t, 0]));
}

/**
 * What one tenant's run wrote, and which of it is not settled: the checkpoint takes what was
 * accepted, and what was refused for good and kept; the rest is sent again by the next run.
 */
export class TenantLedger {
  readonly counts = zeroCounts();
  produced = 0;
  accepted = 0;
  /** Day → the snapshot's createdDateTime, for each day whose records were written. */
  private readonly writtenDays = new Map<string, string>();
  private readonly stateUpdateIds: string[] = [];
  private readonly unsettledDays = new Set<string>();
  private readonly unsettledIds = new Set<string>();

  /** Notes a batch handed to the upload. */
  wrote(batch: RecordBatch): void {
    for (const r of batch.records) {
      this.counts[r.RecordType] = (this.counts[r.RecordType] ?? 0) + 1;
      if (r.RecordType === 'ControlStateUpdate') this.stateUpdateIds.push(r.RecordId);
    }
    this.produced += batch.records.length;
    if (batch.day) this.writtenDays.set(batch.day, String(batch.records[0]?.SnapshotDate ?? ''));
  }

  /** Notes refused records that are not settled: their day, or their state update, is not delivered. */
  unsettled(records: readonly TableRecord[]): void {
    for (const r of records) {
      if (r.RecordType === 'ControlStateUpdate') this.unsettledIds.add(r.RecordId);
      else if (typeof r.SnapshotDate === 'string' && (r.RecordType === 'DailyScore' || r.RecordType === 'ControlScore'))
        this.unsettledDays.add(r.SnapshotDate.slice(0, 10));
    }
  }

  /** What the checkpoint takes, once every request has its answer. */
  settled(): DeliveredFacts {
    const days = [...this.writtenDays].filter(([day]) => !this.unsettledDays.has(day));
    return {
      days: days.map(([day]) => day),
      snapshotDates: days.map(([, date]) => date),
      stateUpdateIds: this.stateUpdateIds.filter((id) => !this.unsettledIds.has(id)),
      oldestSentDay: [...this.writtenDays.keys()].sort()[0],
    };
  }
}
