import type { TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client } from '@microsoft/microsoft-graph-client';
// The directory import fails under ESM; the file path is the documented workaround.
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { GRAPH_HOSTS } from '../config/clouds.js';
import { PipelineTransport } from './graph-transport.js';

/** A Graph client plus the root it talks to. */
export interface GraphConnection {
  readonly client: Client;
  /** e.g. `https://graph.microsoft.com/v1.0` */
  readonly baseUrl: string;
}

/**
 * Builds the Graph client. The middleware chain is authentication then transport only: retries
 * live in `getGraphJson`, which also has to retry what graph-client's RetryHandler does not
 * cover (206 Partial Content, connection resets, time-outs, bodies that are not JSON). The
 * transport is @azure/core-rest-pipeline's, so HTTPS_PROXY and NO_PROXY apply to Graph too.
 *
 * graph-client only attaches the bearer token to Microsoft Graph hosts or to `customHosts`, so a
 * non-Microsoft `--graph-endpoint` (a sovereign proxy, a test stand-in) is registered as one.
 */
export function createGraphConnection(credential: TokenCredential, graphEndpoint: string): GraphConnection {
  const root = new URL(graphEndpoint);
  const scope = `${root.origin}/.default`;
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [scope] });
  const auth = new AuthenticationHandler(authProvider);
  auth.setNext(new PipelineTransport());
  const customHosts = GRAPH_HOSTS.has(root.hostname.toLowerCase()) ? undefined : new Set([root.hostname]);
  const client = Client.initWithMiddleware({ middleware: auth, customHosts, defaultVersion: 'v1.0' });
  return { client, baseUrl: `${root.origin}/v1.0` };
}
