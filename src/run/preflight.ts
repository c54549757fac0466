import { randomUUID } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { ConnectorError } from '../errors.js';

/** The nearest part of `path` that exists (the path itself, or the folder or file that stops it). */
async function nearestExisting(path: string): Promise<{ path: string; isDirectory: boolean } | undefined> {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      const s = await stat(p);
      return { path: p, isDirectory: s.isDirectory() };
    } catch (error) {
      // ENOTDIR: a file stands where a folder of the path should be; the walk finds that file.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(p) === p) return undefined;
    }
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/**
 * Creates and removes a probe file in `folder`. `access(W_OK)` is not enough: it says yes to root in
 * read-only places (sysfs, read-only mounts), where creating a file still fails.
 */
async function probeFolder(folder: string): Promise<void> {
  const probe = join(folder, `.securescore-probe-${randomUUID()}`);
  const handle = await open(probe, 'wx');
  await handle.close();
  await rm(probe, { force: true });
}

/**
 * The NDJSON file `--output` names can be written: an existing file opens for appending (nothing is
 * changed yet; the run replaces it), a device takes one newline (opening /dev/full succeeds, only the
 * first write fails), a new file's folder must exist and take a file.
 */
async function checkOutput(output: string, label: string): Promise<void> {
  const fail = (problem: string, fix = 'Choose a file in a writable folder, or - for stdout'): never => {
    throw new ConnectorError('CONFIG', `${label}: ${problem}. ${fix}`);
  };
  let existing: Awaited<ReturnType<typeof stat>> | undefined;
  try {
    existing = await stat(output);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') fail(`cannot read ${output} (${codeOf(error)})`);
  }
  if (existing?.isDirectory()) fail(`${output} is a folder`, `Name a file in it, such as ${join(output, 'scores.ndjson')}`);
  if (existing?.isFIFO()) return; // a named pipe: a probe would reach its reader, and opening it waits for one.
  if (existing) {
    try {
      const handle = await open(output, 'a');
      try {
        if (existing.isCharacterDevice()) await handle.write('\n');
      } finally {
        await handle.close();
      }
    } catch (error) {
      fail(`cannot write ${output} (${codeOf(error)})`);
    }
    return;
  }
  const folder = dirname(resolve(output));
  const found = await nearestExisting(folder);
  if (!found || found.path !== folder) fail(`the folder ${dirname(output)} does not exist`, 'Create it first, or choose another file');
  try {
    await probeFolder(folder);
  } catch (error) {
    fail(`cannot create a file in ${dirname(output)} (${codeOf(error)})`);
  }
}

/** The dead-letter folder exists and takes a file, or could be created under its nearest existing folder. */
async function checkDeadLetter(dir: string, label: string): Promise<void> {
  const fail = (problem: string): never => {
    throw new ConnectorError('CONFIG', `${label}: ${problem}. Point ${label} at a writable folder`);
  };
  const found = await nearestExisting(dir);
  if (!found) return fail(`no folder of ${dir} exists`);
  if (!found.isDirectory) return fail(`${found.path} is not a folder`);
  try {
    await probeFolder(found.path);
  } catch (error) {
    fail(`cannot create ${dir} (${codeOf(error)} in ${found.path})`);
  }
}

/**
 * Checks, before any Graph call, that what the run writes to disk can be written: the `--output`
 * file and, when records may be refused by a DCR, the dead-letter folder. (A file checkpoint store
 * proves its path when it is opened, also before Graph.) Each failure is one CONFIG error (exit 2).
 */
export async function preflight(
  config: Pick<Config, 'output' | 'ingestion' | 'tenantsFile' | 'deadLetter'> & { readonly labels?: Config['labels'] },
): Promise<void> {
  if (config.output && config.output !== '-') await checkOutput(config.output, config.labels?.output ?? '--output');
  // Only a DCR refuses records; with a tenants file any tenant may name its own DCR.
  // A blob dead-letter folder is proven by doctor; a local one here, before anything is read.
  const local = !/^https?:\/\//i.test(config.deadLetter);
  if ((config.ingestion || config.tenantsFile) && local)
    await checkDeadLetter(config.deadLetter, config.labels?.['dead-letter'] ?? '--dead-letter');
}
