import type { TokenCredential } from '@azure/identity';
import type { Config, Destination } from '../config/config.js';
import { Budget } from '../http/budget.js';
import { RUN_REQUEST_SLOTS } from '../limits.js';
import { LogsIngestionSink } from './logs-ingestion-sink.js';
import { NdjsonSink } from './ndjson-sink.js';
import type { RecordSink } from './sink.js';

/** The sink a destination names: a DCR, or NDJSON when there is none. */
export function createSink(
  config: Pick<Config, 'ingestionAudience' | 'output' | 'retry' | 'ingestionTimeoutMs'>,
  ingestion: Destination | undefined,
  credential: () => TokenCredential,
  slots?: Budget,
): RecordSink {
  if (ingestion) {
    return new LogsIngestionSink(
      {
        ...ingestion,
        audience: config.ingestionAudience,
        retry: config.retry,
        requestTimeoutMs: config.ingestionTimeoutMs,
      },
      credential(),
      slots,
    );
  }
  return new NdjsonSink(config.output ?? '-');
}

/**
 * One sink per destination, shared by the tenants that send there. The DCRs live in the connector's
 * own (home) tenant, so uploads use the home credential whatever tenant the data came from.
 */
export class SinkSet {
  private readonly sinks = new Map<string, RecordSink>();
  /** Request slots shared by every destination: the run's records on their way are bounded once. */
  private readonly slots = new Budget(RUN_REQUEST_SLOTS);

  constructor(
    private readonly config: Pick<Config, 'ingestionAudience' | 'output' | 'retry' | 'ingestionTimeoutMs'>,
    private readonly home: () => TokenCredential,
  ) {}

  for(ingestion: Destination | undefined): RecordSink {
    const key = ingestion ? `${ingestion.endpoint}|${ingestion.dcrImmutableId}|${ingestion.streamName}` : 'ndjson';
    let sink = this.sinks.get(key);
    if (!sink) {
      sink = createSink(this.config, ingestion, this.home, this.slots);
      this.sinks.set(key, sink);
    }
    return sink;
  }

  stats(): Array<{ description: string; requests: number; bytes: number }> {
    return [...this.sinks.values()].map((s) => ({ description: s.description, ...s.stats }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((s) => s.close()));
  }
}
