import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { FaultQueue } from './faults.js';
import { bearerClaims, sendJson, startHttpsServer, type RunningServer } from './https-server.js';
import { nextLinkOf, offsetOf, pageChunks, sendChunks, type PagedCollection, type PagePosition } from './odata-page.js';

/** Microsoft Graph's Secure Score endpoints on loopback. */
export interface GraphStandIn extends RunningServer {
  readonly faults: FaultQueue;
  /** Every request's path and query as received, in order. */
  readonly requests: string[];
  /** nextLinks handed out, to prove the client sent them back verbatim. */
  readonly nextLinks: string[];
  /** What is served; replace fields between runs to model a new day in the tenant. */
  readonly data: GraphData;
  /** Delay before every answer, to give a kill something to interrupt. */
  delayMs: number;
  /** Other tenants' data, by tenant id (the token's tid); tenants not listed get `data`. */
  readonly tenants: Map<string, GraphData>;
  /** Most requests in flight at once, per tenant: Graph allows 4 per app per tenant. */
  readonly maxInFlight: Map<string, number>;
  /**
   * Makes a tenant's data item by item on request instead of holding it (tenants too big or too
   * many to keep in memory); consulted before `tenants` and `data`. Undefined: not used.
   */
  generate: ((tenantId: string) => GeneratedTenant | undefined) | undefined;
  /** Pages answered 200, with the tenant (token tid) they were for, in order. */
  readonly served: Array<{ tenantId: string; url: string }>;
  /**
   * A readiness signal: resolves when the next request matching `match` arrives (requests before the
   * call do not count), before any `delayMs` or fault. A run reads a tenant's Graph only once it holds
   * the tenant's lock or lease, so this says "that tenant is held now" without guessing a delay.
   */
  asked(match: (request: GraphRequest) => boolean): Promise<void>;
}

/** A request as it arrived: the tenant it was for (the token's tid) and its path and query. */
interface GraphRequest {
  readonly tenantId: string;
  readonly url: string;
}

/** A tenant whose data is made on request, one item at a time (see `GraphStandIn.generate`). */
export interface GeneratedTenant {
  readonly scoreCount: number;
  readonly profileCount: number;
  /** The index-th daily snapshot, newest first (0 = newest), as Graph orders them. */
  secureScore(index: number): RawSecureScore;
  profile(index: number): RawControlProfile;
  readonly scorePageSize?: number;
  readonly profilePageSize?: number;
}

/** The tenant a Graph stand-in serves. */
export interface GraphData {
  secureScores: RawSecureScore[];
  profiles: RawControlProfile[];
  profilePageSize?: number;
  scorePageSize?: number;
  /** Answer every request with this status (a tenant whose Graph keeps failing). */
  failWith?: number;
  /** Every profile page carries a new nextLink, for ever (a service that never stops paging). */
  endlessProfiles?: boolean;
}

/**
 * Serves `/v1.0/security/secureScores` (newest first, `$top` and `$skip`) and
 * `/v1.0/security/secureScoreControlProfiles` (paged with opaque `$skiptoken` nextLinks), and
 * answers 401 unless the bearer token's audience is this server.
 */
export async function startGraphStandIn(data: GraphData): Promise<GraphStandIn> {
  const faults = new FaultQueue();
  const requests: string[] = [];
  const nextLinks: string[] = [];
  const served: Array<{ tenantId: string; url: string }> = [];
  const control: { delayMs: number; generate: GraphStandIn['generate'] } = { delayMs: 0, generate: undefined };
  const tenants = new Map<string, GraphData>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const waiting: Array<{ match: (request: GraphRequest) => boolean; resolve: () => void }> = [];
  const asked = (match: (request: GraphRequest) => boolean) => new Promise<void>((resolve) => waiting.push({ match, resolve }));
  let base = '';

  const server = await startHttpsServer(async (req, res) => {
    const raw = req.url ?? '/';
    const claims = bearerClaims(req);
    const tid = String(claims?.tid ?? '');
    inFlight.set(tid, (inFlight.get(tid) ?? 0) + 1);
    maxInFlight.set(tid, Math.max(maxInFlight.get(tid) ?? 0, inFlight.get(tid)!));
    res.on('close', () => inFlight.set(tid, inFlight.get(tid)! - 1));
    const request = { tenantId: tid, url: raw };
    for (const w of waiting.filter((w) => w.match(request))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
    if (control.delayMs > 0) await new Promise((r) => setTimeout(r, control.delayMs));
    requests.push(raw);
    // Reached as https://localhost:<port> too (NO_PROXY tests): links and audience follow the name used.
    const origin = req.headers.host ? `https://${req.headers.host}` : base;
    if (!claims || claims.aud !== origin) {
      return sendJson(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' } });
    }
    const generated = control.generate?.(tid);
    const tenant = generated ?? tenants.get(tid) ?? data;
    if ('failWith' in tenant && tenant.failWith)
      return sendJson(res, tenant.failWith, { error: { code: 'ServiceUnavailable', message: 'injected by the stand-in' } });
    if (faults.serve(raw, res)) return;
    const page = locatePage(generated ? generatedCollections(generated) : heldCollections(tenant as GraphData), origin, raw);
    if ('status' in page) return sendJson(res, page.status, { error: page.error });
    const link = nextLinkOf(page.collection, page.at);
    if (link) nextLinks.push(link);
    served.push({ tenantId: tid, url: raw });
    await sendChunks(res, pageChunks(page.collection, page.at));
  });
  base = server.url;
  return Object.defineProperties(
    { ...server, faults, requests, nextLinks, served, data, tenants, maxInFlight, asked } as unknown as GraphStandIn,
    {
      delayMs: { get: () => control.delayMs, set: (v: number) => (control.delayMs = v) },
      generate: { get: () => control.generate, set: (v: GraphStandIn['generate']) => (control.generate = v) },
    },
  );
}

/** The two collections a tenant serves. */
interface TenantCollections {
  /** Snapshots for a `$top` from `$skip` on, newest first. */
  readonly secureScores: (top: number, skip: number) => PagedCollection;
  readonly profiles: PagedCollection;
}

function heldCollections(data: GraphData): TenantCollections {
  return {
    secureScores: (top, skip) => {
      const items = data.secureScores.slice(skip, skip + top);
      return { total: items.length, itemAt: (i) => items[i], pageSize: data.scorePageSize ?? 1000 };
    },
    profiles: {
      total: data.profiles.length,
      itemAt: (i) => data.profiles[i],
      pageSize: data.profilePageSize ?? 200,
      endless: data.endlessProfiles,
    },
  };
}

function generatedCollections(tenant: GeneratedTenant): TenantCollections {
  return {
    secureScores: (top, skip) => ({
      total: Math.max(0, Math.min(top, tenant.scoreCount - skip)),
      itemAt: (i) => tenant.secureScore(skip + i),
      pageSize: tenant.scorePageSize ?? 1000,
    }),
    profiles: { total: tenant.profileCount, itemAt: (i) => tenant.profile(i), pageSize: tenant.profilePageSize ?? 200 },
  };
}

type LocatedPage = { collection: PagedCollection; at: PagePosition } | { status: number; error: { code: string; message: string } };

/** Which page of which collection a raw request URL asks for, or the error Graph would answer. */
function locatePage(collections: TenantCollections, base: string, raw: string): LocatedPage {
  const url = new URL(raw, base);
  const offset = url.searchParams.has('$skiptoken') ? offsetOf(raw) : 0;
  if (offset === undefined || Number.isNaN(offset)) return { status: 400, error: { code: 'BadRequest', message: 'Invalid skip token.' } };
  if (url.pathname === '/v1.0/security/secureScores') {
    // $top days from $skip on, newest first, as documented.
    const top = Number(url.searchParams.get('$top') ?? '1');
    const skip = Number(url.searchParams.get('$skip') ?? '0');
    const extraQuery = `$top=${top}&${skip > 0 ? `$skip=${skip}&` : ''}`;
    return { collection: collections.secureScores(top, skip), at: { base, path: 'secureScores', offset, extraQuery } };
  }
  if (url.pathname === '/v1.0/security/secureScoreControlProfiles') {
    return { collection: collections.profiles, at: { base, path: 'secureScoreControlProfiles', offset, extraQuery: '' } };
  }
  return { status: 404, error: { code: 'ResourceNotFound', message: `Resource not found for the segment '${url.pathname}'.` } };
}

/**
 * The JSON text, in pieces, that the stand-in at `base` answered to `url` for a generated tenant:
 * lets the bench time parsing exactly the payload the CLI was sent, without having kept it.
 */
export function generatedPageChunks(tenant: GeneratedTenant, base: string, url: string): Iterable<string> {
  const page = locatePage(generatedCollections(tenant), base, url);
  if ('status' in page) throw new Error(`Graph stand-in: ${url} is not a page it serves (${page.error.message})`);
  return pageChunks(page.collection, page.at);
}
