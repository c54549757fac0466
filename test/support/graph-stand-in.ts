import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { FaultQueue } from './faults.js';
import { bearerClaims, sendJson, startHttpsServer, type RunningServer } from './https-server.js';

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
  const control = { delayMs: 0 };
  const tenants = new Map<string, GraphData>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let base = '';
  // Opaque tokens with percent-escapes a careless client would decode or re-encode; a nextLink
  // must come back byte for byte, so the offset is read from the raw query.
  const skiptoken = (offset: number) => `X%27${Buffer.from(`offset=${offset}`).toString('base64url')}%3D%27`;
  const offsetOf = (rawUrl: string): number | undefined => {
    const match = /[?&]\$skiptoken=X%27([A-Za-z0-9_-]+)%3D%27(?:&|$)/.exec(rawUrl);
    if (!match) return undefined;
    return Number(/^offset=(\d+)$/.exec(Buffer.from(match[1]!, 'base64url').toString('utf8'))?.[1] ?? NaN);
  };

  const page = (origin: string, items: unknown[], offset: number, size: number, path: string, extra = '', endless = false) => {
    const slice = items.slice(offset, offset + size);
    const body: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#security/${path}`, value: slice };
    if (offset + size < items.length || endless) {
      const link = `${origin}/v1.0/security/${path}?${extra}$skiptoken=${skiptoken(offset + size)}`;
      nextLinks.push(link);
      body['@odata.nextLink'] = link;
    }
    return body;
  };

  const server = await startHttpsServer(async (req, res) => {
    const raw = req.url ?? '/';
    const claims = bearerClaims(req);
    const tid = String(claims?.tid ?? '');
    inFlight.set(tid, (inFlight.get(tid) ?? 0) + 1);
    maxInFlight.set(tid, Math.max(maxInFlight.get(tid) ?? 0, inFlight.get(tid)!));
    res.on('close', () => inFlight.set(tid, inFlight.get(tid)! - 1));
    if (control.delayMs > 0) await new Promise((r) => setTimeout(r, control.delayMs));
    requests.push(raw);
    // Reached as https://localhost:<port> too (NO_PROXY tests): links and audience follow the name used.
    const origin = req.headers.host ? `https://${req.headers.host}` : base;
    if (!claims || claims.aud !== origin) {
      return sendJson(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' } });
    }
    const served = tenants.get(tid) ?? data;
    if (served.failWith)
      return sendJson(res, served.failWith, { error: { code: 'ServiceUnavailable', message: 'injected by the stand-in' } });
    if (faults.serve(raw, res)) return;
    const url = new URL(raw, base);
    const hasToken = url.searchParams.has('$skiptoken');
    const offset = hasToken ? offsetOf(raw) : 0;
    if (offset === undefined || Number.isNaN(offset))
      return sendJson(res, 400, { error: { code: 'BadRequest', message: 'Invalid skip token.' } });
    if (url.pathname === '/v1.0/security/secureScores') {
      // $top days from $skip on, newest first, as documented.
      const top = Number(url.searchParams.get('$top') ?? '1');
      const skip = Number(url.searchParams.get('$skip') ?? '0');
      const query = `$top=${top}&${skip > 0 ? `$skip=${skip}&` : ''}`;
      return sendJson(
        res,
        200,
        page(origin, served.secureScores.slice(skip, skip + top), offset, served.scorePageSize ?? 1000, 'secureScores', query),
      );
    }
    if (url.pathname === '/v1.0/security/secureScoreControlProfiles') {
      return sendJson(
        res,
        200,
        page(origin, served.profiles, offset, served.profilePageSize ?? 200, 'secureScoreControlProfiles', '', served.endlessProfiles),
      );
    }
    return sendJson(res, 404, { error: { code: 'ResourceNotFound', message: `Resource not found for the segment '${url.pathname}'.` } });
  });
  base = server.url;
  return Object.defineProperty(
    { ...server, faults, requests, nextLinks, data, tenants, maxInFlight } as unknown as GraphStandIn,
    'delayMs',
    {
      get: () => control.delayMs,
      set: (v: number) => (control.delayMs = v),
    },
  );
}
