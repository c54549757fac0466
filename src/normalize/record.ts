import { createHash } from 'node:crypto';
import type { RecordType } from '../schema/columns.js';
import type { Warnings } from './warnings.js';

/** One row of MicrosoftSecureScore_CL. Columns are those of src/schema/columns.ts. */
export interface TableRecord {
  TimeGenerated: string;
  RecordType: RecordType;
  RecordId: string;
  AzureTenantId: string;
  RunId: string;
  [column: string]: unknown;
}

/** What every normalizer needs besides its input. No clock, no I/O: `now` is passed in. */
export interface NormalizeContext {
  /** ISO timestamp used as TimeGenerated. */
  readonly now: string;
  readonly runId: string;
  /** Tenant the data was read from; used when a payload lacks azureTenantId. */
  readonly tenantId: string;
  readonly tenantDisplayName?: string | undefined;
  readonly warnings: Warnings;
}

/**
 * Deterministic id of a fact: the same parts always give the same id, so a record sent twice is
 * the same row after `summarize arg_max(TimeGenerated, *) by RecordId`.
 */
export function recordId(type: RecordType, ...parts: Array<string | null | undefined>): string {
  const hash = createHash('sha256');
  hash.update(type);
  for (const part of parts) hash.update(`\u001f${part ?? ''}`);
  return hash.digest('hex').slice(0, 32);
}

/** Columns every record carries. */
export function baseColumns(type: RecordType, id: string, tenantId: string, ctx: NormalizeContext): TableRecord {
  const record: TableRecord = { TimeGenerated: ctx.now, RecordType: type, RecordId: id, AzureTenantId: tenantId, RunId: ctx.runId };
  if (ctx.tenantDisplayName) record.TenantDisplayName = ctx.tenantDisplayName;
  return record;
}

/** Drops undefined values so a record only carries what it knows (null stays: "known to be empty"). */
export function compact(record: TableRecord): TableRecord {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}
