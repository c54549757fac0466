import type { TokenCredential } from '@azure/identity';
import { ConnectorError } from '../errors.js';
import { DEFAULT_FIXES, findFix } from '../fixes.js';

/**
 * The useful part of an identity error: Entra's AADSTS sentence when there is one (the SDK buries
 * it under a generic first line and a troubleshooting link), else the first line; plus what the
 * catalogue says it means.
 */
export function identityProblem(message: string): string {
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
 */
export async function acquireToken(credential: TokenCredential, scope: string, purpose: string): Promise<{ tenantId: string | undefined }> {
  let token: string;
  try {
    const result = await credential.getToken(scope);
    if (!result) throw new Error('the credential returned no token');
    token = result.token;
  } catch (error) {
    const detail = identityProblem(error instanceof Error ? error.message : String(error));
    const fix = findFix('identity', undefined, error instanceof Error ? error.message : String(error))?.fix ?? DEFAULT_FIXES.identity;
    throw new ConnectorError('AUTH', `Authentication: no token for ${purpose} (${scope}): ${detail}. ${fix}`);
  }
  return { tenantId: tenantOf(token) };
}

/** The `tid` claim of a JWT access token, read without verifying it (only used as a label). */
export function tenantOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof payload.tid === 'string' ? payload.tid : undefined;
  } catch {
    return undefined;
  }
}
