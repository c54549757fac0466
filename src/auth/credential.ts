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
  const host = new URL(authorityHost).hostname.toLowerCase();
  return new DefaultAzureCredential({
    authorityHost,
    disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.has(host),
  } as ConstructorParameters<typeof DefaultAzureCredential>[0]);
}
