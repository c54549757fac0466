import { sendJson, startHttpsServer, type RunningServer } from './https-server.js';

/** An Entra ID token endpoint on loopback: OIDC metadata and client-credentials tokens. */
export interface EntraStandIn extends RunningServer {
  /** Scopes tokens were issued for, in order. */
  readonly issued: string[];
  /** The access tokens handed out, so tests can prove none is ever printed. */
  readonly tokens: string[];
  /**
   * When true, token requests get a 200 status line and headers, then nothing more: the connection
   * stays open until the server closes (a stalled authority, or a proxy that stopped forwarding).
   */
  stallTokens: boolean;
  /** Token requests that were stalled so far. */
  readonly stalled: string[];
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.c3RhbmQtaW4`;
}

/**
 * Serves `/{tenant}/v2.0/.well-known/openid-configuration` and `/{tenant}/oauth2/v2.0/token` as
 * Entra does for a confidential client. Wrong secret or unknown client: AADSTS error, 401.
 */
export async function startEntraStandIn(options: {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** More tenants where the same (multi-tenant) app is consented. */
  otherTenants?: string[];
  /** Apps registered in one tenant only, with their own secret. */
  tenantApps?: Array<{ tenantId: string; clientId: string; clientSecret: string }>;
}): Promise<EntraStandIn> {
  const tenants = new Set([options.tenantId, ...(options.otherTenants ?? []), ...(options.tenantApps ?? []).map((a) => a.tenantId)]);
  const issued: string[] = [];
  const tokens: string[] = [];
  const stalled: string[] = [];
  // The handler reads `stallTokens` from the returned object so tests can flip it between runs.
  const state = { stallTokens: false };
  let base = '';
  const server = await startHttpsServer((req, res, body) => {
    const url = new URL(req.url ?? '/', base);
    const [, tenant, ...rest] = url.pathname.split('/');
    const path = rest.join('/');
    if (!tenant || !tenants.has(tenant)) {
      return sendJson(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
    }
    if (req.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') {
      // Like Entra, the endpoints it names are on the host name the client used (localhost or 127.0.0.1).
      const root = `${req.headers.host ? `https://${req.headers.host}` : base}/${tenant}`;
      return sendJson(res, 200, {
        token_endpoint: `${root}/oauth2/v2.0/token`,
        authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${root}/oauth2/v2.0/logout`,
        issuer: `${root}/v2.0`,
        jwks_uri: `${root}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
    }
    if (req.method === 'POST' && path === 'oauth2/v2.0/token') {
      if (state.stallTokens) {
        stalled.push(tenant);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        return;
      }
      const form = new URLSearchParams(body.toString('utf8'));
      const app = (options.tenantApps ?? []).find((a) => a.tenantId === tenant && a.clientId === form.get('client_id'));
      const multiTenant = tenant === options.tenantId || (options.otherTenants ?? []).includes(tenant);
      const expected = app ?? (multiTenant ? { clientId: options.clientId, clientSecret: options.clientSecret } : undefined);
      if (!expected || form.get('client_id') !== expected.clientId) {
        return sendJson(res, 400, {
          error: 'unauthorized_client',
          error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`,
        });
      }
      if (form.get('client_secret') !== expected.clientSecret) {
        return sendJson(res, 401, {
          error: 'invalid_client',
          error_description:
            'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        });
      }
      const scope = form.get('scope') ?? '';
      const resource = scope.split(' ').find((s) => s.endsWith('/.default')) ?? scope;
      issued.push(resource);
      const now = Math.floor(Date.now() / 1000);
      const accessToken = unsignedJwt({
        aud: resource.replace(/\/\.default$/, '').replace(/\/$/, ''),
        tid: tenant,
        appid: options.clientId,
        iat: now,
        exp: now + 3599,
      });
      tokens.push(accessToken);
      return sendJson(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
    }
    return sendJson(res, 404, { error: 'not_found', error_description: `stand-in has no ${req.method} ${url.pathname}` });
  });
  base = server.url;
  return Object.assign(state, { ...server, issued, tokens, stalled });
}
