import { ConnectorError } from '../errors.js';
import { FIRST_SNAPSHOT_CHUNK, MAX_CONTROL_SCORES_PER_REQUEST, MAX_ITEMS, MAX_PAGES } from '../limits.js';
import type { GraphConnection } from './graph-client.js';
import { getGraphJson, type GraphRetry } from './get-json.js';
import type { ChunkPlan, GraphStats } from './source.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import type { RawControlProfile, RawSecureScore } from '../normalize/graph-types.js';
import { snapshotDay } from '../normalize/snapshots.js';
import type { SnapshotWindow } from '../state/checkpoint.js';

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
 * The snapshots of `window` in chunks, newest first, so a big tenant never holds every day at once:
 * each request (`$top` with `$skip`) keeps one answer near MAX_CONTROL_SCORES_PER_REQUEST control
 * scores. A run that knows where to stop (`window.stopAt`) asks for two first, all a daily run needs.
 * Each chunk is reserved from the run's budget. If the service ignores `$skip`, the rest is read in
 * one request instead.
 */
export async function* secureScoreChunks(
  graph: GraphConnection,
  window: SnapshotWindow,
  options: GraphReadOptions,
  plan: ChunkPlan = {},
): AsyncGenerator<RawSecureScore[]> {
  const reader = new SnapshotChunkReader(graph, window, options, plan);
  try {
    for (;;) {
      let chunk = await reader.next();
      if (!chunk) return;
      yield chunk;
      // A suspended generator keeps its variables: without this, the chunk just processed would stay
      // alive while the next reservation waits, and every waiting tenant would hold one.
      chunk = undefined;
    }
  } finally {
    reader.close();
  }
}

/** What tells two snapshots apart when Graph's paging is checked: the id, else the date. */
function snapshotKey(snapshot: unknown): string | undefined {
  if (!snapshot || typeof snapshot !== 'object') return undefined;
  const { id, createdDateTime } = snapshot as RawSecureScore;
  if (typeof id === 'string' && id !== '') return `id:${id}`;
  return typeof createdDateTime === 'string' && createdDateTime !== '' ? `date:${createdDateTime}` : undefined;
}

/** Reads the chunks of {@link secureScoreChunks} one request at a time; holds no snapshot between calls. */
class SnapshotChunkReader {
  private read = 0;
  private controls: number;
  private asked: number;
  private firstKey: string | undefined;
  private done = false;
  private release: () => void = () => {};

  constructor(
    private readonly graph: GraphConnection,
    private readonly window: SnapshotWindow,
    private readonly options: GraphReadOptions,
    private readonly plan: ChunkPlan,
  ) {
    this.controls = Math.max(1, plan.controls ?? 1);
    this.asked = Math.min(window.max, window.stopAt === undefined ? FIRST_SNAPSHOT_CHUNK : 2, this.fitting());
  }

  private fitting(): number {
    return Math.max(1, Math.floor(MAX_CONTROL_SCORES_PER_REQUEST / this.controls));
  }

  /** The next chunk (the previous one is given back first), or undefined when there is no more. */
  async next(): Promise<RawSecureScore[] | undefined> {
    this.close();
    if (this.done || this.read >= this.window.max) return undefined;
    this.release = (await this.plan.reserve?.(this.asked * this.controls)) ?? (() => {});
    const url = `/security/secureScores?$top=${this.asked}${this.read > 0 ? `&$skip=${this.read}` : ''}`;
    const snapshots = (await readCollection(this.graph, url, this.options, this.asked)) as RawSecureScore[];
    const key = snapshotKey(snapshots[0]);
    if (this.read > 0 && key !== undefined && key === this.firstKey) {
      // $skip was not honoured: read everything still missing in one request instead.
      this.done = true;
      return (await fetchSecureScores(this.graph, this.window.max, this.options)).slice(this.read);
    }
    if (this.read === 0) this.firstKey = key;
    for (const s of snapshots) this.controls = Math.max(this.controls, Array.isArray(s?.controlScores) ? s.controlScores.length : 0);
    this.read += snapshots.length;
    // Fewer than asked: Graph holds no older snapshot. One on or before stopAt: nothing older is needed.
    if (snapshots.length < this.asked || this.reachedStop(snapshots)) this.done = true;
    this.asked = Math.min(this.window.max - this.read, this.read < FIRST_SNAPSHOT_CHUNK ? FIRST_SNAPSHOT_CHUNK : Infinity, this.fitting());
    return snapshots.length > 0 ? snapshots : undefined;
  }

  private reachedStop(snapshots: readonly unknown[]): boolean {
    const stopAt = this.window.stopAt;
    if (stopAt === undefined) return false;
    return snapshots.some((s) => {
      const day = snapshotDay(s);
      return day !== undefined && day <= stopAt;
    });
  }

  /** Gives back the reservation of the chunk last returned. */
  close(): void {
    this.release();
    this.release = () => {};
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
