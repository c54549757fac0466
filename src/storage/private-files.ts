import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConnectorError } from '../errors.js';

/**
 * Checkpoints, locks and dead letters say which tenants exist, when runs happen and what their data is:
 * readable by their owner only. Shared by state/ and sink/.
 */
export const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Creates `dir` and any missing parents as 0700. Only folders created here are chmod-ed (mkdir's
 * mode is narrowed by the umask, and the umask may be odd); a folder the user already had keeps
 * its mode.
 */
export async function makePrivateFolder(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (!first) return;
  for (let folder = dir; ; folder = dirname(folder)) {
    await chmod(folder, PRIVATE_FOLDER_MODE);
    if (folder === first || dirname(folder) === folder) break;
  }
}

/**
 * Writes `data` to a new private file beside `path` and returns its name. Beside, so that a rename
 * or a link from it to `path` is atomic (one filesystem); synced, so a crash after the rename never
 * leaves an empty file. The caller renames, links or removes it; a failed write removes it here.
 */
export async function writeTempBeside(path: string, data: string | Buffer): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (error) {
    // A temp file left by every failed write would fill a full disk further.
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Replaces `path` with `data` all at once: a reader, or a run that crashed, finds the old file or
 * the new one, whole, never part of one. Throws the file system's error, for the caller to word.
 */
export async function replaceFileAtomically(path: string, data: string | Buffer): Promise<void> {
  const temp = await writeTempBeside(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** What a person does about a failed file operation, by its errno code. */
function fixFor(code: string): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'Free space on that disk';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'Make that folder writable for the user running the connector';
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return 'Something else is in the way of that path: move it';
    default:
      return 'Check that disk and folder';
  }
}

/**
 * A failed write of a state file as a one-line ConnectorError: `<what> (<errno>). <fix>, <alternative>`.
 * A full disk is DELIVERY (exit 1, the next run retries); anything else needs a person (CONFIG, exit 2)
 * unless `code` says otherwise.
 */
export function fileFailure(what: string, error: unknown, alternative: string, code?: 'DELIVERY' | 'CONFIG'): ConnectorError {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  const kind = code ?? (errno === 'ENOSPC' || errno === 'EDQUOT' ? 'DELIVERY' : 'CONFIG');
  return new ConnectorError(kind, `${what} (${errno}). ${fixFor(errno)}, ${alternative}`, { cause: error });
}
