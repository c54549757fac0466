import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { MICROSOFT_AUTHORITY_HOSTS } from '../config/clouds.js';

/**
 * The credential for Graph and Logs Ingestion, following the @azure/identity conventions:
 * AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH,
 * workload identity, managed identity, then the Azure CLI.
 *
 * Instance discovery asks login.microsoftonline.com whether the authority is known; for any other
 * host (a private proxy, a test stand-in) that call fails, so it is turned off there.
 */
export function createCredential(authorityHost: string): TokenCredential {
  return new DefaultAzureCredential(credentialOptions(authorityHost) as ConstructorParameters<typeof DefaultAzureCredential>[0]);
}

/** Options every credential of the connector gets: the authority, and instance discovery only for Microsoft's own hosts. */
export function credentialOptions(authorityHost: string): { authorityHost: string; disableInstanceDiscovery: boolean } {
  return { authorityHost, disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase()) };
}
