import type { TokenCredential } from '@azure/identity';
import type { TableRecord } from '../schema/records.js';
import { lazy } from '../lazy.js';
import { blobFolderName, blobUrlOf, isBlobUrl, parseBlobUrl } from '../storage/blob-url.js';
import { deadLetterName } from './dead-letter.js';
import { FileDeadLetter, FileDeadLetterFolder } from './file-dead-letters.js';

/** blob-dead-letters.ts and @azure/storage-blob under it, loaded on first use. */
const loadBlobDeadLetters = lazy(() => import('./blob-dead-letters.js'));

/** One run's dead letter for one tenant, written as refused records arrive. */
export interface DeadLetterWriter {
  /** The path or blob URL `replay` takes. */
  readonly location: string;
  /**
   * Appends records; the first call creates the dead letter. Throws ConnectorError DELIVERY with a
   * one-line reason when they cannot be kept (a first write that fails leaves nothing behind).
   */
  append(records: readonly TableRecord[]): Promise<void>;
}

/** A dead letter `replay` reads, then rewrites with what is left or deletes. */
export interface DeadLetter {
  /** The path or blob URL, as printed by run. */
  readonly location: string;
  /** The whole dead letter, as bytes (a line that cannot be sent is written back as it was); remembers which version was read. */
  read(): Promise<Buffer>;
  /**
   * Replaces it with `bytes`, all or nothing (a full disk or a lost connection never shortens it), and
   * only if it is still the version read.
   */
  replace(bytes: Buffer): Promise<void>;
  /** Deletes it, only if it is still the version read (where the store can tell). */
  remove(): Promise<void>;
}

/** Where dead letters are kept: a local folder (`./dead-letter`) or a blob folder. */
export interface DeadLetterFolder {
  /** For messages: `folder ./dead-letter` or `blob folder <container>/<folder>/`. */
  readonly description: string;
  /** The writer of `<tenant>-<runId>.ndjson` in this folder; nothing is written until its first append. */
  writer(tenantId: string, runId: string): DeadLetterWriter;
  /** Every dead letter in the folder, oldest name first; none when the folder does not exist. */
  list(): Promise<DeadLetter[]>;
  /** Writes and deletes a probe, as `doctor` does for the state store. */
  checkWritable(): Promise<void>;
}

/**
 * The dead-letter folder a `--dead-letter` value names: an http(s) URL is a blob folder
 * (AZURE_STORAGE_CONNECTION_STRING when set, else the connector's credential), anything else a path.
 * A blob URL is checked here; the blob SDK is loaded by the folder's first call that needs it.
 */
export function openDeadLetterFolder(location: string, env: NodeJS.ProcessEnv, credential: () => TokenCredential): DeadLetterFolder {
  return isBlobUrl(location) ? deferredBlobFolder(location, env, credential) : new FileDeadLetterFolder(location);
}

/** One dead letter by its path or blob URL, as run printed it. */
export function openDeadLetter(location: string, env: NodeJS.ProcessEnv, credential: () => TokenCredential): DeadLetter {
  if (!isBlobUrl(location)) return new FileDeadLetter(location);
  parseBlobUrl(location, 'replay');
  const deadLetter = lazy(async () => (await loadBlobDeadLetters()).openBlobDeadLetter(location, env, credential));
  return {
    location,
    read: async () => (await deadLetter()).read(),
    replace: async (bytes) => (await deadLetter()).replace(bytes),
    remove: async () => (await deadLetter()).remove(),
  };
}

/** A blob dead-letter folder whose names and description are known now, and whose SDK client is built on first use. */
function deferredBlobFolder(url: string, env: NodeJS.ProcessEnv, credential: () => TokenCredential): DeadLetterFolder {
  const location = parseBlobUrl(url, '--dead-letter');
  const folder = lazy(async () => new (await loadBlobDeadLetters()).BlobDeadLetterFolder(url, env, credential));
  return {
    description: `blob folder ${blobFolderName(location)}`,
    writer(tenantId, runId) {
      const writer = lazy(async () => (await folder()).writer(tenantId, runId));
      return {
        location: blobUrlOf(location, deadLetterName(tenantId, runId)),
        append: async (records) => (await writer()).append(records),
      };
    },
    list: async () => (await folder()).list(),
    checkWritable: async () => (await folder()).checkWritable(),
  };
}
