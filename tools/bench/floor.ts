import { gunzipSync, gzipSync } from 'node:zlib';

/** The unavoidable work of one run, timed in this process. */
export interface FloorMeasure {
  /** JSON.parse of every Graph page the CLI was sent. */
  readonly parseMs: number;
  /** JSON.stringify of every record the ingestion stand-in accepted, request by request. */
  readonly stringifyMs: number;
  /** gzip of those JSON texts (zlib's default level, as the Azure SDK uses). */
  readonly gzipMs: number;
  readonly totalMs: number;
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = process.hrtime.bigint();
  const value = work();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/**
 * Times the floor: the work no connector can avoid for the same run. `pages` gives each Graph page's
 * JSON text in pieces (made again, untimed); `gzipBodies` are the ingestion requests as accepted,
 * unpacked untimed into the same records. One page or request at a time, so memory stays bounded.
 */
export function measureFloor(pages: Iterable<Iterable<string>>, gzipBodies: readonly Buffer[]): FloorMeasure {
  let parseMs = 0;
  let stringifyMs = 0;
  let gzipMs = 0;
  for (const chunks of pages) {
    const text = [...chunks].join('');
    parseMs += timed(() => JSON.parse(text)).ms;
  }
  for (const body of gzipBodies) {
    const records = JSON.parse(gunzipSync(body).toString('utf8')) as unknown;
    const json = timed(() => JSON.stringify(records));
    stringifyMs += json.ms;
    gzipMs += timed(() => gzipSync(json.value)).ms;
  }
  return { parseMs, stringifyMs, gzipMs, totalMs: parseMs + stringifyMs + gzipMs };
}
