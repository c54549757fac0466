import { cutText, MAX_FIELD_BYTES } from '../normalize/coerce.js';
import type { TableRecord } from '../schema/records.js';
import { MAX_RECORD_BYTES } from '../limits.js';

/** Columns given up first when a record is too big: the least important to a SOC first. */
const TRIM_ORDER = ['ControlProperties', 'Threats', 'EnabledServices', 'ComparativeScores', 'Warnings', 'RecordCounts'];

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** A dynamic value too big to keep: a marker with its size and the start of its JSON, within `budget` bytes. */
function cutDynamic(json: string, budget: number): { truncated: true; bytes: number; preview: string } {
  let previewBytes = Math.max(0, budget - 200);
  for (;;) {
    const marker = { truncated: true as const, bytes: bytes(json), preview: cutText(json, previewBytes) };
    const size = bytes(JSON.stringify(marker));
    // Escaping can make the preview longer than its budget; shrink until it fits.
    if (size <= budget || previewBytes === 0) return marker;
    previewBytes = Math.max(0, previewBytes - (size - budget) - 16);
  }
}

/**
 * A record that fits the service's limits: no field over 64 KB (strings cut with a visible mark,
 * dynamic values replaced by a marker holding their size and start), and no record over
 * MAX_RECORD_BYTES (the least important columns trimmed first). Returns what was cut, for a counted
 * warning; the input is not changed.
 */
export function fitRecord(record: TableRecord): { record: TableRecord; cuts: string[] } {
  const cuts: string[] = [];
  let fitted: TableRecord | undefined;
  const edit = () => (fitted ??= { ...record });
  for (const [column, value] of Object.entries(record)) {
    if (typeof value === 'string' && bytes(value) > MAX_FIELD_BYTES) {
      edit()[column] = cutText(value, MAX_FIELD_BYTES);
      cuts.push(`${column} (${bytes(value)} bytes)`);
    } else if (value !== null && typeof value === 'object') {
      const json = JSON.stringify(value);
      if (bytes(json) > MAX_FIELD_BYTES) {
        edit()[column] = cutDynamic(json, MAX_FIELD_BYTES);
        cuts.push(`${column} (${bytes(json)} bytes)`);
      }
    }
  }
  const current = () => fitted ?? record;
  let size = bytes(JSON.stringify(current()));
  if (size > MAX_RECORD_BYTES) {
    // Then the biggest strings, after the listed columns.
    const strings = Object.entries(current())
      .filter(([c, v]) => typeof v === 'string' && !['RecordId', 'RecordType', 'AzureTenantId', 'TimeGenerated', 'RunId'].includes(c))
      .sort((a, b) => bytes(String(b[1])) - bytes(String(a[1])))
      .map(([c]) => c);
    for (const column of [...TRIM_ORDER, ...strings]) {
      if (size <= MAX_RECORD_BYTES) break;
      const value = current()[column];
      if (value === undefined || value === null) continue;
      const json = typeof value === 'string' ? value : JSON.stringify(value);
      edit()[column] = typeof value === 'string' ? cutText(value, 1024) : { truncated: true, bytes: bytes(json) };
      cuts.push(`${column} (${bytes(json)} bytes, record over ${MAX_RECORD_BYTES} bytes)`);
      size = bytes(JSON.stringify(current()));
    }
  }
  return { record: current(), cuts };
}

/** One record as it is sent: its JSON, that JSON's UTF-8 size, and what was cut to fit. */
export interface SerializedRecord {
  readonly json: string;
  readonly bytes: number;
  readonly cuts: string[];
}

/**
 * Serializes a record once for sending and sizes it from that text. A record whose JSON is within
 * MAX_FIELD_BYTES cannot hold a field over it (a field's bytes never exceed the record's JSON), so only
 * the rare big record pays for `fitRecord` and a second stringify.
 */
export function serializeRecord(record: TableRecord): SerializedRecord {
  const json = JSON.stringify(record);
  const size = bytes(json);
  if (size <= MAX_FIELD_BYTES) return { json, bytes: size, cuts: [] };
  const fitted = fitRecord(record);
  if (fitted.cuts.length === 0) return { json, bytes: size, cuts: [] };
  const text = JSON.stringify(fitted.record);
  return { json: text, bytes: bytes(text), cuts: fitted.cuts };
}
