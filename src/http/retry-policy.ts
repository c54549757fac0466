import type { ErrorCode } from '../errors.js';

/** How hard to try one Graph call. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** First back-off step; doubles each retry, with jitter. */
  readonly baseDelayMs: number;
  /** Upper bound for any single wait, including a server's Retry-After. */
  readonly maxDelayMs: number;
  /** Per-request time-out. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 120_000, timeoutMs: 60_000 };

/** What to do with one Graph response. */
export type GraphOutcome =
  { kind: 'ok'; json: unknown } | { kind: 'retry'; problem: string } | { kind: 'fatal'; code: ErrorCode; problem: string; fix: string };

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Pure decision on a Graph response: data, try again, or stop with a fix. */
export function classifyGraphResponse(status: number, body: string, warning: string | null): GraphOutcome {
  if (status === 200) {
    try {
      return { kind: 'ok', json: JSON.parse(body) };
    } catch {
      return { kind: 'retry', problem: `HTTP 200 with a body that is not JSON (${body.length} bytes)` };
    }
  }
  // Graph answers 206 when a provider behind it failed; the body is incomplete, so it is not data.
  if (status === 206) return { kind: 'retry', problem: `HTTP 206 Partial Content${warning ? ` (Warning: ${warning.slice(0, 200)})` : ''}` };
  if (RETRYABLE_STATUSES.has(status)) return { kind: 'retry', problem: `HTTP ${status}${graphErrorCode(body)}` };
  if (status === 401) {
    return {
      kind: 'fatal',
      code: 'AUTH',
      problem: `HTTP 401${graphErrorCode(body)}: the token was rejected`,
      fix: 'Check that the app registration lives in the tenant you read and that --cloud matches it',
    };
  }
  if (status === 403) {
    return {
      kind: 'fatal',
      code: 'AUTH',
      problem: `HTTP 403${graphErrorCode(body)}: the app may not read Secure Score`,
      fix: 'Grant the Microsoft Graph application permission SecurityEvents.Read.All to the app (or managed identity) and give admin consent',
    };
  }
  return {
    kind: 'fatal',
    code: 'GRAPH',
    problem: `HTTP ${status}${graphErrorCode(body)}`,
    fix:
      status === 404
        ? 'Check --graph-endpoint: it must be the Graph root, such as https://graph.microsoft.com'
        : 'Check --graph-endpoint and the Graph service health',
  };
}

/** ` (code)` from a Graph error body, or nothing. */
function graphErrorCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' ? ` (${code.slice(0, 80)})` : '';
  } catch {
    return '';
  }
}

/**
 * How long to wait before retry number `attempt + 1`: the server's Retry-After (seconds or an
 * HTTP date) when it sent one, else exponential back-off with full jitter; never above the cap.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  policy: RetryPolicy,
  random = Math.random,
  now = Date.now(),
): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms)) return Math.min(Math.max(ms, 0), policy.maxDelayMs);
  }
  const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
