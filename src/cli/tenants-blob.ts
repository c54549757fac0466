import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createCredential } from '../auth/credential.js';
import type { Config } from '../config/config.js';
import { ConnectorError, describeError } from '../errors.js';
import { networkFailure } from '../fixes.js';
import { blobService, explainStorageError, storageStatus } from '../storage/blob-service.js';
import { parseBlobUrl } from '../storage/blob-url.js';
import type { TenantsSource } from './tenants-source.js';

/** A tenants file is a list of ids and names: anything this big is not one. */
const MAX_TENANTS_BYTES = 4 * 1024 * 1024;

/**
 * Reads a tenants blob once, with the connector's credential (or AZURE_STORAGE_CONNECTION_STRING, or a
 * SAS in the URL), into a private local copy; messages name the blob, never the copy or a SAS.
 */
export async function copyTenantsBlob(config: Config, given: string, env: NodeJS.ProcessEnv): Promise<TenantsSource> {
  const label = config.labels.tenants ?? '--tenants';
  const location = parseBlobUrl(given, label);
  const shownAs = given.split('?')[0]!;
  let text: Buffer;
  try {
    const credential = createCredential(config.authorityHost);
    const blob = blobService(location.accountUrl, env, () => credential, location.sas)
      .getContainerClient(location.container)
      .getBlobClient(location.folder);
    const properties = await blob.getProperties();
    if ((properties.contentLength ?? 0) > MAX_TENANTS_BYTES)
      throw new ConnectorError('CONFIG', `${label} ${shownAs}: is ${properties.contentLength} bytes, not a tenants file. Check the URL`);
    text = await blob.downloadToBuffer();
  } catch (error) {
    throw unreadable(error, `${label} ${shownAs}`);
  }
  const folder = await mkdtemp(join(tmpdir(), 'securescore-tenants-'));
  const local = join(folder, basename(location.folder));
  await writeFile(local, text, { mode: 0o600 });
  return {
    config: { ...config, tenantsFile: local },
    shownAs,
    rename: (message) => message.replaceAll(local, shownAs),
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/** Why the tenants blob could not be read, as a one-line error with the fix. */
function unreadable(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const status = storageStatus(error);
  if (status === 404)
    return new ConnectorError(
      'CONFIG',
      `${what}: no such blob. Upload the tenants file there (az storage blob upload --auth-mode login --account-name <account> -c <container> -n <name> -f tenants.json --overwrite)`,
    );
  if (status !== undefined) {
    const { answer, fix } = explainStorageError(error);
    return new ConnectorError(status === 401 || status === 403 ? 'AUTH' : 'CONFIG', `${what}: cannot be read (${answer}). ${fix}`, {
      cause: error,
    });
  }
  const network = networkFailure(error);
  return new ConnectorError(
    network ? 'NETWORK' : 'CONFIG',
    `${what}: cannot be read (${network ? network.code : describeError(error)}). ${network ? network.rule.fix : 'Check the URL'}`,
    { cause: error },
  );
}
