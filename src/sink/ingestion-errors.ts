import { proxyFor } from '../auth/proxy.js';
import { cannotReach, DEFAULT_FIXES, findFix, networkFailure } from '../fixes.js';

/** Status code of an SDK error (RestError), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Whether the service refused the records themselves (400: the payload; 413: the size), so sending
 * the same records again can only be refused again. Throttling, outages, roles, endpoints and time-outs
 * are not: the same records may be accepted once they pass.
 */
export function isRefusedForGood(error: unknown): boolean {
  const status = statusOf(error);
  return status === 400 || status === 413;
}

/**
 * The fix for a Logs Ingestion refusal, from the catalogue: by status and, for 403, the service's
 * PipelineAccessResult (`IsDcrDceBindingValid: False` means the endpoint is not the DCR's, which no
 * role assignment fixes).
 */
export function ingestionFix(status: number | undefined, message: string): string {
  const rule = findFix('ingestion', status, message);
  return rule ? `${capitalize(rule.problem)}. ${rule.fix}` : DEFAULT_FIXES.ingestion;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * `<what>: <problem>. <what to do>` for one failure cause, shared by `chunks` requests (an upload
 * groups its refused requests by cause, so a thousand throttled requests are one line).
 */
export function describeIngestionFailure(error: unknown, chunks: number, records: number, endpoint?: string): string {
  const status = statusOf(error);
  // Never reached (DNS, a refused or cut connection, a proxy in the way): the network's problem, in the
  // words every other network failure uses, naming the host and the proxy.
  const network = status === undefined && endpoint ? networkFailure(error) : undefined;
  if (network) {
    return `Network: ${cannotReach(new URL(endpoint!).host, network, proxyFor(endpoint!))}, so ${chunks} request(s) with ${records} record(s) were not sent to Logs Ingestion. ${network.rule.fix}`;
  }
  const code = (error as { code?: unknown })?.code;
  const raw = error instanceof Error ? error.message : String(error);
  // An abort is our own time-out (or the end of the grace period after a stop), not the service's answer.
  if ((error as { name?: unknown })?.name === 'AbortError') {
    return `Logs Ingestion: ${chunks} request(s) with ${records} record(s) not sent: no answer within --ingestion-timeout-seconds, or cut off at the end of a stop. The records are kept for the next run; check the endpoint's health and the network path to it`;
  }
  const detail = raw.replace(/\s+/g, ' ').trim().slice(0, 300);
  const what = status
    ? `HTTP ${status}${typeof code === 'string' && code !== String(status) ? ` ${code}` : ''}`
    : `no HTTP answer${typeof code === 'string' ? ` (${code})` : ''}`;
  return `Logs Ingestion: ${chunks} request(s) with ${records} record(s) refused, ${what}${detail ? `: ${detail}` : ''}. ${ingestionFix(status, raw)}`;
}
