import type { TokenCredential } from '@azure/identity';
import { isBlobUrl, parseBlobUrl } from '../storage/blob-url.js';
import { BlobCheckpointStore } from './blob-store.js';
import { FileCheckpointStore, type FileStoreOptions } from './file-store.js';
import type { CheckpointStore } from './store.js';

/**
 * The store a `--state` value names: an http(s) URL is a blob (authenticated with
 * AZURE_STORAGE_CONNECTION_STRING when set, else the connector's credential), anything else a file.
 * `fileOptions.staleAfterMs` is the age at which a file lock is taken over (`staleLockAfterMs` of
 * the run deadline); blobs use leases, which lapse on their own.
 */
export function openCheckpointStore(
  state: string,
  env: NodeJS.ProcessEnv,
  credential: () => TokenCredential,
  fileOptions: FileStoreOptions = {},
): CheckpointStore {
  if (isBlobUrl(state)) {
    const connectionString = env.AZURE_STORAGE_CONNECTION_STRING;
    return new BlobCheckpointStore(parseBlobUrl(state), connectionString ? { connectionString } : { credential: credential() });
  }
  return new FileCheckpointStore(state, fileOptions);
}
