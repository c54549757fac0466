import type { TableRecord } from '../schema/records.js';

/** What a sink did with some records. `accepted + rejected.length` always equals the records given. */
export interface DeliveryResult {
  accepted: number;
  /** Records the destination refused after retries: dead-letter them, never drop them. */
  rejected: TableRecord[];
  /** One actionable message per distinct failure cause. */
  problems: string[];
  /** Records cut to fit the service's limits (field 64 KB, record 1 MB), each with what was cut. */
  trimmed?: string[];
}

/** How an upload hands back what the destination refused, as soon as it is final. */
export interface UploadOptions {
  /** Aborted when uploads in flight must be cut off (the end of the grace period after a stop). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Given each refused group of records once its refusal is final, so nothing refused is held until
   * the end (the run appends them to the tenant's dead letter). `forGood` when the service refused the
   * records themselves (400, 413): sending them again would be refused again. Otherwise (throttling,
   * an outage, a missing role, no answer) the same records may be accepted later.
   */
  readonly onRefused?: ((records: TableRecord[], forGood: boolean) => Promise<void>) | undefined;
  /** Told of each request's answer: records it carried, and how many were accepted (all or none). */
  readonly onSent?: ((records: number, accepted: number) => void) | undefined;
}

/** What an upload did, once it ended. Refused records went to `onRefused`. */
export interface UploadResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly problems: string[];
  readonly trimmed: string[];
}

/**
 * One tenant's stream of records to a destination: records are taken as they are produced and
 * leave in full requests, so a tenant holds at most a few requests' worth, whatever its size.
 */
export interface Upload {
  /** Takes records; resolves once they are serialized and the requests in flight are few enough. */
  write(records: readonly TableRecord[]): Promise<void>;
  /** Starts sending what is waiting for a full request (before the tenant waits for something else). */
  flush(): Promise<void>;
  /** Sends what is left and waits for every request's answer. */
  end(): Promise<UploadResult>;
}

/** Where records go: the Logs Ingestion API, or NDJSON. */
export interface RecordSink {
  /** Short description for the summary line. */
  readonly description: string;
  /** Starts an upload (one per tenant run; any number at once). */
  upload(options?: UploadOptions): Upload;
  /** Requests and uncompressed bytes sent so far. */
  readonly stats: { requests: number; bytes: number };
  close(): Promise<void>;
}

/** Sends `records` in one upload and collects what was refused (replay, small batches). */
export async function sendAll(sink: RecordSink, records: readonly TableRecord[], signal?: AbortSignal): Promise<DeliveryResult> {
  const rejected: TableRecord[] = [];
  const upload = sink.upload({ signal, onRefused: async (refused) => void rejected.push(...refused) });
  await upload.write(records);
  const result = await upload.end();
  return { accepted: result.accepted, rejected, problems: result.problems, trimmed: result.trimmed };
}
