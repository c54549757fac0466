import type { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { MICROSOFT_AUTHORITY_HOSTS } from '../config/clouds.js';
import { lazyCredential } from './lazy-credential.js';
import { AuthorityWatch, DEFAULT_TOKEN_LIMITS, guardCredential, type TokenLimits } from './token-guard.js';

/**
 * The credential for Graph and Logs Ingestion, following the @azure/identity conventions:
 * AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH,
 * workload identity, managed identity, then the Azure CLI. Every token wait it makes has an end
 * (`limits`), and an unreachable authority is reported as a network problem, not a credential one.
 * @azure/identity is loaded by the first getToken: a run that needs no token never loads it.
 */
export function createCredential(authorityHost: string, limits: TokenLimits = DEFAULT_TOKEN_LIMITS): TokenCredential {
  const watch = new AuthorityWatch(authorityHost, limits);
  const options = credentialOptions(authorityHost, watch) as ConstructorParameters<typeof DefaultAzureCredential>[0];
  return guardCredential(
    lazyCredential((identity) => new identity.DefaultAzureCredential(options)),
    watch,
  );
}

/** What every credential of the connector is built with. */
export interface CredentialOptions {
  readonly authorityHost: string;
  readonly disableInstanceDiscovery: boolean;
  readonly additionalPolicies: Array<{ policy: AuthorityWatch['policy']; position: 'perCall' }>;
}

/**
 * Options every credential of the connector gets: the authority; instance discovery only for
 * Microsoft's own hosts (it asks login.microsoftonline.com about the authority, which fails for a
 * private proxy or a test stand-in); and the watch that bounds each request to the authority. The
 * SDK's pipeline honours HTTPS_PROXY and NO_PROXY itself.
 */
export function credentialOptions(authorityHost: string, watch: AuthorityWatch): CredentialOptions {
  return {
    authorityHost,
    disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase()),
    additionalPolicies: [{ policy: watch.policy, position: 'perCall' }],
  };
}
