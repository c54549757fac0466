import { gunzipSync } from 'node:zlib';
import { streamDeclarationColumns } from '../../tools/dcr-template.js';
import { FaultQueue } from './faults.js';
import { bearerClaims, sendJson, startHttpsServer, type RunningServer } from './https-server.js';

/** The Azure Monitor Logs Ingestion API on loopback, enforcing its documented contract. */
export interface IngestionStandIn extends RunningServer {
  readonly faults: FaultQueue;
  /** Records accepted (204), in arrival order. */
  readonly accepted: Array<Record<string, unknown>>;
  /** Why each refused request was refused (contract violations the connector must never commit). */
  readonly violations: string[];
  /** Every request answered, as `status path`. */
  readonly log: string[];
  /** When each request was being handled: from its body read to its answer leaving, in ms (performance.now). */
  readonly spans: Array<{ start: number; end: number }>;
  /** Answer every upload with 403, as when the role is missing. */
  denyAll: boolean;
  /** Answer 403 as when the endpoint is not the DCR's (another DCE, or another region). */
  wrongEndpoint: boolean;
  /** Delay before every answer, to give a kill something to interrupt. */
  delayMs: number;
  /** While set, every request waits for it before it is answered: holds a run mid-upload until a test lets go. */
  gate: Promise<void> | undefined;
  /** Answer 500 to any request carrying a record this matches (a chunk the service keeps failing). */
  poison: ((record: Record<string, unknown>) => boolean) | undefined;
  /** Answer 400 naming the record to any request carrying a record this matches (refused for good, as a bad value is). */
  refuse: ((record: Record<string, unknown>) => boolean) | undefined;
  /** Keep accepted records in `accepted` (default); false only counts them, for runs too big to hold. */
  keepRecords: boolean;
  /** Totals of the requests answered 204: their records, and their bytes as sent (gzip) and as JSON. */
  readonly received: { requests: number; records: number; gzipBytes: number; jsonBytes: number };
  /** Called with each accepted request's body as sent (gzip), e.g. to replay it later. */
  onAccepted: ((gzipBody: Buffer) => void) | undefined;
}

const MAX_BODY_BYTES = 1024 * 1024;

function typeProblem(type: string, value: unknown): string | undefined {
  if (value === null) return undefined;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'not a string';
    case 'real':
      return typeof value === 'number' ? undefined : 'not a number';
    case 'int':
    case 'long':
      return Number.isInteger(value) ? undefined : 'not an integer';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'not a boolean';
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : 'not a datetime';
    case 'dynamic':
      return undefined;
    default:
      return `unknown type ${type}`;
  }
}

/**
 * POST `/dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01`, gzip, bearer
 * token for https://monitor.azure.com, at most 1 MB, a JSON array whose objects use only the
 * declared columns with the declared types. Answers 204, or the documented error statuses.
 */
export async function startIngestionStandIn(options: {
  dcrImmutableId: string;
  streamName: string;
  audience?: string;
}): Promise<IngestionStandIn> {
  const declared = new Map(streamDeclarationColumns().map((c) => [c.name, c.type]));
  const audience = options.audience ?? 'https://monitor.azure.com';
  const faults = new FaultQueue();
  // The handler reads `denyAll` from the returned object so tests can flip it between runs.
  const state: Pick<
    IngestionStandIn,
    'denyAll' | 'wrongEndpoint' | 'delayMs' | 'gate' | 'poison' | 'refuse' | 'keepRecords' | 'onAccepted'
  > = {
    denyAll: false,
    wrongEndpoint: false,
    delayMs: 0,
    gate: undefined,
    poison: undefined,
    refuse: undefined,
    keepRecords: true,
    onAccepted: undefined,
  };
  const received = { requests: 0, records: 0, gzipBytes: 0, jsonBytes: 0 };
  const accepted: Array<Record<string, unknown>> = [];
  const violations: string[] = [];
  const log: string[] = [];
  const spans: IngestionStandIn['spans'] = [];
  let base = '';

  const server = await startHttpsServer(async (req, res, body) => {
    const raw = req.url ?? '/';
    const start = performance.now();
    // Ended as the answer starts to leave: the client cannot have it before (on 'finish' it may have).
    const end = res.end;
    res.end = ((...args: Parameters<typeof end>) => {
      spans.push({ start, end: performance.now() });
      return end.apply(res, args);
    }) as typeof end;
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.gate) await state.gate;
    const url = new URL(raw, base);
    const answer = (status: number, code: string, message: string) => {
      log.push(`${status} ${url.pathname}`);
      if (status === 400 || status === 413) violations.push(`${code}: ${message}`);
      sendJson(res, status, { error: { code, message } });
    };
    const claims = bearerClaims(req);
    if (!claims || claims.aud !== audience) return answer(401, 'InvalidToken', `Token audience must be ${audience}.`);
    const [, collection, dcr, streams, stream] = url.pathname.split('/');
    if (req.method !== 'POST' || collection !== 'dataCollectionRules' || streams !== 'streams' || dcr !== options.dcrImmutableId) {
      return answer(404, 'NotFound', `Data collection rule with immutable Id '${dcr}' not found.`);
    }
    if (stream !== options.streamName) {
      return answer(404, 'InvalidStream', `Stream '${stream}' is not declared in data collection rule '${dcr}'.`);
    }
    if (url.searchParams.get('api-version') !== '2023-01-01')
      return answer(400, 'InvalidApiVersion', `api-version ${url.searchParams.get('api-version')} is not supported.`);
    // The shape of the service's 403, as the Azure SDK troubleshooting guides quote it.
    const denied = (rbac: boolean, binding: boolean) =>
      answer(
        403,
        'OperationFailed',
        `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${options.dcrImmutableId}' ` +
          `PipelineAccessResult: AccessGranted: False, IsRbacPresent: ${rbac ? 'True' : 'False'}, IsDcrDceBindingValid: ${binding ? '' : 'False'}, ` +
          `DcrArmId: /subscriptions/x/resourceGroups/y/providers/Microsoft.Insights/dataCollectionRules/z, Message: ${rbac ? 'The data collection endpoint is not associated with the data collection rule' : 'Required authorization action was not found'}.`,
      );
    if (state.denyAll) return denied(false, true);
    if (state.wrongEndpoint) return denied(true, false);
    if (faults.serve(raw, res)) {
      log.push(`fault ${url.pathname}`);
      return;
    }
    if (req.headers['content-encoding'] !== 'gzip') return answer(400, 'InvalidContentEncoding', 'Expected gzip.');
    let text: string;
    try {
      text = gunzipSync(body).toString('utf8');
    } catch {
      return answer(400, 'InvalidPayload', 'Body is not gzip.');
    }
    if (Buffer.byteLength(text) > MAX_BODY_BYTES)
      return answer(413, 'ContentLengthLimitExceeded', `Body is ${Buffer.byteLength(text)} bytes, over 1 MB.`);
    let records: unknown;
    try {
      records = JSON.parse(text);
    } catch {
      return answer(400, 'InvalidPayload', 'Body is not JSON.');
    }
    if (!Array.isArray(records)) return answer(400, 'InvalidPayload', 'Body must be a JSON array.');
    for (const [i, record] of records.entries()) {
      for (const [column, value] of Object.entries(record as Record<string, unknown>)) {
        const type = declared.get(column);
        // The real service drops undeclared columns silently; the stand-in refuses so tests see it.
        if (!type) return answer(400, 'UndeclaredColumn', `record ${i}: column ${column} is not declared in the stream.`);
        const problem = typeProblem(type, value);
        if (problem) return answer(400, 'InvalidColumnType', `record ${i}: ${column} is ${problem} (declared ${type}).`);
      }
    }
    const refused = state.refuse ? (records as Array<Record<string, unknown>>).findIndex(state.refuse) : -1;
    if (refused >= 0) {
      log.push(`400 ${url.pathname}`);
      return sendJson(res, 400, { error: { code: 'InvalidRecord', message: `record ${refused}: a value the stream cannot take.` } });
    }
    if (state.poison && (records as Array<Record<string, unknown>>).some(state.poison)) {
      return answer(500, 'InternalServerError', 'The service failed to process the request.');
    }
    if (state.keepRecords) accepted.push(...(records as Array<Record<string, unknown>>));
    received.requests++;
    received.records += records.length;
    received.gzipBytes += body.length;
    received.jsonBytes += Buffer.byteLength(text);
    state.onAccepted?.(body);
    log.push(`204 ${url.pathname}`);
    res.writeHead(204);
    res.end();
  });
  base = server.url;
  return Object.defineProperties(
    { url: server.url, close: server.close, faults, accepted, violations, log, spans, received } as unknown as IngestionStandIn,
    {
      denyAll: { get: () => state.denyAll, set: (v: boolean) => (state.denyAll = v) },
      wrongEndpoint: { get: () => state.wrongEndpoint, set: (v: boolean) => (state.wrongEndpoint = v) },
      delayMs: { get: () => state.delayMs, set: (v: number) => (state.delayMs = v) },
      gate: { get: () => state.gate, set: (v: Promise<void> | undefined) => (state.gate = v) },
      poison: { get: () => state.poison, set: (v: IngestionStandIn['poison']) => (state.poison = v) },
      refuse: { get: () => state.refuse, set: (v: IngestionStandIn['refuse']) => (state.refuse = v) },
      keepRecords: { get: () => state.keepRecords, set: (v: boolean) => (state.keepRecords = v) },
      onAccepted: { get: () => state.onAccepted, set: (v: IngestionStandIn['onAccepted']) => (state.onAccepted = v) },
    },
  );
}
