/**
 * Data-quality warnings of one tenant run: counted by a bounded set of codes (so dashboards and
 * the ConnectorRun record stay small) with the first few messages kept for the person reading.
 */
export type WarningCode =
  | 'number-as-string'
  | 'boolean-as-string'
  | 'invalid-number'
  | 'number-out-of-range'
  | 'invalid-boolean'
  | 'invalid-date'
  | 'snapshot-quarantined'
  | 'duplicate-snapshot'
  | 'control-without-name'
  | 'control-without-profile'
  | 'duplicate-control'
  | 'state-update-quarantined'
  | 'unknown-state'
  | 'field-truncated'
  | 'control-characters-removed'
  | 'comparative-score-unavailable'
  | 'snapshot-in-future'
  | 'snapshot-out-of-order'
  | 'tenant-mismatch'
  | 'date-without-zone'
  | 'record-trimmed'
  | 'no-new-snapshot';

const KEPT_MESSAGES = 20;

/** Collects warnings; normalizers add to it, the run summary and ConnectorRun report it. */
export class Warnings {
  readonly counts: Partial<Record<WarningCode, number>> = {};
  readonly messages: string[] = [];

  add(code: WarningCode, message: string): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
    if (this.messages.length < KEPT_MESSAGES) this.messages.push(`${code}: ${message}`);
  }

  private readonly once = new Set<string>();

  /** Adds a warning the first time `key` is seen in this run (one fact, many records). */
  addOnce(code: WarningCode, key: string, message: string): void {
    if (this.once.has(`${code}\u001f${key}`)) return;
    this.once.add(`${code}\u001f${key}`);
    this.add(code, message);
  }

  /** Counts another collection's warnings here (those of a snapshot once it is ingested). */
  absorb(other: Warnings): void {
    for (const [code, n] of Object.entries(other.counts))
      this.counts[code as WarningCode] = (this.counts[code as WarningCode] ?? 0) + (n ?? 0);
    for (const m of other.messages) if (this.messages.length < KEPT_MESSAGES) this.messages.push(m);
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + (b ?? 0), 0);
  }
}
