import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { credentialOptions } from './credential.js';
import { lazyCredential } from './lazy-credential.js';
import { AuthorityWatch, type TokenLimits } from './token-guard.js';
import { TENANTS_PER_CREDENTIAL } from '../limits.js';

/** An app registration as a tenants file and the environment name it: how it proves who it is. */
export type AppIdentity =
  | { readonly kind: 'secret'; readonly clientId: string; readonly secret: string }
  | { readonly kind: 'certificate'; readonly clientId: string; readonly certificatePath: string; readonly certificatePassword?: string }
  | { readonly kind: 'workload'; readonly clientId: string; readonly tokenFilePath: string };

/** One SDK credential of an app and the watch on its pipeline, shared by the tenants it reads. */
interface SharedApp {
  readonly credential: TokenCredential;
  readonly watch: AuthorityWatch;
  /** Tenants it was handed to. */
  tenants: number;
}

/** Per run (each run has its own limits object), per app and authority. */
const shared = new WeakMap<TokenLimits, Map<string, SharedApp>>();

/**
 * The credential of `app` for one tenant, and the watch that guards it. Every tenant of a run that
 * the same app reads (a multi-tenant app consented in each) gets the same SDK credential, asked for
 * that tenant's token (`getToken(scope, { tenantId })`): MSAL keeps the authority's metadata in the
 * credential's own cache, so one OpenID discovery serves them all (up to TENANTS_PER_CREDENTIAL of
 * them; the next ones get the next credential) instead of one per tenant. Tokens
 * stay per tenant: MSAL sends each request to `/{tenantId}/oauth2/v2.0/token` and caches its token
 * under that tenant, and the run still checks each token's `tid`.
 *
 * With AZURE_IDENTITY_DISABLE_MULTITENANTAUTH set, @azure/identity ignores the tenantId of getToken
 * (processMultiTenantRequest), so then each tenant gets a credential of its own, as before.
 */
export function appCredential(
  app: AppIdentity,
  tenantId: string,
  authorityHost: string,
  limits: TokenLimits,
  env: NodeJS.ProcessEnv,
): { credential: TokenCredential; watch: AuthorityWatch } {
  const multiTenant = !(process.env.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH || env.AZURE_IDENTITY_DISABLE_MULTITENANTAUTH);
  const key = JSON.stringify([authorityHost, app, multiTenant ? '' : tenantId.toLowerCase()]);
  let apps = shared.get(limits);
  if (!apps) shared.set(limits, (apps = new Map()));
  let entry = apps.get(key);
  // MSAL scans its whole token cache on every request and every save, so a credential serves a
  // bounded group of tenants: one lookup per TENANTS_PER_CREDENTIAL tenants, not one per run.
  if (entry && entry.tenants >= TENANTS_PER_CREDENTIAL) entry = undefined;
  if (!entry) {
    const watch = new AuthorityWatch(authorityHost, limits);
    const options = { ...credentialOptions(authorityHost, watch), additionallyAllowedTenants: multiTenant ? ['*'] : [] };
    const sdk = lazyCredential((identity) => {
      switch (app.kind) {
        case 'secret':
          return new identity.ClientSecretCredential(tenantId, app.clientId, app.secret, options);
        case 'certificate': {
          const { certificatePath, certificatePassword } = app;
          return new identity.ClientCertificateCredential(tenantId, app.clientId, { certificatePath, certificatePassword }, options);
        }
        case 'workload':
          return new identity.WorkloadIdentityCredential({
            ...options,
            tenantId,
            clientId: app.clientId,
            tokenFilePath: app.tokenFilePath,
          });
      }
    });
    entry = { credential: firstTokenAlone(sdk), watch, tenants: 0 };
    apps.set(key, entry);
  }
  entry.tenants++;
  return { credential: forTenant(entry.credential, tenantId), watch: entry.watch };
}

/** Asks for `tenantId`'s token whatever the caller (graph-client, an SDK policy) passes. */
function forTenant(credential: TokenCredential, tenantId: string): TokenCredential {
  return {
    getToken: (scopes: string | string[], options: GetTokenOptions = {}) => credential.getToken(scopes, { ...options, tenantId }),
  };
}

/**
 * Until one getToken has succeeded, lets one run at a time. MSAL looks the authority up on a
 * request that finds nothing cached, so tenants that start together would each look it up; once a
 * token came back, the lookup is cached and every tenant goes at once. Each waiting call still ends
 * at its own deadline (the guard around it).
 */
function firstTokenAlone(credential: TokenCredential): TokenCredential {
  let ready = false;
  let inFlight: Promise<void> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      while (!ready && inFlight) await inFlight;
      if (ready) return credential.getToken(scopes, options);
      const attempt = credential.getToken(scopes, options);
      const gate: Promise<void> = attempt
        .then(
          () => {
            ready = true;
          },
          () => undefined,
        )
        .then(() => {
          if (inFlight === gate) inFlight = undefined;
        });
      inFlight = gate;
      return attempt;
    },
  };
}
