import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { GRAPH_HOSTS } from '../config/clouds.js';
import { lazy } from '../lazy.js';

// graph-client is CommonJS: required directly, it skips the ESM loader's wrapping of every file.
const require = createRequire(import.meta.url);

/** A Graph client plus the root it talks to. */
export interface GraphConnection {
  /** e.g. `https://graph.microsoft.com/v1.0` */
  readonly baseUrl: string;
  /**
   * GETs an absolute URL through graph-client and answers with the raw fetch `Response`, whatever
   * its status (getGraphJson reads 429, 206 and errors itself). The first call builds the client.
   */
  get(url: string, signal: AbortSignal): Promise<Response>;
}

/**
 * Builds the Graph client: authentication then transport (graph-transport.ts) only, as retries live in
 * `getGraphJson`, which must also retry what graph-client's RetryHandler does not cover.
 *
 * graph-client only attaches the bearer token to Microsoft Graph hosts or to `customHosts`, so a
 * non-Microsoft `--graph-endpoint` (a sovereign proxy, a test stand-in) is registered as one.
 *
 * The libraries load on the first request, so a run that never reads Graph never loads them.
 */
export function createGraphConnection(credential: TokenCredential, graphEndpoint: string): GraphConnection {
  const root = new URL(graphEndpoint);
  const client = lazy(() => buildClient(credential, root));
  return {
    baseUrl: `${root.origin}/v1.0`,
    async get(url, signal) {
      const graph = await client();
      return (await graph.client.api(url).option('signal', signal).responseType(graph.raw).get()) as Response;
    },
  };
}

async function buildClient(credential: TokenCredential, root: URL): Promise<{ client: Client; raw: ResponseType }> {
  const graphClient = require('@microsoft/microsoft-graph-client') as typeof import('@microsoft/microsoft-graph-client');
  // The directory import fails under ESM; the file path is the documented workaround.
  const azureAuth = require('@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js') as {
    TokenCredentialAuthenticationProvider: typeof TokenCredentialAuthenticationProvider;
  };
  const { PipelineTransport } = await import('./graph-transport.js');
  const scope = `${root.origin}/.default`;
  const authProvider = new azureAuth.TokenCredentialAuthenticationProvider(credential, { scopes: [scope] });
  const auth = new graphClient.AuthenticationHandler(authProvider);
  auth.setNext(new PipelineTransport());
  const customHosts = GRAPH_HOSTS.has(root.hostname.toLowerCase()) ? undefined : new Set([root.hostname]);
  const client = graphClient.Client.initWithMiddleware({ middleware: auth, customHosts, defaultVersion: 'v1.0' });
  return { client, raw: graphClient.ResponseType.RAW };
}
