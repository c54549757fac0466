/**
 * Logs Ingestion failures mapped to what to do about them, by HTTP status. The SDK's aggregate
 * error message is empty, so these are built from each chunk's own cause.
 */
export const INGESTION_FIXES: Readonly<Record<number, string>> = {
  400: 'The DCR rejected the payload: redeploy dcr-templates/securescore-dcr.json so the stream declaration matches this connector version',
  401: 'The token was rejected: check --cloud (the ingestion audience) matches the cloud of the DCR',
  403: 'Grant the "Monitoring Metrics Publisher" role on the data collection rule to the identity running the connector (role assignments can take up to 30 minutes to apply)',
  404: "Check --dcr-immutable-id (dcr-...), --stream-name (Custom-MicrosoftSecureScore) and --ingestion-endpoint: use the outputs of the deployed DCR template, in the DCR's region",
  413: 'A request was over the 1 MB limit; report this as a bug with the dead-letter file',
  429: 'The ingestion endpoint is throttling; the records are kept and the next run or `replay` sends them',
  503: 'The ingestion endpoint is unavailable; the records are kept and the next run or `replay` sends them',
};

/**
 * The fix for a refusal, read from the status and, for 403, from the service's PipelineAccessResult:
 * `IsDcrDceBindingValid: False` means the endpoint is not the DCR's (another DCE, or another region),
 * which no role assignment fixes.
 */
export function ingestionFix(status: number | undefined, message: string): string | undefined {
  if (status === 403 && /IsDcrDceBindingValid:\s*False/i.test(message)) {
    return "The endpoint is not this DCR's (another data collection endpoint, or another region): use the logsIngestionEndpoint output of the DCR deployment";
  }
  return status ? INGESTION_FIXES[status] : undefined;
}

/** Status code of an SDK error (RestError), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Statuses worth one more try after the SDK's own retries (it does not retry a 429 without Retry-After). */
export const RESEND_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** `<what>: <problem>. <what to do>` for one failure cause. */
export function describeIngestionFailure(error: unknown, chunks: number, records: number): string {
  const status = statusOf(error);
  const code = (error as { code?: unknown })?.code;
  const raw = error instanceof Error ? error.message : String(error);
  const detail = raw.replace(/\s+/g, ' ').trim().slice(0, 300);
  const what = status
    ? `HTTP ${status}${typeof code === 'string' && code !== String(status) ? ` ${code}` : ''}`
    : `no HTTP answer${typeof code === 'string' ? ` (${code})` : ''}`;
  const fix = ingestionFix(status, raw) ?? 'Check --ingestion-endpoint is reachable from here; the records are kept for the next run';
  return `Logs Ingestion: ${chunks} request(s) with ${records} record(s) refused, ${what}${detail ? `: ${detail}` : ''}. ${fix}`;
}
