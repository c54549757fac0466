import { open, rm } from 'node:fs/promises';
import { makePrivateFolder, PRIVATE_FILE_MODE } from '../storage/private-files.js';
import { join } from 'node:path';
import { ConnectorError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import { toNdjson } from './ndjson-sink.js';

/** The name of a run's dead letter for one tenant, in a folder or a blob folder. */
export function deadLetterName(tenantId: string, runId: string): string {
  return `${tenantId.replace(/[^A-Za-z0-9._-]/g, '_')}-${runId}.ndjson`;
}

/** Why refused records could not be kept, and that they are not lost. */
export function deadLetterWriteError(count: number, where: string, reason: string, fix: string, cause: unknown): ConnectorError {
  return new ConnectorError(
    'DELIVERY',
    `Dead letter: could not write ${count} refused record(s) to ${where} (${reason}). ${fix}; the checkpoint did not move, so the next run sends them again`,
    { cause },
  );
}

/**
 * Writes records the destination refused to `<dir>/<tenant>-<runId>.ndjson`, so none is lost;
 * `securescore-connector replay FILE` sends them again. Returns the file path. When the file
 * cannot be written (full disk, read-only folder) it throws ConnectorError DELIVERY with a one-line
 * reason and leaves no partial file behind.
 */
export async function writeDeadLetter(dir: string, tenantId: string, runId: string, records: readonly TableRecord[]): Promise<string> {
  const file = join(dir, deadLetterName(tenantId, runId));
  let created = false;
  try {
    await makePrivateFolder(dir);
    const handle = await open(file, 'wx', PRIVATE_FILE_MODE);
    created = true;
    try {
      await handle.writeFile(toNdjson(records));
    } finally {
      await handle.close();
    }
    return file;
  } catch (error) {
    // Half a dead letter would replay as if it were all of it; none is better, and the records
    // are not lost: the checkpoint did not move, so the next run sends them again.
    if (created) await rm(file, { force: true }).catch(() => undefined);
    throw fileWriteError(records.length, file, error);
  }
}

/** A dead-letter file that could not be written, with the errno (ENOSPC, EACCES) as the reason. */
export function fileWriteError(count: number, file: string, error: unknown): ConnectorError {
  const errno = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return deadLetterWriteError(count, file, errno, 'Free space there or point --dead-letter at a writable folder', error);
}
