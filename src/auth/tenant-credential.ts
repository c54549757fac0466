import type { TokenCredential } from '@azure/identity';
import type { TenantEntry } from '../config/tenants.js';
import { ConnectorError } from '../errors.js';
import { appCredential, type AppIdentity } from './shared-app.js';
import { DEFAULT_TOKEN_LIMITS, guardCredential, type TokenLimits } from './token-guard.js';

/**
 * The credential that reads one tenant of a `--tenants` list, following the @azure/identity
 * conventions with the tenant id taken from the list: the entry's own secret (named by
 * clientSecretEnv) or certificate, else the environment's multi-tenant app (AZURE_CLIENT_ID with
 * AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or a workload identity token file). The home
 * tenant may also use `home` (managed identity, Azure CLI...). Managed identities cannot read other
 * tenants, so that case is refused with the fix. Like the home credential, every token wait has an
 * end (`limits`) and an unreachable authority is a network problem. Which credential it is, and
 * what is missing, is decided here and now; the SDK credential is built by the first getToken, and
 * shared by the tenants of the same app within a run (`limits` identifies the run; see appCredential).
 */
export function tenantCredential(
  entry: TenantEntry,
  env: NodeJS.ProcessEnv,
  authorityHost: string,
  home: () => TokenCredential,
  limits: TokenLimits = DEFAULT_TOKEN_LIMITS,
): TokenCredential {
  const app = ownApp(entry, env);
  if (!app) return home();
  const { credential, watch } = appCredential(app, entry.tenantId, authorityHost, limits, env);
  return guardCredential(credential, watch);
}

/** The app that reads the tenant, or undefined when the home credential does. */
function ownApp(entry: TenantEntry, env: NodeJS.ProcessEnv): AppIdentity | undefined {
  const clientId = entry.clientId ?? env.AZURE_CLIENT_ID;
  const need = (what: string): never => {
    throw new ConnectorError('CONFIG', `Tenant ${entry.tenantId}: ${what}. Set clientId in the tenants file or AZURE_CLIENT_ID`);
  };
  if (entry.clientSecretEnv) {
    const secret = env[entry.clientSecretEnv];
    // The name is not repeated: a secret pasted into clientSecretEnv by mistake can look like a
    // variable name, and this message reaches the console and ConnectorRun.ErrorMessage.
    if (!secret)
      throw new ConnectorError(
        'CONFIG',
        `Tenant ${entry.tenantId}: the environment variable that clientSecretEnv names is not set. Set it to the client secret of that tenant's app, and put only the variable's name in the tenants file`,
      );
    return { kind: 'secret', clientId: clientId ?? need('no client id for its secret'), secret };
  }
  if (entry.certificatePath) {
    return { kind: 'certificate', clientId: clientId ?? need('no client id for its certificate'), certificatePath: entry.certificatePath };
  }
  if (clientId && env.AZURE_CLIENT_SECRET) return { kind: 'secret', clientId, secret: env.AZURE_CLIENT_SECRET };
  if (clientId && env.AZURE_CLIENT_CERTIFICATE_PATH) {
    return {
      kind: 'certificate',
      clientId,
      certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH,
      certificatePassword: env.AZURE_CLIENT_CERTIFICATE_PASSWORD,
    };
  }
  if (clientId && env.AZURE_FEDERATED_TOKEN_FILE) return { kind: 'workload', clientId, tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE };
  if (!env.AZURE_TENANT_ID || env.AZURE_TENANT_ID.toLowerCase() === entry.tenantId.toLowerCase()) return undefined;
  throw new ConnectorError(
    'CONFIG',
    `Tenant ${entry.tenantId}: no credential can read it (a managed identity only reads its own tenant). ` +
      'Use a multi-tenant app registration consented in each tenant: AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or workload identity, or clientSecretEnv/certificatePath in the tenants file',
  );
}
