import { redactSecrets } from '../errors.js';
import type { RecordOf } from '../schema/records.js';
import { baseColumns, recordId, type NormalizeContext } from './record.js';

/** Outcome of one tenant in one run, as the ConnectorRun record reports it. */
export interface RunFacts {
  /** Interrupted: stopped by a signal or the run deadline before the tenant was read. */
  readonly status: 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Interrupted';
  /** Backfill when the tenant had no checkpoint (its history was sent), else Incremental. */
  readonly kind: 'Backfill' | 'Incremental';
  readonly counts: Record<string, number>;
  readonly errorMessage?: string | undefined;
  readonly durationSeconds: number;
  readonly version: string;
}

/** The ConnectorRun record: the health signal behind the "connector silent or failing" rule. */
export function normalizeConnectorRun(facts: RunFacts, ctx: NormalizeContext): RecordOf<'ConnectorRun'> {
  return {
    ...baseColumns('ConnectorRun', recordId('ConnectorRun', ctx.tenantId, ctx.runId), ctx.tenantId, ctx),
    RunStatus: facts.status,
    RunKind: facts.kind,
    // The run's own time: the rules age a run by it, since a replayed record's TimeGenerated is its arrival.
    RunStartTime: ctx.now,
    RecordCounts: facts.counts,
    Warnings: { ...ctx.warnings.counts },
    // Sent to Log Analytics, where many can read it: no SAS signature or key may ride along.
    ErrorMessage: facts.errorMessage === undefined ? null : redactSecrets(facts.errorMessage),
    DurationSeconds: Math.round(facts.durationSeconds * 1000) / 1000,
    ConnectorVersion: facts.version,
  };
}
