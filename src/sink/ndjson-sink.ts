import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { TableRecord } from '../schema/records.js';
import type { DeliveryResult, RecordSink } from './sink.js';

/** One JSON object per line, the format `az monitor` and most SIEM tooling read. */
export function toNdjson(records: readonly TableRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Writes records as NDJSON to a file (replaced at the start of the run) or, for `-`, stdout. */
export class NdjsonSink implements RecordSink {
  readonly stats = { requests: 0, bytes: 0 };
  private readonly stream: NodeJS.WritableStream;
  private readonly file: WriteStream | undefined;

  constructor(readonly target: string) {
    this.file = target === '-' ? undefined : createWriteStream(target, { flags: 'w' });
    this.stream = this.file ?? process.stdout;
  }

  get description(): string {
    return this.target === '-' ? 'NDJSON to stdout' : `NDJSON to ${this.target}`;
  }

  async send(records: readonly TableRecord[]): Promise<DeliveryResult> {
    const text = toNdjson(records);
    this.stats.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await once(this.stream, 'drain');
    return { accepted: records.length, rejected: [], problems: [] };
  }

  async close(): Promise<void> {
    if (!this.file) return;
    this.file.end();
    await once(this.file, 'finish');
  }
}
