import type { TokenCredential } from '@azure/identity';
import { blobFolderName, isBlobUrl, parseBlobUrl, type BlobLocation } from '../storage/blob-url.js';
import { FileCheckpointStore, type FileStoreOptions } from './file-store.js';
import type { CheckpointStore, HeldElsewhere, TenantCheckpointLock } from './store.js';

/**
 * The store a `--state` value names: an http(s) URL is a blob (authenticated with
 * AZURE_STORAGE_CONNECTION_STRING when set, else the connector's credential), anything else a file.
 * `fileOptions.staleAfterMs` is the age at which a file lock is taken over (`staleLockAfterMs` of
 * the run deadline); blobs use leases, which lapse on their own. A blob URL is checked here, but
 * @azure/storage-blob (about 0.2 s of CPU to load) only by the store's first call.
 */
export function openCheckpointStore(
  state: string,
  env: NodeJS.ProcessEnv,
  credential: () => TokenCredential,
  fileOptions: FileStoreOptions = {},
): CheckpointStore {
  if (isBlobUrl(state)) {
    const location = parseBlobUrl(state);
    const connectionString = env.AZURE_STORAGE_CONNECTION_STRING;
    return new DeferredBlobStore(location, async () => {
      const { BlobCheckpointStore } = await import('./blob-store.js');
      return new BlobCheckpointStore(location, connectionString ? { connectionString } : { credential: credential() });
    });
  }
  return new FileCheckpointStore(state, fileOptions);
}

/** A blob checkpoint store built by its first call (`doctor` calls checkWritable without open). */
class DeferredBlobStore implements CheckpointStore {
  private loaded: Promise<CheckpointStore> | undefined;

  constructor(
    location: BlobLocation,
    private readonly load: () => Promise<CheckpointStore>,
  ) {
    this.description = `checkpoint blobs ${blobFolderName(location)}`;
  }

  readonly description: string;

  private store(): Promise<CheckpointStore> {
    return (this.loaded ??= this.load());
  }

  async open(): Promise<void> {
    await (await this.store()).open();
  }

  async lockTenant(tenantId: string): Promise<TenantCheckpointLock | HeldElsewhere> {
    return (await this.store()).lockTenant(tenantId);
  }

  async close(): Promise<void> {
    // Nothing to close when it was never used.
    if (this.loaded) await (await this.loaded).close();
  }

  async checkWritable(): Promise<void> {
    await (await this.store()).checkWritable();
  }
}
