import { createWriteStream, type WriteStream } from 'node:fs';
import { ConnectorError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import type { RecordSink, Upload, UploadOptions, UploadResult } from './sink.js';

/** One JSON object per line, the format `az monitor` and most SIEM tooling read. */
export function toNdjson(records: readonly TableRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/**
 * Writes records as NDJSON to a file (replaced at the start of the run) or, for `-`, stdout. A write
 * that fails (full disk, a folder gone, the reader of stdout gone) fails the send with a one-line
 * ConnectorError instead of an unhandled stream error; later sends fail the same way.
 */
export class NdjsonSink implements RecordSink {
  readonly stats = { requests: 0, bytes: 0 };
  private readonly stream: NodeJS.WritableStream;
  private readonly file: WriteStream | undefined;
  private failure: ConnectorError | undefined;

  /** `label` names the setting in messages (`--output` or SECURESCORE_OUTPUT). */
  constructor(
    readonly target: string,
    private readonly label = '--output',
  ) {
    this.file = target === '-' ? undefined : createWriteStream(target, { flags: 'w' });
    this.stream = this.file ?? process.stdout;
    // Without a listener a failed open or write would end the process with a stack trace.
    this.stream.on('error', (error: Error) => (this.failure ??= this.describe(error)));
  }

  get description(): string {
    return this.target === '-' ? 'NDJSON to stdout' : `NDJSON to ${this.target}`;
  }

  private describe(error: Error): ConnectorError {
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    if (this.target === '-' && code === 'EPIPE')
      return new ConnectorError('DELIVERY', `${this.description}: the reader closed the pipe. Records not read are sent again next run`);
    return new ConnectorError(
      'CONFIG',
      `${this.label} ${this.target}: writing failed (${code}). Free space or choose a file in a writable folder, then run again`,
    );
  }

  upload(options: UploadOptions = {}): Upload {
    let accepted = 0;
    const result = (): UploadResult => ({ accepted, rejected: 0, problems: [], trimmed: [] });
    const write = async (records: readonly TableRecord[]) => {
      await this.write(records);
      accepted += records.length;
      if (records.length > 0) options.onSent?.(records.length, records.length);
    };
    return {
      write,
      flush: async () => {},
      end: async () => result(),
    };
  }

  private async write(records: readonly TableRecord[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (records.length === 0) return;
    const text = toNdjson(records);
    this.stats.bytes += Buffer.byteLength(text);
    // The callback comes once the text is handed to the OS, with the error if that failed.
    await new Promise<void>((resolve, reject) =>
      this.stream.write(text, (error) => (error ? reject((this.failure ??= this.describe(error))) : resolve())),
    );
  }

  async close(): Promise<void> {
    if (!this.file) return;
    if (this.failure) {
      this.file.destroy();
      return;
    }
    await new Promise<void>((resolve) => this.file!.end(resolve));
    if (this.failure) throw this.failure;
  }
}
