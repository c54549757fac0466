import { ConnectorError, describeError } from '../errors.js';
import type { GraphConnection } from './graph-client.js';
import type { GraphStats } from './source.js';
import { retryDelayMs, sleep, type RetryPolicy } from '../http/retry-policy.js';
import { classifyGraphResponse } from './graph-response.js';

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
 * body. Throttling (429, with or without Retry-After), 5xx, 206 Partial Content, connection
 * failures, time-outs and unparseable bodies are retried with bounded back-off; anything still
 * failing after that ends the tenant's run with a message naming the endpoint and status.
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
  let lastProblem: string;
  let network: boolean;
  for (let attempt = 0; ; attempt++) {
    stats.requests++;
    let retryAfter: string | null = null;
    // Whether this attempt failed without an HTTP answer: a network problem, not Graph's.
    network = false;
    try {
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const response = await graph.get(target, signal ? AbortSignal.any([signal, timeout]) : timeout);
      const body = await response.text();
      const outcome = classifyGraphResponse(response.status, body, response.headers.get('warning'));
      if (outcome.kind === 'ok') return outcome.json;
      if (outcome.kind === 'fatal') {
        throw new ConnectorError(outcome.code, `Graph ${describeUrl(target)}: ${outcome.problem}. ${outcome.fix}`);
      }
      lastProblem = outcome.problem;
      retryAfter = response.headers.get('retry-after');
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      if (signal?.aborted) throw error;
      lastProblem = describeTransportError(error, policy.timeoutMs);
      network = true;
    }
    if (attempt >= policy.maxRetries) {
      throw new ConnectorError(
        network ? 'NETWORK' : 'GRAPH',
        `Graph ${describeUrl(target)}: ${lastProblem}, still failing after ${attempt + 1} attempts. ` +
          'The run will fetch it again next time; if it persists, check https://status.cloud.microsoft and the network path to Graph',
      );
    }
    stats.retries++;
    const delayMs = retryDelayMs(attempt, retryAfter, policy);
    onRetry?.({ host: new URL(target).host, reason: lastProblem, delayMs, attempt: attempt + 1 });
    await sleep(delayMs, signal);
  }
}

function describeTransportError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = e?.cause?.code;
  return code ? `connection failed (${code})` : `request failed (${describeError(error)})`;
}
