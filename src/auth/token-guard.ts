import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { ConnectorError } from '../errors.js';
import { cannotReach, findFix, networkFailure, type FixRule } from '../fixes.js';
import { proxyFor } from './proxy.js';
import { REQUESTS_PER_TOKEN, TOKEN_REQUEST_TIMEOUT_MS } from '../limits.js';

/** Limits on every token wait of one credential. */
export interface TokenLimits {
  /** Each HTTP request of a token fetch is abandoned after this long. */
  readonly timeoutMs: number;
  /** Aborted when the run is told to stop (SIGTERM): every token wait ends at once. */
  readonly signal?: AbortSignal | undefined;
}

export const DEFAULT_TOKEN_LIMITS: TokenLimits = { timeoutMs: TOKEN_REQUEST_TIMEOUT_MS };

/** A network failure met on the way to the authority. */
interface NoticedFailure {
  readonly at: number;
  readonly url: string;
  readonly failure: { code: string; rule: FixRule };
}

/**
 * Watches the HTTP requests a credential makes to its authority. @azure/identity turns an
 * unreachable or silent authority into `endpoints_resolution_error`, the same words it uses for an
 * unknown tenant, so the only place the real cause (DNS, refused, reset, time-out) can be seen is
 * the pipeline underneath: this policy sees it there, and bounds every request while it is at it.
 */
export class AuthorityWatch {
  private readonly noticed: NoticedFailure[] = [];
  /** host[:port] of the authority, as messages name it. */
  readonly authority: string;

  constructor(
    authorityHost: string,
    readonly limits: TokenLimits,
  ) {
    this.authority = new URL(authorityHost).host.toLowerCase();
  }

  /** The policy to hand the credential (`additionalPolicies`, per call). */
  readonly policy: PipelinePolicy = {
    name: 'securescoreTokenDeadline',
    sendRequest: async (request, next) => {
      const timeout = AbortSignal.timeout(this.limits.timeoutMs);
      // The SDK's own signal stays in force; ours adds the deadline and the run's stop.
      const signals = [timeout, request.abortSignal as AbortSignal | undefined, this.limits.signal].filter((s): s is AbortSignal => !!s);
      request.abortSignal = AbortSignal.any(signals);
      try {
        const response = await next(request);
        // A proxy's 407 in place of the authority's answer: @azure/identity would call it an unknown tenant.
        if (response.status === 407) this.notice(request.url, { code: 'HTTP 407', rule: findFix('network', 407)! });
        return response;
      } catch (error) {
        const failure = timeout.aborted ? timeoutFailure(this.limits.timeoutMs) : networkFailure(error);
        if (failure) this.notice(request.url, failure);
        throw error;
      }
    },
  };

  private notice(url: string, failure: NoticedFailure['failure']): void {
    // Only the authority counts: an unreachable managed-identity endpoint means "not on Azure",
    // which the credential chain reports itself.
    if (new URL(url).host.toLowerCase() === this.authority) this.noticed.push({ at: Date.now(), url, failure });
  }

  /** The latest failure noticed since `time`, if any. */
  since(time: number): NoticedFailure | undefined {
    return this.noticed.filter((n) => n.at >= time).at(-1);
  }
}

function timeoutFailure(ms: number): { code: string; rule: FixRule } {
  return { code: `no answer within ${ms / 1000} s`, rule: findFix('network', undefined, 'timeout')! };
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  // Once we stop waiting, the abandoned request may still fail later: that must not crash the process.
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Wraps a credential so every getToken, the first one and those graph-client and
 * LogsIngestionClient make later, ends: by the deadline, by the caller's abort signal or by the
 * run's stop. A failure to reach the authority becomes a network error naming the host (exit 1,
 * the next run may succeed) instead of the credential error the SDK reports (exit 2).
 */
export function guardCredential(credential: TokenCredential, watch: AuthorityWatch): TokenCredential {
  const { limits } = watch;
  return {
    async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
      const started = Date.now();
      const deadline = AbortSignal.timeout(limits.timeoutMs * REQUESTS_PER_TOKEN);
      const caller = options.abortSignal as AbortSignal | undefined;
      const signal = AbortSignal.any([deadline, caller, limits.signal].filter((s): s is AbortSignal => !!s));
      const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
      try {
        return await untilAborted(credential.getToken(scopes, { ...options, abortSignal: signal }), signal);
      } catch (error) {
        if (limits.signal?.aborted) {
          throw new ConnectorError(
            'NETWORK',
            `Interrupted: stopped while waiting for a token for ${scope}. The next run starts from the same point`,
          );
        }
        if (caller?.aborted) throw error;
        const noticed = watch.since(started);
        const failure = noticed?.failure ?? (deadline.aborted ? timeoutFailure(limits.timeoutMs * REQUESTS_PER_TOKEN) : undefined);
        if (!failure) throw error;
        const url = noticed?.url ?? '';
        const host = url ? new URL(url).host : watch.authority;
        throw new ConnectorError(
          failure.rule.code ?? 'NETWORK',
          `Network: ${cannotReach(host, failure, url ? proxyFor(url) : undefined)}, so no token for ${scope} was issued (this is not a credential problem). ${failure.rule.fix}`,
          { cause: error },
        );
      }
    },
  };
}
