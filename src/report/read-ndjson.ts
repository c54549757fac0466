import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type InputRecord, isInputRecord } from './input-record.js';

/** What reading one NDJSON stream found besides its records. */
export interface NdjsonReadResult {
  readonly records: number;
  /** Non-blank lines that were not a JSON object with string RecordType and RecordId. */
  readonly unreadableLines: number;
  /** 1-based number of the first such line, to point a person at it. */
  readonly firstUnreadableLine: number | null;
}

/**
 * Streams NDJSON records to `onRecord` one line at a time, so memory stays bounded by the longest
 * line whatever the file's length. Blank lines are skipped; lines that are not records are counted
 * (a truncated last line after a crash is the usual one) rather than failing the whole report.
 */
export async function readNdjson(input: Readable, onRecord: (record: InputRecord) => void): Promise<NdjsonReadResult> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let records = 0;
  let unreadableLines = 0;
  let firstUnreadableLine: number | null = null;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record) {
      records += 1;
      onRecord(record);
    } else {
      unreadableLines += 1;
      firstUnreadableLine ??= lineNumber;
    }
  }
  return { records, unreadableLines, firstUnreadableLine };
}

function parseRecord(line: string): InputRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  return isInputRecord(value) ? value : null;
}
