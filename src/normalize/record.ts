import { hash } from 'node:crypto';
import type { RecordType } from '../schema/columns.js';
import { shown } from './coerce.js';
import type { Warnings } from './warnings.js';

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
  // One string and one-shot hashing: the same bytes as hashing the parts one by one (ids stay as
  // they were), without a Hash object per record.
  let text: string = type;
  for (const part of parts) text += `\u001f${part ?? ''}`;
  return hash('sha256', text, 'hex').slice(0, 32);
}

/**
 * The tenant a record belongs to: always the one the run authenticated to. A payload naming another
 * tenant (or garbage) is not trusted for the label, and is reported once per value.
 */
export function recordTenant(payloadTenant: unknown, where: string, ctx: NormalizeContext): string {
  // Only text can name a tenant; String() of anything else may throw (a JSON object whose toString is 1).
  const named = typeof payloadTenant === 'string' ? payloadTenant : undefined;
  if (payloadTenant !== undefined && payloadTenant !== null && named?.toLowerCase() !== ctx.tenantId.toLowerCase()) {
    const claimed = shown(payloadTenant);
    ctx.warnings.addOnce(
      'tenant-mismatch',
      claimed,
      `${where} names tenant ${claimed}, not ${ctx.tenantId} that was read; labelled ${ctx.tenantId}`,
    );
  }
  return ctx.tenantId;
}

/** The columns every record carries. */
export interface BaseColumns<R extends RecordType> {
  TimeGenerated: string;
  RecordType: R;
  RecordId: string;
  AzureTenantId: string;
  RunId: string;
  TenantDisplayName?: string;
}

/** Columns every record carries. */
export function baseColumns<R extends RecordType>(type: R, id: string, tenantId: string, ctx: NormalizeContext): BaseColumns<R> {
  const record: BaseColumns<R> = { TimeGenerated: ctx.now, RecordType: type, RecordId: id, AzureTenantId: tenantId, RunId: ctx.runId };
  if (ctx.tenantDisplayName) record.TenantDisplayName = ctx.tenantDisplayName;
  return record;
}

/**
 * Drops undefined values so a record only carries what it knows (null stays: "known to be empty").
 * A record with none is returned as it is; otherwise a copy without them is made, because `delete`
 * turns an object into a slow dictionary for every later read and for JSON.stringify.
 */
export function compact<T extends object>(record: T): T {
  const row = record as Record<string, unknown>;
  let defined = true;
  for (const key in row) if (row[key] === undefined) defined = false;
  if (defined) return record;
  const copy: Record<string, unknown> = {};
  for (const key in row) if (row[key] !== undefined) copy[key] = row[key];
  return copy as T;
}
