import { readFile } from 'node:fs/promises';
import { ConnectorError } from '../errors.js';
import { DEFAULT_STREAM_NAME } from '../schema/columns.js';
import type { Destination } from './config.js';
import { dcrImmutableId, GUID, httpsOrigin, INGESTION_ENDPOINT_EXAMPLE, Problems, streamName } from './validate.js';

/** One tenant of a `--tenants` file. Secrets never live in the file: it names where to find them. */
export interface TenantEntry {
  readonly tenantId: string;
  readonly displayName?: string | undefined;
  /** App (client) id for this tenant; defaults to AZURE_CLIENT_ID. */
  readonly clientId?: string | undefined;
  /** Name of the environment variable that holds this tenant's client secret. */
  readonly clientSecretEnv?: string | undefined;
  /** PEM file (certificate and private key) for this tenant's app. */
  readonly certificatePath?: string | undefined;
  /** Per-tenant destination; undefined means the run's. */
  readonly destination?: Destination | undefined;
}

const KNOWN_KEYS = [
  'tenantId',
  'displayName',
  'clientId',
  'clientSecretEnv',
  'certificatePath',
  'ingestionEndpoint',
  'dcrImmutableId',
  'streamName',
];
const SECRET_KEYS = /secret$|password|^key$|token/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Where JSON.parse gives up: the longest prefix that is merely incomplete, found by bisection (Node's
 * messages do not always carry a position).
 */
function jsonErrorOffset(text: string): number {
  const incomplete = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      return /end of (JSON )?input/i.test(message) || (at !== null && Number(at[1]) >= n);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (incomplete(mid)) low = mid;
    else high = mid - 1;
  }
  // Skip the whitespace after the valid prefix: the error is at the next character.
  while (low < text.length && /\s/.test(text[low]!)) low++;
  return low;
}

/**
 * Parses JSON (reporting line and column) or YAML, chosen by the file's first character. The YAML
 * parser is loaded only for a YAML file (it costs more CPU to load than a JSON file takes to read).
 */
async function parseDocument(text: string, file: string): Promise<unknown> {
  const json = /^\s*[[{]/.test(text) || file.toLowerCase().endsWith('.json');
  try {
    return json ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    const message = ((error as Error).message.split('\n')[0] ?? '').slice(0, 120);
    if (json) {
      const offset = jsonErrorOffset(text);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      throw new ConnectorError('CONFIG', `--tenants ${file}: is not valid JSON at line ${line}, column ${column}. Fix the syntax there`);
    }
    throw new ConnectorError('CONFIG', `--tenants ${file}: is not valid ${json ? 'JSON' : 'YAML'} (${message}). Fix the syntax`);
  }
}

/**
 * Reads and validates a tenants file: JSON or YAML, either a list or `{ tenants: [...] }`. Every
 * problem names the entry and the field, all are reported at once, and the settings go through the
 * same validators as the command line; a secret written into the file is refused, never echoed.
 */
export async function loadTenants(file: string, defaultStream = DEFAULT_STREAM_NAME): Promise<TenantEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConnectorError('CONFIG', `--tenants ${file}: cannot be read. Check the path (inside a container, mount the file)`);
  }
  const document = await parseDocument(text, file);
  const list = Array.isArray(document) ? document : (document as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConnectorError(
      'CONFIG',
      `--tenants ${file}: has no tenants. Write a list of entries with at least tenantId, or { tenants: [...] }`,
    );
  }
  const problems = new Problems();
  const seen = new Set<string>();
  const entries = list.map((raw, i) => readEntry(raw, `--tenants ${file}: tenants[${i}]`, defaultStream, seen, problems));
  if (problems.list.length > 0) throw new ConnectorError('CONFIG', problems.list.join('\n'));
  return entries.filter((e): e is TenantEntry => e !== undefined);
}

function readEntry(raw: unknown, at: string, defaultStream: string, seen: Set<string>, problems: Problems): TenantEntry | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return problems.fail(at, 'is not an object', 'Each entry needs at least tenantId');
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (SECRET_KEYS.test(key) && !KNOWN_KEYS.includes(key)) {
      problems.fail(
        `${at}.${key}`,
        'secrets do not belong in the tenants file',
        'Put the secret in an environment variable and name it in clientSecretEnv',
      );
    } else if (!KNOWN_KEYS.includes(key)) {
      problems.fail(`${at}.${key}`, 'is not a known field', `Use only ${KNOWN_KEYS.join(', ')}`);
    } else if (typeof entry[key] !== 'string') {
      problems.fail(`${at}.${key}`, 'is not a string', 'Quote the value');
    }
  }
  const value = (key: string) => (typeof entry[key] === 'string' ? (entry[key] as string).trim() : undefined);
  const tenantId = value('tenantId') ?? '';
  if (!GUID.test(tenantId)) {
    problems.fail(
      `${at}.tenantId`,
      `"${tenantId}" is not a tenant id (GUID)`,
      'Use the Directory (tenant) ID from Entra ID, not the domain name',
    );
  } else if (seen.has(tenantId.toLowerCase())) {
    problems.fail(`${at}.tenantId`, `${tenantId} appears twice`, 'List each tenant once');
  }
  seen.add(tenantId.toLowerCase());
  const secretEnv = value('clientSecretEnv');
  // The value is never echoed: a secret pasted here by mistake must not reach a log.
  if (secretEnv !== undefined && !ENV_NAME.test(secretEnv)) {
    problems.fail(
      `${at}.clientSecretEnv`,
      'does not look like an environment variable name',
      'Name the variable that holds the secret (letters, digits, _), never the secret itself',
    );
  }
  if (secretEnv && value('certificatePath'))
    problems.fail(at, 'sets both clientSecretEnv and certificatePath', 'Choose one way to authenticate');
  const endpointText = value('ingestionEndpoint');
  const dcrText = value('dcrImmutableId');
  if ((endpointText === undefined) !== (dcrText === undefined)) {
    problems.fail(
      at,
      'sets only one of ingestionEndpoint and dcrImmutableId',
      "Set both for a per-tenant destination, or neither to use the run's",
    );
  }
  const endpoint = endpointText && httpsOrigin(endpointText, `${at}.ingestionEndpoint`, INGESTION_ENDPOINT_EXAMPLE, problems);
  const dcr = dcrText && dcrImmutableId(dcrText, `${at}.dcrImmutableId`, problems);
  const stream = streamName(value('streamName') ?? defaultStream, `${at}.streamName`, defaultStream, problems);
  return {
    tenantId,
    displayName: value('displayName'),
    clientId: value('clientId'),
    clientSecretEnv: secretEnv,
    certificatePath: value('certificatePath'),
    destination: endpoint && dcr && stream ? { endpoint, dcrImmutableId: dcr, streamName: stream } : undefined,
  };
}

/**
 * The tenants this replica works on. A Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX;
 * with `--shard-count N` the pod takes every N-th tenant from its index, so no tenant is done twice.
 */
export function pickShard<T>(tenants: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard) return [...tenants];
  return tenants.filter((_, i) => i % shard.count === shard.index);
}

/** A variable name safe to repeat in a message: a secret pasted in its place would not look like this. */
const SHOWN_ENV_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

/**
 * A problem of one tenant of the tenants file, in the words of that tenant's own settings. The fix
 * catalogue names the environment's credential (AZURE_CLIENT_SECRET, AZURE_CLIENT_ID...), which a
 * tenant read with its own app does not use: there it names the entry's clientSecretEnv variable,
 * clientId or certificatePath (and its tenantId for a tenant other than AZURE_TENANT_ID's). A
 * clientSecretEnv is named only when it looks like a variable name in capitals, never like a secret
 * pasted there by mistake.
 */
export function inTenantTerms(problem: string, entry: TenantEntry, file: string, env: NodeJS.ProcessEnv): string {
  const setting = (key: string) => `${key} of this tenant in ${file}`;
  let text = problem;
  const secretEnv = entry.clientSecretEnv;
  if (secretEnv) {
    const shown = SHOWN_ENV_NAME.test(secretEnv);
    text = text.replace(
      'the environment variable that clientSecretEnv names is not set',
      shown
        ? `${secretEnv}, which ${setting('clientSecretEnv')} names, is not set`
        : `the variable that ${setting('clientSecretEnv')} names is not set`,
    );
    text = text.replaceAll(
      'AZURE_CLIENT_SECRET',
      shown ? `${secretEnv} (${setting('clientSecretEnv')})` : `the variable ${setting('clientSecretEnv')} names`,
    );
  }
  if (entry.certificatePath)
    text = text.replaceAll('AZURE_CLIENT_CERTIFICATE_PATH', `${entry.certificatePath} (${setting('certificatePath')})`);
  if (entry.clientId) text = text.replaceAll('AZURE_CLIENT_ID', `${entry.clientId} (${setting('clientId')})`);
  const home = env.AZURE_TENANT_ID?.toLowerCase() === entry.tenantId.toLowerCase();
  if (!home) text = text.replaceAll('AZURE_TENANT_ID', `${entry.tenantId} (${setting('tenantId')})`);
  // The environment's multi-tenant app is unknown in a customer tenant until it is consented there.
  const ownApp = entry.clientId || secretEnv || entry.certificatePath;
  if (!home && !ownApp && /AADSTS700016/.test(text))
    text = `${text.replace(/\.?$/, '')}. If both are right, the app is not consented there: an administrator of that tenant consents to it, with SecurityEvents.Read.All (docs/deploy.md, "Many tenants")`;
  return text;
}
