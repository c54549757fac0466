import type { TableRecord } from '../schema/records.js';

/** What a sink did with one batch. `accepted + rejected.length` always equals the batch size. */
export interface DeliveryResult {
  accepted: number;
  /** Records the destination refused after retries: dead-letter them, never drop them. */
  rejected: TableRecord[];
  /** One actionable message per distinct failure cause. */
  problems: string[];
  /** Records cut to fit the service's limits (field 64 KB, record 1 MB), each with what was cut. */
  trimmed?: string[];
}

/** Where records go: the Logs Ingestion API, or NDJSON. */
export interface RecordSink {
  /** Short description for the summary line. */
  readonly description: string;
  send(records: readonly TableRecord[], signal?: AbortSignal): Promise<DeliveryResult>;
  /** Requests and uncompressed bytes sent so far. */
  readonly stats: { requests: number; bytes: number };
  close(): Promise<void>;
}
