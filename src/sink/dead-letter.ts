import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableRecord } from '../schema/records.js';
import { toNdjson } from './ndjson-sink.js';

/**
 * Writes records the destination refused to `<dir>/<tenant>-<runId>.ndjson`, so none is lost;
 * `securescore-connector replay FILE` sends them again. Returns the file path.
 */
export async function writeDeadLetter(dir: string, tenantId: string, runId: string, records: readonly TableRecord[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${tenantId.replace(/[^A-Za-z0-9._-]/g, '_')}-${runId}.ndjson`);
  await writeFile(file, toNdjson(records), { flag: 'wx' });
  return file;
}
