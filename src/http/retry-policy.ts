/**
 * Retry and back-off shared by everything that talks HTTP: the Graph reads and the Logs Ingestion
 * requests, each the one retry layer of its requests. Pure.
 */

/** How hard to try one call. */
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

/** Statuses that say "try again later" on every service we call. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * How long to wait before retry number `attempt + 1`: the server's Retry-After (seconds or an
 * HTTP date) when it sent one, else exponential back-off with full jitter; never above the cap.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
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
