import type { TokenCredential } from '@azure/identity';
import { blobFolderName, isBlobUrl, parseBlobUrl, type BlobLocation } from '../storage/blob-url.js';
import { FileCheckpointStore, type FileStoreOptions } from './file-store.js';
import type { CheckpointStore } from './store.js';
import { lazy } from '../lazy.js';

/**
 * The store a `--state` value names: an http(s) URL is a blob (authenticated with
 * AZURE_STORAGE_CONNECTION_STRING when set, else the connector's credential), anything else a file.
 * `fileOptions.staleAfterMs` is the age at which a file lock is taken over (`staleLockAfterMs` of
 * the run deadline); blobs use leases, which lapse on their own. A blob URL is checked here, but
 * @azure/storage-blob is loaded only by the store's first call.
 */
export function openCheckpointStore(
  state: string,
  env: NodeJS.ProcessEnv,
  credential: () => TokenCredential,
  fileOptions: FileStoreOptions = {},
): CheckpointStore {
  if (isBlobUrl(state)) {
    return deferredBlobStore(parseBlobUrl(state), env, credential);
  }
  return new FileCheckpointStore(state, fileOptions);
}

/** A blob checkpoint store whose SDK client is built by its first call (`doctor` calls checkWritable without open). */
function deferredBlobStore(location: BlobLocation, env: NodeJS.ProcessEnv, credential: () => TokenCredential): CheckpointStore {
  const store = lazy(async () => new (await import('./blob-store.js')).BlobCheckpointStore(location, env, credential));
  return {
    description: `checkpoint blobs ${blobFolderName(location)}`,
    open: async () => (await store()).open(),
    lockTenant: async (tenantId) => (await store()).lockTenant(tenantId),
    // Nothing to close when it was never used.
    close: async () => (store.made ? (await store()).close() : undefined),
    checkWritable: async () => (await store()).checkWritable(),
  };
}
