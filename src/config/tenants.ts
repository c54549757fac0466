import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConnectorError } from '../errors.js';

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
  /** Per-tenant destination; defaults to the run's --ingestion-endpoint / --dcr-immutable-id / --stream-name. */
  readonly ingestionEndpoint?: string | undefined;
  readonly dcrImmutableId?: string | undefined;
  readonly streamName?: string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_KEYS = new Set([
  'tenantId',
  'displayName',
  'clientId',
  'clientSecretEnv',
  'certificatePath',
  'ingestionEndpoint',
  'dcrImmutableId',
  'streamName',
]);
const SECRET_KEYS = /secret$|password|^key$|token/i;

function fail(file: string, problem: string, fix: string): never {
  throw new ConnectorError('CONFIG', `--tenants ${file}: ${problem}. ${fix}`);
}

/**
 * Reads and validates a tenants file: JSON or YAML, either a list or `{ tenants: [...] }`. Every
 * problem names the entry and the field; a secret written into the file is refused, not used.
 */
export async function loadTenants(file: string): Promise<TenantEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    fail(file, 'cannot be read', 'Check the path (inside a container, mount the file)');
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    fail(file, `is not valid JSON or YAML (${(error as Error).message.split('\n')[0]})`, 'Fix the syntax');
  }
  const list = Array.isArray(document) ? document : (document as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(list) || list.length === 0)
    fail(file, 'has no tenants', 'Write a list of entries with at least tenantId, or { tenants: [...] }');
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const at = `tenants[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(file, `${at} is not an object`, 'Each entry needs at least tenantId');
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (KNOWN_KEYS.has(key)) continue;
      if (SECRET_KEYS.test(key))
        fail(
          file,
          `${at} has "${key}": secrets do not belong in the tenants file`,
          'Put the secret in an environment variable and name it in clientSecretEnv',
        );
      fail(file, `${at} has the unknown field "${key}"`, `Use only ${[...KNOWN_KEYS].join(', ')}`);
    }
    for (const key of Object.keys(entry)) {
      if (typeof entry[key] !== 'string') fail(file, `${at}.${key} is not a string`, 'Quote the value');
    }
    const tenantId = String(entry.tenantId ?? '').trim();
    if (!GUID.test(tenantId))
      fail(
        file,
        `${at}.tenantId "${tenantId}" is not a tenant id (GUID)`,
        'Use the Directory (tenant) ID from Entra ID, not the domain name',
      );
    if (seen.has(tenantId.toLowerCase())) fail(file, `${at}.tenantId ${tenantId} appears twice`, 'List each tenant once');
    seen.add(tenantId.toLowerCase());
    if (entry.clientSecretEnv && entry.certificatePath)
      fail(file, `${at} sets both clientSecretEnv and certificatePath`, 'Choose one way to authenticate');
    if ((entry.ingestionEndpoint === undefined) !== (entry.dcrImmutableId === undefined)) {
      fail(
        file,
        `${at} sets only one of ingestionEndpoint and dcrImmutableId`,
        "Set both for a per-tenant destination, or neither to use the run's",
      );
    }
    return {
      tenantId,
      displayName: entry.displayName as string | undefined,
      clientId: entry.clientId as string | undefined,
      clientSecretEnv: entry.clientSecretEnv as string | undefined,
      certificatePath: entry.certificatePath as string | undefined,
      ingestionEndpoint: entry.ingestionEndpoint as string | undefined,
      dcrImmutableId: entry.dcrImmutableId as string | undefined,
      streamName: entry.streamName as string | undefined,
    };
  });
}

/**
 * The tenants this replica works on. A Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX;
 * with `--shard-count N` the pod takes every N-th tenant from its index, so no tenant is done twice.
 */
export function shardOf<T>(tenants: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard) return [...tenants];
  return tenants.filter((_, i) => i % shard.count === shard.index);
}
