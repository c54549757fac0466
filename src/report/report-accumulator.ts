import { countsOf, type InputRecord, isRecordOf, numberOf, textOf, timeOf } from './input-record.js';
import { LatestByKey } from './latest-by-key.js';
import type { ReportModel, RunRow } from './model.js';
import { TenantAccumulator } from './tenant-accumulator.js';

/** What the caller knows about the input besides its records. */
export interface InputFacts {
  readonly generatedAt: string;
  readonly files: readonly string[];
  readonly unreadableLines: number;
}

/**
 * Builds the report model from records fed one at a time, so a file of any length is read in
 * bounded memory: nothing here holds a ControlScore row (see TenantAccumulator). Pure: no I/O, no clock.
 */
export class ReportAccumulator {
  private readonly tenants = new Map<string, TenantAccumulator>();
  private readonly runs = new LatestByKey<Omit<RunRow, 'tenantLabel'>>();
  private records = 0;
  private otherRecords = 0;

  /** Takes one NDJSON record (an object with RecordType and RecordId). */
  add(record: InputRecord): void {
    this.records += 1;
    const tenantId = textOf(record, 'AzureTenantId');
    if (!tenantId) {
      this.otherRecords += 1;
      return;
    }
    const tenant = this.tenant(tenantId);
    if (isRecordOf(record, 'ConnectorRun')) {
      tenant.add(record); // for the display name only
      const time = textOf(record, 'TimeGenerated') ?? '';
      this.runs.offer(
        record.RecordId,
        {
          time,
          tenantId,
          status: textOf(record, 'RunStatus'),
          recordCounts: countsOf(record, 'RecordCounts'),
          durationSeconds: numberOf(record, 'DurationSeconds'),
          errorMessage: textOf(record, 'ErrorMessage'),
          version: textOf(record, 'ConnectorVersion'),
        },
        timeOf(record, 'TimeGenerated'),
        timeOf(record, 'TimeGenerated'),
      );
    } else if (!tenant.add(record)) {
      this.otherRecords += 1;
    }
  }

  /** Records taken so far. */
  get recordCount(): number {
    return this.records;
  }

  /** Entries held across tenants: a measure of memory that must not grow with days × controls. */
  get heldEntries(): number {
    let held = this.runs.size;
    for (const t of this.tenants.values()) held += t.heldEntries;
    return held;
  }

  /** The report of everything taken. */
  finish(facts: InputFacts): ReportModel {
    const tenants = [...this.tenants.values()].sort((a, b) => a.label.localeCompare(b.label) || a.tenantId.localeCompare(b.tenantId));
    const labels = new Map(tenants.map((t) => [t.tenantId, t.label]));
    return {
      generatedAt: facts.generatedAt,
      input: { files: facts.files, records: this.records, unreadableLines: facts.unreadableLines, otherRecords: this.otherRecords },
      tenants: tenants.map((t) => t.finish()),
      runs: this.runs
        .values()
        .map((r) => ({ ...r, tenantLabel: labels.get(r.tenantId) ?? r.tenantId }))
        .sort((a, b) => (Date.parse(b.time) || 0) - (Date.parse(a.time) || 0) || a.tenantLabel.localeCompare(b.tenantLabel)),
    };
  }

  private tenant(tenantId: string): TenantAccumulator {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) this.tenants.set(tenantId, (tenant = new TenantAccumulator(tenantId)));
    return tenant;
  }
}
