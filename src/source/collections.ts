import { ConnectorError } from '../errors.js';
import type { GraphConnection } from './graph-client.js';
import { getGraphJson, type GraphRetry } from './get-json.js';
import type { ChunkPlan, GraphStats } from './source.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import type { RawControlProfile, RawSecureScore } from '../normalize/graph-types.js';

interface ODataPage {
  value: unknown[];
  nextLink: string | undefined;
}

function asPage(json: unknown, url: string): ODataPage {
  const body = json as { value?: unknown; '@odata.nextLink'?: unknown } | null;
  if (!body || !Array.isArray(body.value)) {
    throw new ConnectorError('GRAPH', `Graph ${url}: the answer has no "value" array. Check --graph-endpoint points at Microsoft Graph`);
  }
  const next = body['@odata.nextLink'];
  return { value: body.value, nextLink: typeof next === 'string' && next.length > 0 ? next : undefined };
}

/** Options shared by the Graph reads of one tenant run. */
export interface GraphReadOptions {
  readonly policy: RetryPolicy;
  readonly stats: GraphStats;
  readonly signal?: AbortSignal;
  /** Told before each retry waits, so a long back-off is visible while it happens. */
  readonly onRetry?: ((retry: GraphRetry) => void) | undefined;
}

/** Most pages one collection read may take: a service that hands out nextLinks for ever is stopped. */
export const MAX_PAGES = 500;
/** Most items one collection read may hold (Secure Score has a few hundred controls; 90 snapshots). */
export const MAX_ITEMS = 100_000;
/**
 * Snapshots asked for first, before their size is known (unless the profile count tells it): covers a
 * daily run in one request, and keeps the order Graph sends within it (snapshots out of order across
 * chunks are reported, not ingested).
 */
const FIRST_CHUNK = 8;
/**
 * Control scores one snapshot request may carry (about 4 MB of JSON): what one tenant holds of Graph
 * data at a time, so memory stays bounded for huge tenants, and what the run's memory budget counts.
 */
export const MAX_CONTROL_SCORES_PER_REQUEST = 10_000;

/**
 * Yields the pages of a collection, following `@odata.nextLink` verbatim until it ends or `limit`
 * items were yielded. A page that fails after retries fails the read; a repeated nextLink, more than
 * MAX_PAGES pages or MAX_ITEMS items stop it with a clear error rather than looping.
 */
async function* readPages(
  graph: GraphConnection,
  firstUrl: string,
  options: GraphReadOptions,
  limit = Infinity,
): AsyncGenerator<unknown[]> {
  const seen = new Set<string>();
  let url: string | undefined = firstUrl;
  let items = 0;
  while (url && items < limit) {
    if (seen.has(url)) {
      throw new ConnectorError(
        'GRAPH',
        `Graph ${firstUrl}: the service returned the same nextLink twice. Report this; the run stops to avoid looping`,
      );
    }
    if (seen.size >= MAX_PAGES || items >= MAX_ITEMS) {
      throw new ConnectorError(
        'GRAPH',
        `Graph ${firstUrl}: still paging after ${seen.size} pages and ${items} items, more than Secure Score ever holds. The run stops to avoid looping; report this if it persists`,
      );
    }
    seen.add(url);
    const page = asPage(await getGraphJson(graph, url, options.policy, options.stats, options.signal, options.onRetry), firstUrl);
    const take = page.value.slice(0, limit - items);
    items += take.length;
    yield take;
    url = page.nextLink;
  }
}

/** Every item of a collection (up to `limit`). */
async function readCollection(graph: GraphConnection, firstUrl: string, options: GraphReadOptions, limit = Infinity): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const page of readPages(graph, firstUrl, options, limit)) items.push(...page);
  return items;
}

/** The newest `count` daily snapshots, newest first (Graph keeps 90). */
export async function fetchSecureScores(graph: GraphConnection, count: number, options: GraphReadOptions): Promise<RawSecureScore[]> {
  return (await readCollection(graph, `/security/secureScores?$top=${count}`, options, count)) as RawSecureScore[];
}

/**
 * The newest `count` snapshots in chunks, newest first, so a tenant with thousands of controls never
 * holds 90 days of them at once: each request (`$top` with `$skip`, as documented) asks for as many as
 * keep one answer near MAX_CONTROL_SCORES_PER_REQUEST control scores, the first at most FIRST_CHUNK.
 * Each chunk is reserved from the run's budget before it is asked for and given back once processed.
 * If the service ignores `$skip` (the same snapshot comes back), the rest is read in one request instead.
 */
export async function* secureScoreChunks(
  graph: GraphConnection,
  count: number,
  options: GraphReadOptions,
  plan: ChunkPlan = {},
): AsyncGenerator<RawSecureScore[]> {
  let read = 0;
  let controls = Math.max(1, plan.controls ?? 1);
  const fitting = () => Math.max(1, Math.floor(MAX_CONTROL_SCORES_PER_REQUEST / controls));
  let asked = Math.min(count, FIRST_CHUNK, fitting());
  let firstId: unknown;
  while (read < count) {
    const release = (await plan.reserve?.(asked * controls)) ?? (() => {});
    try {
      const url = `/security/secureScores?$top=${asked}${read > 0 ? `&$skip=${read}` : ''}`;
      let got = 0;
      for await (const page of readPages(graph, url, options, asked)) {
        const snapshots = page as RawSecureScore[];
        if (read > 0 && got === 0 && snapshots[0] !== undefined && snapshots[0].id === firstId) {
          // $skip was not honoured: read everything still missing in one request instead.
          yield (await fetchSecureScores(graph, count, options)).slice(read);
          return;
        }
        if (read === 0 && got === 0) firstId = snapshots[0]?.id;
        got += snapshots.length;
        for (const s of snapshots) controls = Math.max(controls, Array.isArray(s?.controlScores) ? s.controlScores.length : 0);
        yield snapshots;
      }
      read += got;
      // Fewer than asked: Graph holds no older snapshot.
      if (got < asked) return;
    } finally {
      release();
    }
    asked = Math.min(count - read, fitting());
  }
}

/** Every control profile with its `controlStateUpdates` history, across all pages. */
export async function fetchControlProfiles(
  graph: GraphConnection,
  options: GraphReadOptions,
  limit = Infinity,
): Promise<RawControlProfile[]> {
  return (await readCollection(graph, '/security/secureScoreControlProfiles', options, limit)) as RawControlProfile[];
}
