import type { TokenCredential } from '@azure/identity';
import { ConnectorError } from '../errors.js';
import { DEFAULT_FIXES, findFix } from '../fixes.js';

/**
 * The useful part of an identity error: Entra's AADSTS sentence when there is one (the SDK buries
 * it under a generic first line and a troubleshooting link), else the first line; plus what the
 * catalogue says it means.
 */
function identityProblem(message: string): string {
  const rule = findFix('identity', undefined, message);
  const aadsts = /AADSTS\d+:[^\n]*?(\.|$)/m.exec(message)?.[0];
  const first = aadsts ?? message.split('\n').find((l) => l.trim().length > 0) ?? message;
  const detail = first.replace(/\s+/g, ' ').trim().replace(/\.+$/, '').slice(0, 400);
  return rule ? `${detail} (${rule.problem})` : detail;
}

/**
 * Gets a token once before any real call, so a wrong secret or missing identity stops the run with
 * one clear message (exit 2) instead of surfacing inside Graph or ingestion errors. The SDK caches
 * the token, so the real calls that follow reuse it. Returns the token's tenant (`tid`) if present.
 * An authority that cannot be reached is not a credential problem: the guarded credential reports it
 * as a network error (exit 1), passed through here unchanged. `signal` (the run's stop) ends the wait.
 */
export async function acquireToken(
  credential: TokenCredential,
  scope: string,
  purpose: string,
  signal?: AbortSignal,
): Promise<{ tenantId: string | undefined }> {
  let token: string;
  try {
    const result = await credential.getToken(scope, signal ? { abortSignal: signal } : {});
    if (!result) throw new Error('the credential returned no token');
    token = result.token;
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    if (signal?.aborted) {
      throw new ConnectorError(
        'NETWORK',
        `Interrupted: stopped while waiting for a token for ${purpose}. The next run starts from the same point`,
      );
    }
    const detail = identityProblem(error instanceof Error ? error.message : String(error));
    const fix = findFix('identity', undefined, error instanceof Error ? error.message : String(error))?.fix ?? DEFAULT_FIXES.identity;
    throw new ConnectorError('AUTH', `Authentication: no token for ${purpose} (${scope}): ${detail}. ${fix}`);
  }
  return { tenantId: tenantOf(token) };
}

/** The `tid` claim of a JWT access token, read without verifying it (only used as a label). */
function tenantOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof payload.tid === 'string' ? payload.tid : undefined;
  } catch {
    return undefined;
  }
}
