import { chmod, mkdir, open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConnectorError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import { toNdjson } from './ndjson-sink.js';

/** Refused records carry tenant data: readable by their owner only. */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

/** Creates `dir` and missing parents as 0700; folders the user already had keep their mode. */
async function makePrivateFolder(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: FOLDER_MODE });
  if (!first) return;
  for (let folder = dir; ; folder = dirname(folder)) {
    await chmod(folder, FOLDER_MODE);
    if (folder === first || dirname(folder) === folder) break;
  }
}

/**
 * Writes records the destination refused to `<dir>/<tenant>-<runId>.ndjson`, so none is lost;
 * `securescore-connector replay FILE` sends them again. Returns the file path. When the file
 * cannot be written (full disk, read-only folder) it throws ConnectorError DELIVERY with a one-line
 * reason and leaves no partial file behind.
 */
export async function writeDeadLetter(dir: string, tenantId: string, runId: string, records: readonly TableRecord[]): Promise<string> {
  const file = join(dir, `${tenantId.replace(/[^A-Za-z0-9._-]/g, '_')}-${runId}.ndjson`);
  let created = false;
  try {
    await makePrivateFolder(dir);
    const handle = await open(file, 'wx', FILE_MODE);
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
    const errno = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConnectorError(
      'DELIVERY',
      `Dead letter: could not write ${records.length} refused record(s) to ${file} (${errno}). Free space there or point --dead-letter at a writable folder; the checkpoint did not move, so the next run sends them again`,
      { cause: error },
    );
  }
}
