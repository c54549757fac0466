import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { acquireToken } from '../auth/acquire-token.js';
import { createCredential } from '../auth/credential.js';
import type { Config } from '../config/config.js';
import { writeDeadLetter } from '../ingest/dead-letter.js';
import { LogsIngestionSink } from '../ingest/logs-ingestion-sink.js';
import { NdjsonSink } from '../ingest/ndjson-sink.js';
import type { RecordSink } from '../ingest/sink.js';
import { openCheckpointStore } from '../state/open-store.js';
import type { CheckpointStore } from '../state/store.js';
import { runTenant, type TenantOutcome } from './run-tenant.js';
import { demoSource, graphSource, type SnapshotSource } from './source.js';

/** Result of a whole run, for the summary and the exit code. */
export interface RunReport {
  readonly runId: string;
  readonly outcomes: TenantOutcome[];
  readonly sink: { description: string; requests: number; bytes: number };
  readonly graph: { requests: number; retries: number };
  readonly state: string | undefined;
  readonly durationMs: number;
}

/** What the run needs from its surroundings; tests and the CLI pass their own. */
export interface RunEnvironment {
  readonly now: () => Date;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal | undefined;
}

/** The sink a configuration names: the DCR, or NDJSON. */
export function createSink(config: Pick<Config, 'ingestion' | 'ingestionAudience' | 'output' | 'retry'>, credential: () => TokenCredential): RecordSink {
  if (config.ingestion) {
    return new LogsIngestionSink(
      { ...config.ingestion, audience: config.ingestionAudience, resendRounds: 2, resendDelayMs: config.retry.baseDelayMs },
      credential(),
    );
  }
  return new NdjsonSink(config.output ?? '-');
}

/** Runs the connector once: every configured tenant, read, normalized, delivered, checkpointed. */
export async function runConnector(config: Config, environment: RunEnvironment): Promise<RunReport> {
  const started = environment.now();
  const runId = randomUUID();
  let credential: TokenCredential | undefined;
  const getCredential = () => (credential ??= createCredential(config.authorityHost));

  let source: SnapshotSource;
  let tenantId: string;
  if (config.demo) {
    const demo = demoSource();
    source = demo;
    tenantId = demo.tenantId;
  } else {
    const { tenantId: tid } = await acquireToken(getCredential(), `${config.graphEndpoint}/.default`, 'Microsoft Graph');
    tenantId = tid ?? environment.env.AZURE_TENANT_ID ?? 'unknown';
    source = graphSource(getCredential(), config.graphEndpoint, config.retry);
  }

  const store: CheckpointStore | undefined = config.statePath ? openCheckpointStore(config.statePath, environment.env, getCredential) : undefined;
  await store?.acquire();
  const sink = createSink(config, getCredential);
  try {
    const document = await store?.load();
    const outcome = await runTenant({
      tenantId, source, sink, days: config.days, runId, now: environment.now, signal: environment.signal,
      checkpoint: document?.tenants[tenantId],
    });
    if (outcome.rejected.length > 0) {
      const file = await writeDeadLetter(config.deadLetterDir, outcome.tenantId, runId, outcome.rejected);
      outcome.problems.push(`Dead letter: ${outcome.rejected.length} refused record(s) saved to ${file}. Fix the cause above, then run: securescore-connector replay ${file}`);
    }
    if (store && document && outcome.nextCheckpoint) {
      document.tenants[tenantId] = outcome.nextCheckpoint;
      await store.save(document);
    }
    return {
      runId,
      outcomes: [outcome],
      sink: { description: sink.description, ...sink.stats },
      graph: { ...source.stats },
      state: store?.description,
      durationMs: environment.now().getTime() - started.getTime(),
    };
  } finally {
    await sink.close();
    await store?.release();
  }
}
