import type { ServerResponse } from 'node:http';

/**
 * One collection as the Graph stand-in pages it: how many items there are and how to get the i-th.
 * Items are asked for one at a time, so a generated collection is never held whole.
 */
export interface PagedCollection {
  readonly total: number;
  readonly itemAt: (index: number) => unknown;
  readonly pageSize: number;
  /** Hand out a nextLink on every page, for ever (a service that never stops paging). */
  readonly endless?: boolean | undefined;
}

/** Where a page sits: the stand-in's root, the collection's path, the query kept in nextLinks. */
export interface PagePosition {
  readonly base: string;
  readonly path: string;
  readonly offset: number;
  /** Query parameters repeated in every nextLink, each followed by `&` (e.g. `$top=3&`). */
  readonly extraQuery: string;
}

/**
 * An opaque `$skiptoken` with percent-escapes a careless client would decode or re-encode; a
 * nextLink must come back byte for byte, so the offset is read from the raw query.
 */
function skiptoken(offset: number): string {
  return `X%27${Buffer.from(`offset=${offset}`).toString('base64url')}%3D%27`;
}

/** The offset a raw request URL's `$skiptoken` carries, or undefined when it has none that parses. */
export function offsetOf(rawUrl: string): number | undefined {
  const match = /[?&]\$skiptoken=X%27([A-Za-z0-9_-]+)%3D%27(?:&|$)/.exec(rawUrl);
  if (!match) return undefined;
  return Number(/^offset=(\d+)$/.exec(Buffer.from(match[1]!, 'base64url').toString('utf8'))?.[1] ?? NaN);
}

/** The `@odata.nextLink` of the page at `at`, or undefined for the last page. */
export function nextLinkOf(collection: PagedCollection, at: PagePosition): string | undefined {
  const next = at.offset + collection.pageSize;
  return next < collection.total || collection.endless
    ? `${at.base}/v1.0/security/${at.path}?${at.extraQuery}$skiptoken=${skiptoken(next)}`
    : undefined;
}

/**
 * The page's JSON text in pieces, one per item: the same text `JSON.stringify` gives for
 * `{ '@odata.context', value, '@odata.nextLink' }`, without ever building a page of any size as one string.
 */
export function* pageChunks(collection: PagedCollection, at: PagePosition): Generator<string> {
  yield `{"@odata.context":${JSON.stringify(`${at.base}/v1.0/$metadata#security/${at.path}`)},"value":[`;
  const end = Math.min(collection.total, at.offset + collection.pageSize);
  for (let i = at.offset; i < end; i++) yield `${i > at.offset ? ',' : ''}${JSON.stringify(collection.itemAt(i))}`;
  const link = nextLinkOf(collection, at);
  yield link === undefined ? ']}' : `],"@odata.nextLink":${JSON.stringify(link)}}`;
}

const WRITE_BATCH_CHARS = 64 * 1024;

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams JSON pieces as a 200 answer, waiting for the socket to drain so a huge page stays cheap. */
export async function sendChunks(res: ServerResponse, chunks: Iterable<string>): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length < WRITE_BATCH_CHARS) continue;
    const flushed = res.write(batch);
    batch = '';
    if (!flushed) await drainedOrClosed(res);
    if (res.destroyed) return;
  }
  res.end(batch);
}
