import type { ErrorCode } from '../errors.js';
import { DEFAULT_FIXES, findFix, type FixRule } from '../fixes.js';
import { RETRYABLE_STATUSES } from '../http/retry-policy.js';

/** What to do with one Graph response. */
export type GraphOutcome =
  | { kind: 'ok'; json: unknown }
  | { kind: 'retry'; problem: string }
  | { kind: 'fatal'; code: ErrorCode; problem: string; fix: string }
  /** Not Graph's answer but the way there's (a proxy's 407): a network failure, as if there were no answer. */
  | { kind: 'network'; failure: { code: string; rule: FixRule } };

/**
 * Pure decision on a Graph response: data, try again, stop with a fix from the catalogue, or a
 * network failure when the answer is a proxy's.
 */
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
  const rule = findFix('graph', status, body);
  if (rule?.service === 'network') return { kind: 'network', failure: { code: `HTTP ${status}`, rule } };
  return {
    kind: 'fatal',
    code: rule?.code ?? 'GRAPH',
    problem: `HTTP ${status}${graphErrorCode(body)}${rule ? `: ${rule.problem}` : ''}`,
    fix: rule?.fix ?? DEFAULT_FIXES.graph,
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
