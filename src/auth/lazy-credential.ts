import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

type Identity = typeof import('@azure/identity');

let identity: Promise<Identity> | undefined;

/**
 * @azure/identity, imported on first use. Loading it (with MSAL) costs about 0.2 s of CPU, which
 * `--version`, `--help`, the demo and a connection-string-only run must not pay.
 */
export function loadIdentity(): Promise<Identity> {
  return (identity ??= import('@azure/identity'));
}

/**
 * A credential whose SDK credential is built on the first getToken, so building one is free and the
 * credential factories stay synchronous. A failure to build it is the failure of every getToken.
 */
export function lazyCredential(create: (identity: Identity) => TokenCredential): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= loadIdentity().then(create);
      return (await credential).getToken(scopes, options);
    },
  };
}
