import { defaultOf } from '../config/options.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { link, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ConnectorError } from '../errors.js';
import { fileFailure, PRIVATE_FILE_MODE, writeTempBeside } from '../storage/private-files.js';
import { STALE_LOCK_MARGIN_MINUTES } from '../limits.js';

/** Who holds a lock: enough to tell a live holder from a dead one, and this process from an earlier life of its pid. */
export interface LockOwner {
  readonly host: string;
  /** The pid namespace (`/proc/self/ns/pid` on Linux, '' elsewhere): pids compare only within one. */
  readonly pidNamespace: string;
  readonly pid: number;
  /** Random per process: a container's PID 1 has the same pid in every life, never the same token. */
  readonly token: string;
}

/** What a lock file holds. */
interface LockDocument extends LockOwner {
  readonly startedAt: string;
}

/** A lock file as found on disk. */
export interface FoundLock {
  /** The parsed document; undefined for an empty or unreadable file. */
  readonly document: LockDocument | undefined;
  /** Since the file was last written (its mtime), in ms, on the filesystem's own clock. */
  readonly ageMs: number;
}

/** Whether a lock found on disk keeps this run out, and why (for the message). */
export type LockVerdict = { readonly stale: false } | { readonly stale: true; readonly reason: string };

/** The age after which a lock is taken over whatever it says: the run deadline plus a margin. */
export function staleLockAfterMs(maxRunMinutes: number): number {
  return (maxRunMinutes + STALE_LOCK_MARGIN_MINUTES) * 60_000;
}

/** The default run deadline (`--max-run-minutes`) is 30 minutes. */
export const DEFAULT_STALE_LOCK_MS = staleLockAfterMs(Number(defaultOf('max-run-minutes')));

let processOwner: LockOwner | undefined;

/** This process as a lock owner; the token is drawn once per process. */
function thisProcess(): LockOwner {
  if (!processOwner) {
    let pidNamespace = '';
    try {
      pidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      // Not Linux, or /proc hidden: pids are then compared as if in one namespace.
    }
    processOwner = { host: hostname(), pidNamespace, pid: process.pid, token: randomUUID() };
  }
  return processOwner;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Decides whether a lock keeps this run out. Age decides first: a lock older than the run deadline
 * is stale whoever wrote it. Otherwise the pid is evidence only within one host and one pid
 * namespace: there a dead pid is stale, and our own pid with another token is an earlier life of it
 * (a container's PID 1 killed and started again). Elsewhere, including on another host sharing the
 * volume, only age counts. An unreadable lock is never taken over early (it may be mid-write on a
 * filesystem without hard links).
 */
export function judgeLock(found: FoundLock, self: LockOwner, staleAfterMs: number, alive: (pid: number) => boolean = isAlive): LockVerdict {
  const minutes = Math.round(staleAfterMs / 60_000);
  if (found.ageMs > staleAfterMs) return { stale: true, reason: `older than ${minutes} minutes` };
  const d = found.document;
  if (!d) return { stale: false };
  if (d.host !== self.host || d.pidNamespace !== self.pidNamespace) return { stale: false };
  if (d.pid === self.pid) {
    return d.token === self.token ? { stale: false } : { stale: true, reason: `written by an earlier process with pid ${d.pid}` };
  }
  return alive(d.pid) ? { stale: false } : { stale: true, reason: `pid ${d.pid} is not running` };
}

function parseLock(text: string): LockDocument | undefined {
  try {
    const d = JSON.parse(text) as Partial<LockDocument> | null;
    if (typeof d?.host === 'string' && typeof d.pid === 'number' && typeof d.token === 'string' && typeof d.startedAt === 'string') {
      return { host: d.host, pidNamespace: String(d.pidNamespace ?? ''), pid: d.pid, token: d.token, startedAt: d.startedAt };
    }
  } catch {
    // Not ours, or cut short: judged by age alone.
  }
  return undefined;
}

/** A lock file read together with its identity, so a takeover can tell it moved the very file it judged. */
interface ReadLock extends FoundLock {
  readonly text: string;
  readonly ino: number;
}

/**
 * Reads a lock file. Its age is `fsNow` (the mtime of a file just written beside it) minus its mtime:
 * both on the filesystem's clock, so a host whose clock differs from a shared volume's server, or a
 * moved clock, judges the lock's age as the filesystem sees it.
 */
async function readLock(path: string, fsNow?: number): Promise<ReadLock | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    const text = await handle.readFile('utf8');
    return { document: parseLock(text), text, ino: info.ino, ageMs: (fsNow ?? Date.now()) - info.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** link() is missing on some filesystems (SMB shares, Azure Files over SMB among them). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * An exclusive lock file, `<path>`, holding a complete {@link LockDocument}. It is written whole to
 * a temporary file and hard-linked into place, so it never exists empty; link() fails with EEXIST
 * when another run holds it. Where hard links are missing it is created exclusively and written in
 * one call, and an unreadable lock then counts as held until it is stale.
 */
export class FileLock {
  private held = false;

  constructor(
    private readonly path: string,
    /** What the lock protects, for messages. */
    private readonly subject: string,
    private readonly staleAfterMs: number = DEFAULT_STALE_LOCK_MS,
    private readonly self: LockOwner = thisProcess(),
  ) {}

  /** Takes the lock, or throws ConnectorError LOCKED naming the holder. */
  async acquire(): Promise<void> {
    const document: LockDocument = { ...this.self, startedAt: new Date().toISOString() };
    const text = `${JSON.stringify(document)}\n`;
    let temp: string | undefined;
    try {
      temp = await writeTempBeside(this.path, text);
      // Now, by the filesystem's clock: the temporary file was just written.
      const fsNow = (await stat(temp)).mtimeMs;
      // A few rounds: each one either takes the lock, finds a live holder, or moves a stale one away.
      for (let round = 0; round < 5; round++) {
        if (await this.create(temp, text)) {
          this.held = true;
          return;
        }
        const found = await readLock(this.path, fsNow);
        if (!found) continue;
        const verdict = judgeLock(found, this.self, this.staleAfterMs);
        if (!verdict.stale) throw this.lockedError(found);
        await this.moveAway(found);
      }
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw fileFailure(`State: could not lock ${this.subject} with ${this.path}`, error, 'or point --state at another path');
    } finally {
      if (temp) await rm(temp, { force: true });
    }
    throw new ConnectorError(
      'LOCKED',
      `State: could not lock ${this.subject}: other runs are starting at the same time. This run does nothing; one of them delivers`,
    );
  }

  /** Throws ConnectorError DELIVERY unless the lock file is still ours (it is taken over from a run past its deadline). */
  async assertHeld(): Promise<void> {
    const found = this.held ? await readLock(this.path) : undefined;
    if (found?.document?.token === this.self.token && found.document.pid === this.self.pid) return;
    throw new ConnectorError(
      'DELIVERY',
      `State: another run took over ${this.path} (this run outlived the lock's ${Math.round(this.staleAfterMs / 60_000)} minutes), so its checkpoint is not saved. The next run sends again what this one delivered (deduplicated on read); lower --concurrency or raise --max-run-minutes if runs need longer`,
    );
  }

  /** Removes the lock file if it is still ours; another run may have taken it over. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    const found = await readLock(this.path).catch(() => undefined);
    if (found?.document?.token === this.self.token && found.document.pid === this.self.pid) await rm(this.path, { force: true });
  }

  /** True when the lock file now holds `text`; false when another one is there. */
  private async create(temp: string, text: string): Promise<boolean> {
    try {
      await link(temp, this.path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(code)) throw error;
    }
    try {
      await writeFile(this.path, text, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /**
   * Moves a stale lock out of the way without a race: rename() to a unique name succeeds for one
   * run only. If what it moved is not the file judged stale (another run replaced it in between),
   * it is put back at once, so that run keeps its lock.
   */
  private async moveAway(stale: ReadLock): Promise<void> {
    const grave = `${this.path}.${randomBytes(6).toString('hex')}.stale`;
    try {
      await rename(this.path, grave);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const moved = await stat(grave);
    const text = await readFile(grave, 'utf8');
    if (moved.ino !== stale.ino || text !== stale.text) await this.create(grave, text);
    await unlink(grave);
  }

  private lockedError(found: ReadLock): ConnectorError {
    const d = found.document;
    const holder = d ? `(pid ${d.pid})` : `(its lock file ${this.path} is unreadable)`;
    const since = d ? ` It started on host ${d.host} at ${d.startedAt};` : '';
    const minutes = Math.round(this.staleAfterMs / 60_000);
    return new ConnectorError(
      'LOCKED',
      `State: ${this.subject} is in use by another run ${holder}. Left to that run, which delivers it.${since} a lock older than ${minutes} minutes is taken over, so delete ${this.path} only if no run is going`,
    );
  }
}
