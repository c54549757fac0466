import { setTimeout as wait } from 'node:timers/promises';
import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type { Destination } from '../config/config.js';
import { Budget } from '../http/budget.js';
import { MAX_REQUEST_BYTES, REQUESTS_IN_FLIGHT_PER_UPLOAD, RUN_REQUEST_SLOTS } from '../limits.js';
import { ConnectorError } from '../errors.js';
import { networkFailure } from '../fixes.js';
import { RETRYABLE_STATUSES, retryDelayMs, type RetryPolicy } from '../http/retry-policy.js';
import type { TableRecord } from '../schema/records.js';
import { serializeRecord } from './fit-record.js';
import { describeIngestionFailure, isRefusedForGood, statusOf } from './ingestion-errors.js';
import type { RecordSink, Upload, UploadOptions, UploadResult } from './sink.js';

/** Where and how to upload. */
export interface LogsIngestionTarget extends Destination {
  /** Token audience, per cloud (https://monitor.azure.com, https://monitor.azure.us). */
  readonly audience: string;
  /** Retries of one request (the SDK's own are off: one layer, at most 1 + maxRetries attempts) and their back-off. */
  readonly retry: Pick<RetryPolicy, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs'>;
  /** Time-out of one HTTP request: an endpoint that reads the request and never answers is given up on. */
  readonly requestTimeoutMs: number;
}

/** The service's answer to one request. */
interface IngestionAnswer {
  readonly status: number;
  readonly body: string;
  /** The Retry-After header of a throttled answer. */
  readonly retryAfter: string | null;
}

/** Sends one body through the SDK's client pipeline (token for the audience, gzip, proxy), once. */
interface IngestionPipeline {
  readonly send: (body: string, signal: AbortSignal | undefined) => Promise<IngestionAnswer>;
}

/**
 * Uploads to a DCR stream through LogsIngestionClient's own pipeline: its bearer-token policy for the
 * ingestion audience, its gzip policy and the proxy policy. Requests are built here
 * rather than by `client.upload`, because `upload` takes objects and stringifies every record twice
 * (once to size its 1 MB chunks, once for each body); here each record is serialized once, sized from
 * that text, and the text goes into the body. Retries are one layer, ours (`postWithRetries`): the
 * SDK's retry policies are off, because they do not retry a 429 without Retry-After, and two layers
 * multiply their attempts. A request still refused is handed
 * back as refused records with a message per cause.
 */
export class LogsIngestionSink implements RecordSink {
  readonly stats = { requests: 0, bytes: 0 };
  private ingestion: Promise<IngestionPipeline> | undefined;

  /** `slots`: the run's request slots, shared with its other destinations (one of its own when alone). */
  constructor(
    private readonly target: LogsIngestionTarget,
    private readonly credential: TokenCredential,
    private readonly slots = new Budget(RUN_REQUEST_SLOTS),
  ) {}

  /** The ingestion endpoint's origin, for messages. */
  get endpoint(): string {
    return this.target.endpoint;
  }

  get description(): string {
    return `Logs Ingestion ${new URL(this.target.endpoint).host} ${this.target.dcrImmutableId}/${this.target.streamName}`;
  }

  /** The client is built on first use: `--version`, the demo and NDJSON runs never load the SDK. */
  private connect(): Promise<IngestionPipeline> {
    return (this.ingestion ??= this.createPipeline());
  }

  private async createPipeline(): Promise<IngestionPipeline> {
    // The CommonJS builds, as the credentials and Graph load them: one copy of core-rest-pipeline in
    // the process (see ARCHITECTURE.md, "A command loads only what it uses").
    const require = createRequire(import.meta.url);
    const { LogsIngestionClient } = require('@azure/monitor-ingestion') as typeof import('@azure/monitor-ingestion');
    const rest = require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
    const { endpoint, dcrImmutableId, streamName, requestTimeoutMs } = this.target;
    const client = new LogsIngestionClient(endpoint, this.credential, {
      audience: this.target.audience,
      retryOptions: { maxRetries: 0 },
    });
    client.pipeline.addPolicy({
      name: 'securescoreRequestCounter',
      sendRequest: (request, next) => {
        this.stats.requests++;
        // A time-out signal rather than request.timeout: the HTTP client leaves that timer running after
        // a refused connection, which keeps the process alive; AbortSignal.timeout never does.
        const timeout = AbortSignal.timeout(requestTimeoutMs);
        request.abortSignal = request.abortSignal ? AbortSignal.any([request.abortSignal as AbortSignal, timeout]) : timeout;
        return next(request);
      },
    });
    const url = `${endpoint}/dataCollectionRules/${encodeURIComponent(dcrImmutableId)}/streams/${encodeURIComponent(streamName)}?api-version=2023-01-01`;
    // One HTTP client per destination keeps its connections alive across requests and tenants.
    const http = rest.createDefaultHttpClient();
    const send = async (body: string, signal: AbortSignal | undefined) => {
      const request = rest.createPipelineRequest({
        url,
        method: 'POST',
        body,
        abortSignal: signal,
        headers: rest.createHttpHeaders({ 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json' }),
      });
      const response = await client.pipeline.sendRequest(http, request);
      return { status: response.status, body: response.bodyAsText ?? '', retryAfter: response.headers.get('retry-after') ?? null };
    };
    return { send };
  }

  upload(options: UploadOptions = {}): Upload {
    return new IngestionUpload(this, options);
  }

  /**
   * Waits for one of the run's request slots; resolves to its release. On an abort it resolves
   * without a slot (the request then fails at once on the aborted signal and is refused).
   */
  async slot(signal: AbortSignal | undefined): Promise<() => void> {
    return this.slots.reserve(1, signal).catch(() => () => {});
  }

  /**
   * Sends one JSON body; resolves when the service accepted it (204), else rejects with an error
   * carrying the status and the service's code and message, as the SDK's RestError does.
   */
  async postWithRetries(body: string, signal: AbortSignal | undefined): Promise<void> {
    const answer = await this.sendWithRetries(body, signal);
    if (answer.status !== 204) throw refusal(answer);
  }

  /**
   * Sends one body at most 1 + `retry.maxRetries` times: again after a retryable status (waiting its
   * Retry-After when it has one) or a connection the network lost; never after our own time-out, a
   * stop or a token failure. The last answer, or the last error when no answer came.
   */
  private async sendWithRetries(body: string, signal: AbortSignal | undefined): Promise<IngestionAnswer> {
    const ingestion = await this.connect();
    const { retry: policy } = this.target;
    for (let retry = 0; ; retry++) {
      let answer: IngestionAnswer | undefined;
      try {
        answer = await ingestion.send(body, signal);
        if (!RETRYABLE_STATUSES.has(answer.status)) return answer;
      } catch (error) {
        if (retry >= policy.maxRetries || signal?.aborted || !isWorthRetrying(error)) throw error;
      }
      if (answer && (retry >= policy.maxRetries || signal?.aborted)) return answer;
      await wait(retryDelayMs(retry, answer?.retryAfter ?? null, policy), undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * Sends an empty batch (`[]`) to the stream through the client's own pipeline (token for the
   * ingestion audience, gzip) and the same retries as records: what `doctor` uses to prove the DCR, stream, endpoint and role
   * without writing a row.
   */
  async probe(): Promise<{ status: number; body: string }> {
    const { status, body } = await this.sendWithRetries('[]', undefined);
    return { status, body };
  }

  async close(): Promise<void> {}
}

/**
 * Whether a request that got no answer is worth sending again: the network lost it (a refused or cut
 * connection, DNS) and the catalogue says another attempt can help, as for Graph. Not our own time-out
 * or a stop (AbortError: an endpoint that never answers is not waited on again), and not a failure to
 * get a token (the credential's own guard has already tried, and said why).
 */
export function isWorthRetrying(error: unknown): boolean {
  if (error instanceof ConnectorError || (error as { name?: unknown })?.name === 'AbortError') return false;
  const network = networkFailure(error);
  return network !== undefined && network.rule.retry !== false;
}

/** The service's refusal as an error with `statusCode`, `code`, its message (what `describeIngestionFailure` reads) and its Retry-After. */
function refusal({ status, body, retryAfter }: IngestionAnswer): Error {
  let code: string | undefined;
  let message = body.trim() || `Unexpected status code: ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed?.error?.code === 'string') code = parsed.error.code;
    if (typeof parsed?.error?.message === 'string') message = parsed.error.message;
  } catch {
    // Not JSON (a proxy's page): the text itself is the message.
  }
  return Object.assign(new Error(message), { name: 'RestError', statusCode: status, code, retryAfter });
}

/**
 * One tenant's records on their way: serialized as they come, sent in full requests, two at a time.
 * A request takes one of the run's slots when its first record comes and gives it back once
 * answered, so records waiting to be sent are bounded by the run, not by how many tenants run.
 */
class IngestionUpload implements Upload {
  private lines: string[] = [];
  private bytes = 2;
  /** The slot of the request being filled (taken with its first line). */
  private slot: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<boolean>>();
  private accepted = 0;
  private rejected = 0;
  private readonly trimmed: string[] = [];
  /** What keeping refused records threw (not a delivery failure: a bug or a lost dead-letter store). */
  private broken: { error: unknown } | undefined;
  /** The refused records being handed to onRefused, one group after another. */
  private refusing: Promise<void> = Promise.resolve();
  private readonly failures = new Map<string, { cause: unknown; chunks: number; records: number }>();

  constructor(
    private readonly sink: LogsIngestionSink,
    private readonly options: UploadOptions,
  ) {}

  async write(records: readonly TableRecord[]): Promise<void> {
    for (const record of records) await this.add(record);
  }

  async flush(): Promise<void> {
    if (this.lines.length > 0) await this.dispatch();
  }

  private async add(record: TableRecord): Promise<void> {
    if (this.broken) throw this.broken.error;
    // Nothing over the service's limits is ever sent: it would be refused on every run and replay.
    const { json, bytes, cuts } = serializeRecord(record);
    if (cuts.length > 0) this.trimmed.push(`${record.RecordType} ${record.RecordId}: cut ${cuts.join(', ')}`);
    if (this.lines.length > 0 && this.bytes + 1 + bytes > MAX_REQUEST_BYTES) await this.dispatch();
    await this.append(json, bytes);
  }

  /** Adds a line to the request being filled, opening one (with a slot) when there is none. */
  private async append(json: string, bytes: number): Promise<void> {
    if (this.lines.length === 0) this.slot ??= await this.sink.slot(this.options.signal);
    this.bytes += bytes + (this.lines.length > 0 ? 1 : 0);
    this.lines.push(json);
  }

  /**
   * Starts the request of the lines so far once fewer than REQUESTS_IN_FLIGHT_PER_UPLOAD are going; resolves when
   * it has started (not when it is answered), so reading and serializing go on meanwhile.
   */
  private async dispatch(): Promise<void> {
    while (this.inFlight.size >= REQUESTS_IN_FLIGHT_PER_UPLOAD) await Promise.race(this.inFlight);
    // The request keeps the slot its first line took.
    const release = this.slot ?? (await this.sink.slot(this.options.signal));
    this.slot = undefined;
    // The lines become the body at once and are let go: a request in flight holds its text once, and
    // refused records are read back from it.
    const body = `[${this.lines.join(',')}]`;
    const count = this.lines.length;
    const bytes = this.bytes;
    this.lines = [];
    this.bytes = 2;
    const request: Promise<boolean> = this.request(body, count, bytes).finally(() => {
      release();
      this.inFlight.delete(request);
    });
    this.inFlight.add(request);
  }

  /** One request; its refused records go to onRefused. */
  private async request(body: string, count: number, bytes: number): Promise<boolean> {
    this.sink.stats.bytes += bytes;
    try {
      await this.sink.postWithRetries(body, this.options.signal);
      this.accepted += count;
      this.options.onSent?.(count, count);
      return true;
    } catch (error) {
      this.rejected += count;
      const key = String(statusOf(error) ?? (error as { code?: string })?.code ?? (error as Error)?.message);
      const failure = this.failures.get(key) ?? { cause: error, chunks: 0, records: 0 };
      failure.chunks++;
      failure.records += count;
      this.failures.set(key, failure);
      this.options.onSent?.(count, 0);
      const refused = JSON.parse(body) as TableRecord[];
      const forGood = isRefusedForGood(error);
      // One at a time, in order (two requests can fail together; the dead letter is appended to), and an
      // error kept for write() and end() to throw: a rejection here would be unhandled while others go on.
      const onRefused = this.options.onRefused;
      if (refused.length > 0 && onRefused) {
        this.refusing = this.refusing
          .then(() => onRefused(refused, forGood))
          .catch((keepError: unknown) => void (this.broken ??= { error: keepError }));
        await this.refusing;
      }
      return false;
    }
  }

  private sofar(): UploadResult {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      problems: [...this.failures.values()].map((f) => describeIngestionFailure(f.cause, f.chunks, f.records, this.sink.endpoint)),
      trimmed: [...this.trimmed],
    };
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  async end(): Promise<UploadResult> {
    try {
      if (this.lines.length > 0) await this.dispatch();
      await this.settle();
      if (this.broken) throw this.broken.error;
      return this.sofar();
    } finally {
      // Whatever was thrown, the run's slot of a request never sent goes back to the other tenants.
      this.slot?.();
      this.slot = undefined;
    }
  }
}
