import { createRequire } from 'node:module';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { boundSdkProxyTunnels } from '../http/proxy-tunnel.js';
import { lazy } from '../lazy.js';

type Identity = typeof import('@azure/identity');

// The SDK's CommonJS build: its ES-module build's hundreds of files each pay the ESM loader, and it
// would bring a second copy of core-rest-pipeline (ARCHITECTURE.md, "A command loads only what it uses").
const require = createRequire(import.meta.url);

/**
 * @azure/identity, loaded on first use: `--version`, `--help`, the demo and a run that needs no token
 * never pay for it. Its pipeline's proxy tunnels (and those of every SDK client after it) end with
 * their request from then on.
 */
const loadIdentity = lazy(() => {
  const identity = require('@azure/identity') as Identity;
  boundSdkProxyTunnels();
  return identity;
});

/**
 * A credential whose SDK credential is built on the first getToken, so building one is free and the
 * credential factories stay synchronous. A failure to build it is the failure of every getToken.
 */
export function lazyCredential(create: (identity: Identity) => TokenCredential): TokenCredential {
  const credential = lazy(() => create(loadIdentity()));
  return {
    // async: a credential that cannot be built rejects getToken, as a token failure does, never throws.
    getToken: async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> =>
      credential().getToken(scopes, options),
  };
}
