import { setTimeout as wait } from 'node:timers/promises';
import { proxyFor } from '../auth/proxy.js';
import { ConnectorError, describeError } from '../errors.js';
import { cannotReach, DEFAULT_FIXES, findFix, networkFailure, type FixRule } from '../fixes.js';
import type { GraphConnection } from './graph-client.js';
import type { GraphStats } from './source.js';
import { retryDelayMs, type RetryPolicy } from '../http/retry-policy.js';
import { classifyGraphResponse } from './graph-response.js';

/** Why a request got no answer from Graph: a Node error code (or `no answer within ...`) and its catalogue row. */
type NetworkFailure = { code: string; rule: FixRule };

/** Path and query of a URL, for messages: enough to find the call, never a token. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}

/** A retry about to wait: which host, why, how long, and which retry it is (1 for the first). */
export interface GraphRetry {
  readonly host: string;
  readonly reason: string;
  readonly delayMs: number;
  readonly attempt: number;
}

/**
 * GETs one Graph URL (a relative path or an `@odata.nextLink`, sent verbatim) and returns its JSON
 * body. Throttling, 5xx, 206 Partial Content, connection failures, time-outs and unparseable bodies
 * are retried with bounded back-off; what still fails ends the tenant's run with a message naming
 * the endpoint, or, when Graph was never reached, the host and the proxy.
 */
export async function getGraphJson(
  graph: GraphConnection,
  url: string,
  policy: RetryPolicy,
  stats: GraphStats,
  signal?: AbortSignal,
  onRetry?: (retry: GraphRetry) => void,
): Promise<unknown> {
  const target = url.startsWith('https://') ? url : `${graph.baseUrl}${url}`;
  let lastProblem = '';
  for (let attempt = 0; ; attempt++) {
    stats.requests++;
    let retryAfter: string | null = null;
    // Set when this attempt failed without Graph's answer: a network problem, not Graph's.
    let network: NetworkFailure | undefined;
    try {
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const response = await graph.get(target, signal ? AbortSignal.any([signal, timeout]) : timeout);
      const body = await response.text();
      const outcome = classifyGraphResponse(response.status, body, response.headers.get('warning'));
      if (outcome.kind === 'ok') return outcome.json;
      if (outcome.kind === 'fatal') {
        throw new ConnectorError(outcome.code, `Graph ${describeUrl(target)}: ${outcome.problem}. ${outcome.fix}`);
      }
      if (outcome.kind === 'network') network = outcome.failure;
      else lastProblem = outcome.problem;
      retryAfter = response.headers.get('retry-after');
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      if (signal?.aborted) throw error;
      network = failureOf(error, policy.timeoutMs);
    }
    if (network && (attempt >= policy.maxRetries || network.rule.retry === false)) {
      throw new ConnectorError(
        network.rule.code ?? 'NETWORK',
        `Network: ${cannotReach(new URL(target).host, network, proxyFor(target))}, so Graph ${describeUrl(target)} could not be read ` +
          `(${attempt + 1} attempt${attempt > 0 ? 's' : ''}). ${network.rule.fix}`,
      );
    }
    if (network) lastProblem = `${network.code}: ${network.rule.problem}`;
    if (attempt >= policy.maxRetries) {
      throw new ConnectorError(
        'GRAPH',
        `Graph ${describeUrl(target)}: ${lastProblem}, still failing after ${attempt + 1} attempts. ` +
          'The run will fetch it again next time; if it persists, check https://status.cloud.microsoft and the network path to Graph',
      );
    }
    stats.retries++;
    const delayMs = retryDelayMs(attempt, retryAfter, policy);
    onRetry?.({ host: new URL(target).host, reason: lastProblem, delayMs, attempt: attempt + 1 });
    await wait(delayMs, undefined, { signal });
  }
}

/**
 * The network failure behind a request that got no answer: our time-out, or the first Node error code
 * on the error or its causes (the transport keeps the HTTP client's error as the cause). Anything
 * else (a bug, an error without a code) is a network failure the catalogue cannot explain.
 */
function failureOf(error: unknown, timeoutMs: number): NetworkFailure {
  const e = error as { name?: string; cause?: { name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') {
    return { code: `no answer within ${timeoutMs / 1000} s`, rule: findFix('network', undefined, 'timeout')! };
  }
  return (
    networkFailure(error) ?? {
      code: describeError(error).replace(/\s+/g, ' ').slice(0, 200),
      rule: { service: 'network', problem: 'the request failed', fix: DEFAULT_FIXES.network },
    }
  );
}
