import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type { BlobServiceClient as BlobService } from '@azure/storage-blob';
import { DEFAULT_FIXES, findFix } from '../fixes.js';

// The SDK's CommonJS build, as @azure/identity's (auth/lazy-credential.ts says why). Only the blob
// stores import this module (checkpoints, dead letters, the tenants file), each loaded only for a blob URL.
const { BlobServiceClient, RestError } = createRequire(import.meta.url)('@azure/storage-blob') as typeof import('@azure/storage-blob');

/**
 * The blob service of an account: through AZURE_STORAGE_CONNECTION_STRING when it is set (Azurite,
 * or an account key kept in a secret), else a SAS given in the URL, else the connector's credential
 * (Entra ID roles).
 */
export function blobService(accountUrl: string, env: NodeJS.ProcessEnv, credential: () => TokenCredential, sas?: string): BlobService {
  const connectionString = env.AZURE_STORAGE_CONNECTION_STRING;
  if (connectionString) return BlobServiceClient.fromConnectionString(connectionString);
  return sas ? new BlobServiceClient(`${accountUrl}?${sas}`) : new BlobServiceClient(accountUrl, credential());
}

/** The HTTP status of a storage failure, when the service answered. */
export function storageStatus(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

/**
 * A storage failure in the catalogue's words: `answer` ("HTTP 403 AuthorizationPermissionMismatch: the
 * identity may not write the container") and the fix (src/fixes.ts, service `storage`).
 */
export function explainStorageError(error: unknown): { answer: string; fix: string } {
  const status = storageStatus(error);
  const code = error instanceof RestError ? error.code : undefined;
  const rule = findFix('storage', status);
  const answer = `${status ? `HTTP ${status}` : 'no answer'}${code ? ` ${code}` : ''}${rule ? `: ${rule.problem}` : ''}`;
  return { answer, fix: rule?.fix ?? DEFAULT_FIXES.storage };
}
