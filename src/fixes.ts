/**
 * The one catalogue of "this answer means that; do this": every status or error text the connector
 * meets from Microsoft Graph, the Logs Ingestion API, Blob Storage and Entra ID, mapped to the
 * problem in plain words and the fix. Graph, the sinks, the state stores, the identity code and
 * `doctor` all read it, and a test checks docs/troubleshooting.md against it, so a new
 * rule is one row here.
 */
import type { ErrorCode } from './errors.js';

/** The services whose answers the catalogue explains. */
export type Service = 'graph' | 'ingestion' | 'storage' | 'identity' | 'network';

/** One row of the catalogue. */
export interface FixRule {
  readonly service: Service;
  /** HTTP status it applies to; undefined for rules matched by text only (identity, network). */
  readonly status?: number;
  /** Extra condition on the answer's text (error body or message). */
  readonly match?: RegExp;
  /** What the answer means. */
  readonly problem: string;
  /** What to do about it. */
  readonly fix: string;
  /** How the run ends when this is why a tenant failed: AUTH/CONFIG need a person (exit 2). */
  readonly code?: ErrorCode;
  /** False when another attempt within the run cannot help (someone must act first; the next run may succeed). */
  readonly retry?: false;
}

/** Every rule, most specific first within a service. */
export const FIX_RULES: readonly FixRule[] = [
  // Microsoft Graph
  {
    service: 'graph',
    status: 401,
    problem: 'the token was rejected',
    fix: 'Check that the app registration lives in the tenant you read and that --cloud matches it',
    code: 'AUTH',
  },
  {
    service: 'graph',
    status: 403,
    problem: 'the app may not read Secure Score',
    fix: 'Grant the Microsoft Graph application permission SecurityEvents.Read.All to the app (or managed identity) and give admin consent',
    code: 'AUTH',
  },
  {
    service: 'graph',
    status: 404,
    problem: 'no such Graph resource',
    fix: 'Check --graph-endpoint: it must be the Graph root, such as https://graph.microsoft.com',
  },
  {
    service: 'graph',
    status: 429,
    problem: 'throttled (4 concurrent and 150 requests a minute per app per tenant)',
    fix: 'The next run fetches it again; run less often or spread tenants over time',
  },
  {
    service: 'graph',
    status: 206,
    problem: 'a Secure Score provider behind Graph failed (206 Partial Content)',
    fix: 'Nothing was ingested for the tenant; the next run fetches it again',
  },

  // Logs Ingestion API
  {
    service: 'ingestion',
    status: 400,
    problem: 'the DCR rejected the payload',
    fix: 'Redeploy dcr-templates/securescore-dcr.json so the stream declaration matches this connector version',
    code: 'CONFIG',
  },
  {
    service: 'ingestion',
    status: 401,
    problem: 'the token was rejected',
    fix: 'Check --cloud (the ingestion audience) matches the cloud of the DCR',
    code: 'AUTH',
  },
  {
    service: 'ingestion',
    status: 403,
    match: /IsDcrDceBindingValid:\s*False/i,
    problem: "the endpoint is not this DCR's (another data collection endpoint, or another region)",
    fix: 'Use the logsIngestionEndpoint output of the DCR deployment',
    code: 'CONFIG',
  },
  {
    service: 'ingestion',
    status: 403,
    problem: 'the identity may not send to this DCR',
    fix: 'Grant the "Monitoring Metrics Publisher" role on the data collection rule to the identity running the connector (role assignments can take up to 30 minutes to apply)',
    code: 'AUTH',
  },
  {
    service: 'ingestion',
    status: 404,
    match: /stream/i,
    problem: 'the stream is not declared in this DCR',
    fix: 'Check --stream-name (Custom-MicrosoftSecureScore) or redeploy dcr-templates/securescore-dcr.json',
    code: 'CONFIG',
  },
  {
    service: 'ingestion',
    status: 404,
    problem: 'no DCR with that immutable id behind this endpoint',
    fix: "Check --dcr-immutable-id (dcr-...) and that --ingestion-endpoint is the DCR's own endpoint, in the DCR's region",
    code: 'CONFIG',
  },
  {
    service: 'ingestion',
    status: 413,
    problem: 'a request was over the 1 MB limit',
    fix: 'Report this as a bug with the dead-letter file',
  },
  {
    service: 'ingestion',
    status: 429,
    problem: 'the ingestion endpoint is throttling',
    fix: 'The records are kept; the next run or `replay` sends them',
  },
  {
    service: 'ingestion',
    status: 503,
    problem: 'the ingestion endpoint is unavailable',
    fix: 'The records are kept; the next run or `replay` sends them',
  },

  // Azure Blob Storage (checkpoints, dead letters)
  {
    service: 'storage',
    status: 403,
    problem: 'the identity may not write the container',
    fix: 'Grant the identity "Storage Blob Data Contributor" on the container',
    code: 'AUTH',
  },
  {
    service: 'storage',
    status: 404,
    problem: 'the container does not exist',
    fix: 'Create the container named in the URL',
    code: 'CONFIG',
  },
  {
    service: 'storage',
    status: 409,
    problem: 'another run changed the blob',
    fix: 'The records are delivered; the next run continues from the newer checkpoint',
  },
  {
    service: 'storage',
    status: 412,
    problem: 'another run changed the blob',
    fix: 'The records are delivered; the next run continues from the newer checkpoint',
  },

  // Entra ID (token requests)
  {
    service: 'identity',
    match: /AADSTS7000215/,
    problem: 'wrong client secret (the secret id instead of its value is common)',
    fix: 'Copy the secret value into AZURE_CLIENT_SECRET',
    code: 'AUTH',
  },
  {
    service: 'identity',
    match: /AADSTS700016/,
    problem: 'the client id is not known in that tenant',
    fix: 'Check AZURE_CLIENT_ID and AZURE_TENANT_ID',
    code: 'AUTH',
  },
  {
    // What Entra answers a token request for an unknown tenant. MSAL has Microsoft's own authorities
    // built in and caches a discovered one per app, so this, not a failed discovery, is the usual form.
    service: 'identity',
    match: /AADSTS90002/,
    problem: 'the authority does not know this tenant (a wrong tenant id, or --cloud/--authority-host pointing at another cloud)',
    fix: 'Check AZURE_TENANT_ID (or the tenantId in the tenants file) and --cloud',
    code: 'AUTH',
  },
  {
    service: 'identity',
    match: /endpoints_resolution_error/,
    problem: 'the authority does not know this tenant (a wrong tenant id, or --cloud/--authority-host pointing at another cloud)',
    fix: 'Check AZURE_TENANT_ID and --cloud',
    code: 'AUTH',
  },

  // The network path to any of them (matched by Node's error code; `timeout` and the EPROXY codes
  // are the connector's own, src/http/proxy-tunnel.ts). A proxy named in HTTPS_PROXY that opens no tunnel:
  {
    service: 'network',
    match: /EPROXYAUTH/,
    problem: 'the proxy wants credentials (407 Proxy Authentication Required)',
    fix: 'Put the user and password in the proxy URL (HTTPS_PROXY=http://user:password@proxy:port), or have the proxy allow this host without them. The next run tries again',
    code: 'NETWORK',
    retry: false,
  },
  {
    service: 'network',
    match: /EPROXYREFUSED/,
    problem: 'the proxy refused to open a connection to the host',
    fix: 'Have the proxy allow this host on port 443, or send it around the proxy with NO_PROXY. The next run tries again',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /EPROXYCLOSED/,
    problem: 'the proxy closed the connection without answering (it may not allow this host)',
    fix: 'Have the proxy allow this host on port 443, or send it around the proxy with NO_PROXY. The next run tries again',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /EPROXYTIMEOUT/,
    problem: 'the proxy took the connection and never answered',
    fix: 'Check that HTTPS_PROXY names the right proxy and port and that the proxy works. The next run tries again',
    code: 'NETWORK',
  },
  {
    // An answer in place of the service's: a proxy on the path that HTTPS_PROXY does not name (it
    // intercepts), or a proxy URL without the credentials it wants.
    service: 'network',
    status: 407,
    problem: 'a proxy on the way wants credentials (407 Proxy Authentication Required)',
    fix: 'Name the proxy with its user and password in HTTPS_PROXY (http://user:password@proxy:port), or have it allow this host. The next run tries again',
    code: 'NETWORK',
    retry: false,
  },
  // Any connection:
  {
    service: 'network',
    match: /ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL/,
    problem: 'the host name does not resolve (DNS)',
    fix: 'Check the host name and the DNS server this machine uses; behind a proxy, set HTTPS_PROXY. The next run tries again',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /ECONNREFUSED/,
    problem: 'the connection was refused (nothing listens there, or a proxy or firewall refused it)',
    fix: 'Check the port, that HTTPS_PROXY names a running proxy, and that the firewall lets this host through. The next run tries again',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /ECONNRESET|EPIPE|ECONNABORTED|socket hang up/i,
    problem: 'the connection was cut (a proxy, firewall or TLS inspection closed it)',
    fix: 'The next run tries again; if it persists, check that the proxy and firewall allow this host',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/,
    problem: 'no route to the host',
    fix: 'Check the network and proxy settings (HTTPS_PROXY, NO_PROXY) of this machine. The next run tries again',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /ETIMEDOUT|timeout/i,
    problem: 'no answer in time',
    fix: 'The next run tries again; if it persists, check the network path and proxy to this host',
    code: 'NETWORK',
  },
  {
    service: 'network',
    match: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/,
    problem: 'the TLS certificate is not trusted (often a proxy inspecting TLS)',
    fix: "Give Node the proxy's CA certificate with NODE_EXTRA_CA_CERTS",
    code: 'CONFIG',
    retry: false,
  },
];

/** Fallback fixes when no rule matches, per service. */
export const DEFAULT_FIXES: Readonly<Record<Service, string>> = {
  graph: 'Check --graph-endpoint and the Graph service health',
  ingestion: 'Check --ingestion-endpoint is reachable from here; the records are kept for the next run',
  storage: 'Check the URL and the network path to the storage account',
  identity:
    'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (or the managed identity), and that --cloud matches the tenant',
  network: 'Check the network path and the proxy settings (HTTPS_PROXY, NO_PROXY) to this host. The next run tries again',
};

/**
 * The first rule for this service that fits the status and text, if any. For a service reached over
 * HTTP (Graph, ingestion, storage), an answer about the way there (407 from a proxy) and a failure
 * with no answer at all (no status: the text is the error's) are explained by the network rows.
 */
export function findFix(service: Service, status: number | undefined, text = ''): FixRule | undefined {
  const fits = (r: FixRule) => (r.status === undefined || r.status === status) && (!r.match || r.match.test(text));
  const own = FIX_RULES.find((r) => r.service === service && fits(r));
  if (own || service === 'identity' || service === 'network') return own;
  return FIX_RULES.find((r) => r.service === 'network' && (status === undefined ? r.status === undefined : r.status === status) && fits(r));
}

/**
 * The network failure inside an error, if it is one: the first Node error code (`ENOTFOUND`,
 * `ECONNREFUSED`...) found on the error or its causes, with the catalogue's rule for it. SDKs wrap
 * these errors once or twice, so the chain is walked.
 */
export function networkFailure(error: unknown): { code: string; rule: FixRule } | undefined {
  const seen = new Set<unknown>();
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined;
    e && typeof e === 'object' && !seen.has(e);
    e = e.cause as typeof e
  ) {
    seen.add(e);
    const rule = typeof e.code === 'string' ? findFix('network', undefined, e.code) : undefined;
    if (rule) return { code: e.code as string, rule };
  }
  return undefined;
}

/** `cannot reach <host>[ through proxy <proxy>] (<code>): <problem>`, the middle of every network message. */
export function cannotReach(host: string, failure: { code: string; rule: FixRule }, proxy?: string): string {
  return `cannot reach ${host}${proxy ? ` through proxy ${proxy}` : ''} (${failure.code}): ${failure.rule.problem}`;
}
