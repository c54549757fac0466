import type { Config } from '../config/config.js';
import { ConnectorError } from '../errors.js';
import { isBlobUrl } from '../storage/blob-url.js';

/** The tenants file a command reads: the one given, or a local copy of the blob given. */
export interface TenantsSource {
  /** The configuration with `tenantsFile` pointing at what can be read locally. */
  readonly config: Config;
  /** How messages name the tenants file: the path or blob URL the user gave (without a SAS). */
  readonly shownAs: string | undefined;
  /** A message about the local copy, naming the blob instead. */
  readonly rename: (text: string) => string;
  /** Removes the local copy. */
  readonly remove: () => Promise<void>;
}

/**
 * The tenants file as given, or, for `--tenants https://<account>.blob.core.windows.net/<container>/tenants.yaml`
 * (the tenants file kept beside the checkpoints, so adding a customer is one upload and the job is not
 * redeployed), a private local copy of the blob that the command reads as any tenants file. The storage
 * SDK is loaded only for a blob (tenants-blob.ts).
 */
export async function tenantsSource(config: Config, env: NodeJS.ProcessEnv): Promise<TenantsSource> {
  const given = config.tenantsFile;
  if (!given || !isBlobUrl(given)) return { config, shownAs: given, rename: (text) => text, remove: async () => {} };
  return (await import('./tenants-blob.js')).copyTenantsBlob(config, given, env);
}

/** Runs `work` with the tenants source, naming the blob (not its local copy) in its errors, and removing the copy after. */
export async function withTenantsSource<T>(
  config: Config,
  env: NodeJS.ProcessEnv,
  work: (source: TenantsSource) => Promise<T>,
): Promise<T> {
  const source = await tenantsSource(config, env);
  try {
    return await work(source);
  } catch (error) {
    if (error instanceof ConnectorError) throw new ConnectorError(error.code, source.rename(error.message), { cause: error });
    throw error;
  } finally {
    await source.remove();
  }
}
