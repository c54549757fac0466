import { ConnectorError } from '../errors.js';
import type { RecordSink } from '../ingest/sink.js';
import { normalizeConnectorRun } from '../normalize/connector-run.js';
import type { TableRecord } from '../normalize/record.js';
import { normalizeTenant } from '../normalize/tenant.js';
import { Warnings } from '../normalize/warnings.js';
import { RECORD_TYPES } from '../schema/columns.js';
import { CONNECTOR_VERSION } from '../version.js';
import type { SnapshotSource } from './source.js';

/** One tenant's run. */
export interface TenantRunInput {
  readonly tenantId: string;
  readonly displayName?: string | undefined;
  readonly source: SnapshotSource;
  readonly sink: RecordSink;
  /** Days to ingest; one more snapshot is read so the oldest day has a previous one. */
  readonly days: number;
  readonly runId: string;
  readonly now: () => Date;
  readonly signal?: AbortSignal | undefined;
}

/** What happened to one tenant. */
export interface TenantOutcome {
  readonly tenantId: string;
  readonly status: 'Succeeded' | 'PartiallySucceeded' | 'Failed';
  /** Records produced, per RecordType. */
  readonly counts: Record<string, number>;
  readonly produced: number;
  readonly delivered: number;
  readonly rejected: TableRecord[];
  readonly warnings: Warnings;
  /** Actionable messages: the Graph failure, or one per ingestion failure cause. */
  readonly problems: string[];
  readonly error: ConnectorError | undefined;
  readonly records: readonly TableRecord[];
}

function countByType(records: readonly TableRecord[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(RECORD_TYPES.map((t) => [t, 0]));
  for (const r of records) counts[r.RecordType] = (counts[r.RecordType] ?? 0) + 1;
  return counts;
}

/**
 * Reads, normalizes and delivers one tenant, then sends its ConnectorRun record. A Graph failure
 * fails the tenant as a whole before anything is sent: no half-enriched records.
 */
export async function runTenant(input: TenantRunInput): Promise<TenantOutcome> {
  const started = input.now();
  const warnings = new Warnings();
  const ctx = { now: started.toISOString(), runId: input.runId, tenantId: input.tenantId, tenantDisplayName: input.displayName, warnings };
  let records: TableRecord[] = [];
  let error: ConnectorError | undefined;
  try {
    const data = await input.source.fetch(input.days + 1, input.signal);
    records = normalizeTenant(data, { snapshotCount: input.days }, ctx).records;
  } catch (e) {
    if (!(e instanceof ConnectorError)) throw e;
    error = e;
  }

  const delivery = await input.sink.send(records, input.signal);
  const problems = [...(error ? [error.message] : []), ...delivery.problems];
  const status = error ? 'Failed' : delivery.rejected.length > 0 ? 'PartiallySucceeded' : 'Succeeded';
  const counts = countByType(records);

  const runRecord = normalizeConnectorRun(
    {
      status,
      counts,
      errorMessage: problems.length > 0 ? problems.join(' | ').slice(0, 4000) : undefined,
      durationSeconds: (input.now().getTime() - started.getTime()) / 1000,
      version: CONNECTOR_VERSION,
    },
    ctx,
  );
  const runDelivery = await input.sink.send([runRecord], input.signal);
  counts.ConnectorRun = 1;

  return {
    tenantId: input.tenantId,
    status,
    counts,
    produced: records.length + 1,
    delivered: delivery.accepted + runDelivery.accepted,
    rejected: [...delivery.rejected, ...runDelivery.rejected],
    warnings,
    problems: [...problems, ...runDelivery.problems.filter((p) => !problems.includes(p))],
    error,
    records,
  };
}
