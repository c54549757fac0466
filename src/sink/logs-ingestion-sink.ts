import type { TokenCredential } from '@azure/identity';
import type { Destination } from '../config/config.js';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { LogsIngestionClient, type LogsUploadFailure } from '@azure/monitor-ingestion';
import { RETRYABLE_STATUSES, sleep } from '../http/retry-policy.js';
import type { TableRecord } from '../schema/records.js';
import { fitRecord } from './fit-record.js';
import { describeIngestionFailure, statusOf } from './ingestion-errors.js';
import type { DeliveryResult, RecordSink } from './sink.js';

/** Where and how to upload. */
export interface LogsIngestionTarget extends Destination {
  /** Token audience, per cloud (https://monitor.azure.com, https://monitor.azure.us). */
  readonly audience: string;
  /** Extra rounds for chunks refused with a retryable status after the SDK's own retries. */
  readonly resendRounds: number;
  /** First back-off of the SDK's retries and of our resend rounds; doubles each time. */
  readonly resendDelayMs: number;
  /** Time-out of one HTTP request: an endpoint that reads the request and never answers is given up on. */
  readonly requestTimeoutMs: number;
}

/**
 * Uploads through LogsIngestionClient, which gzips and splits into 1 MB requests. Refused chunks
 * are collected with `onError` (so nothing is lost to the SDK's aggregate error), retried for
 * throttling the SDK does not retry, and returned as `rejected` with a message per cause.
 */
export class LogsIngestionSink implements RecordSink {
  readonly stats = { requests: 0, bytes: 0 };
  private readonly client: LogsIngestionClient;

  constructor(
    private readonly target: LogsIngestionTarget,
    credential: TokenCredential,
  ) {
    this.client = new LogsIngestionClient(target.endpoint, credential, {
      audience: target.audience,
      retryOptions: { maxRetries: 3, retryDelayInMs: target.resendDelayMs, maxRetryDelayInMs: 60_000 },
    });
    this.client.pipeline.addPolicy({
      name: 'securescoreRequestCounter',
      sendRequest: (request, next) => {
        this.stats.requests++;
        // A time-out signal rather than request.timeout: the HTTP client leaves that timer running after
        // a refused connection, which keeps the process alive; AbortSignal.timeout never does.
        const timeout = AbortSignal.timeout(target.requestTimeoutMs);
        request.abortSignal = request.abortSignal ? AbortSignal.any([request.abortSignal as AbortSignal, timeout]) : timeout;
        return next(request);
      },
    });
  }

  get description(): string {
    return `Logs Ingestion ${new URL(this.target.endpoint).host} ${this.target.dcrImmutableId}/${this.target.streamName}`;
  }

  async send(records: readonly TableRecord[], signal?: AbortSignal): Promise<DeliveryResult> {
    if (records.length === 0) return { accepted: 0, rejected: [], problems: [], trimmed: [] };
    // Nothing over the service's limits is ever sent: it would be refused on every run and replay.
    const trimmed: string[] = [];
    const fitted = records.map((r) => {
      const { record, cuts } = fitRecord(r);
      if (cuts.length > 0) trimmed.push(`${r.RecordType} ${r.RecordId}: cut ${cuts.join(', ')}`);
      return record;
    });
    records = fitted;
    this.stats.bytes += Buffer.byteLength(JSON.stringify(records));
    const retryable = (f: LogsUploadFailure) => RETRYABLE_STATUSES.has(statusOf(f.cause) ?? 0);
    let failures = await this.uploadOnce([...records], signal);
    for (let round = 0; round < this.target.resendRounds && failures.some(retryable) && !signal?.aborted; round++) {
      await sleep(this.target.resendDelayMs * 2 ** round, signal).catch(() => undefined);
      // Only the retryable chunks go round again; the others are final.
      const again = await this.uploadOnce(
        failures.filter(retryable).flatMap((f) => f.failedLogs as TableRecord[]),
        signal,
      );
      failures = [...failures.filter((f) => !retryable(f)), ...again];
    }
    const rejected = failures.flatMap((f) => f.failedLogs as TableRecord[]);
    return { accepted: records.length - rejected.length, rejected, problems: summarizeFailures(failures), trimmed };
  }

  private async uploadOnce(records: TableRecord[], signal?: AbortSignal): Promise<LogsUploadFailure[]> {
    if (records.length === 0) return [];
    const failures: LogsUploadFailure[] = [];
    try {
      await this.client.upload(this.target.dcrImmutableId, this.target.streamName, records, {
        maxConcurrency: 2,
        abortSignal: signal,
        onError: (failure) => failures.push(failure),
      });
    } catch (error) {
      // AggregateLogsUploadError repeats what onError already collected; anything else (an abort
      // before a chunk started) means no chunk of this call was accepted that onError missed.
      if (failures.length === 0) failures.push({ failedLogs: records, cause: error as Error });
    }
    return failures;
  }

  /**
   * Sends an empty batch (`[]`) to the stream through the client's own pipeline (token for the
   * ingestion audience, gzip, retries): what `doctor` uses to prove the DCR, stream, endpoint and role
   * without writing a row. The SDK's `upload` sends nothing for an empty list, hence the pipeline.
   */
  async probe(): Promise<{ status: number; body: string }> {
    const { endpoint, dcrImmutableId, streamName } = this.target;
    const request = createPipelineRequest({
      url: `${endpoint}/dataCollectionRules/${encodeURIComponent(dcrImmutableId)}/streams/${encodeURIComponent(streamName)}?api-version=2023-01-01`,
      method: 'POST',
      body: '[]',
      headers: createHttpHeaders({ 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json' }),
    });
    const response = await this.client.pipeline.sendRequest(createDefaultHttpClient(), request);
    return { status: response.status, body: response.bodyAsText ?? '' };
  }

  async close(): Promise<void> {}
}

/** One message per distinct status, with counts. */
function summarizeFailures(failures: readonly LogsUploadFailure[]): string[] {
  const groups = new Map<string, { cause: unknown; chunks: number; records: number }>();
  for (const f of failures) {
    const key = String(statusOf(f.cause) ?? (f.cause as { code?: string })?.code ?? f.cause?.message);
    const g = groups.get(key) ?? { cause: f.cause, chunks: 0, records: 0 };
    g.chunks++;
    g.records += f.failedLogs.length;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => describeIngestionFailure(g.cause, g.chunks, g.records));
}
