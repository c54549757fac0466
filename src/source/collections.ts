import { ConnectorError } from '../errors.js';
import type { GraphConnection } from './graph-client.js';
import { getGraphJson } from './get-json.js';
import type { GraphStats } from './source.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import type { RawControlProfile, RawSecureScore, TenantSnapshotSet } from '../normalize/graph-types.js';

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
}

/**
 * Reads every page of a collection, following `@odata.nextLink` verbatim until it ends or
 * `limit` items are in hand. A page that fails after retries fails the whole read: half a
 * collection would produce half-enriched records.
 */
async function readCollection(graph: GraphConnection, firstUrl: string, options: GraphReadOptions, limit = Infinity): Promise<unknown[]> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let url: string | undefined = firstUrl;
  while (url && items.length < limit) {
    if (seen.has(url)) {
      throw new ConnectorError(
        'GRAPH',
        `Graph ${firstUrl}: the service returned the same nextLink twice. Report this; the run stops to avoid looping`,
      );
    }
    seen.add(url);
    const page = asPage(await getGraphJson(graph, url, options.policy, options.stats, options.signal), firstUrl);
    items.push(...page.value);
    url = page.nextLink;
  }
  return items.slice(0, limit);
}

/** The newest `count` daily snapshots, newest first (Graph keeps 90). */
export async function fetchSecureScores(graph: GraphConnection, count: number, options: GraphReadOptions): Promise<RawSecureScore[]> {
  const items = await readCollection(graph, `/security/secureScores?$top=${count}`, options, count);
  return items as RawSecureScore[];
}

/** Every control profile with its `controlStateUpdates` history, across all pages. */
export async function fetchControlProfiles(
  graph: GraphConnection,
  options: GraphReadOptions,
  limit = Infinity,
): Promise<RawControlProfile[]> {
  return (await readCollection(graph, '/security/secureScoreControlProfiles', options, limit)) as RawControlProfile[];
}

/**
 * Everything one tenant run needs from Graph. Two collections, read one after the other: the
 * documented limit is 4 concurrent requests per app per tenant, and other tenants share the app.
 */
export async function fetchTenantSnapshots(
  graph: GraphConnection,
  snapshotCount: number,
  options: GraphReadOptions,
): Promise<TenantSnapshotSet> {
  const secureScores = await fetchSecureScores(graph, snapshotCount, options);
  const profiles = await fetchControlProfiles(graph, options);
  return { secureScores, profiles };
}
