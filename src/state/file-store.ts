import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConnectorError } from '../errors.js';
import { emptyCheckpoint, parseCheckpoint, type CheckpointDocument, type TenantCheckpoint } from './checkpoint.js';
import { DEFAULT_STALE_LOCK_MS, FileLock } from './file-lock.js';
import { fileFailure, makePrivateFolder, PRIVATE_FILE_MODE } from './private-files.js';
import type { CheckpointStore, TenantCheckpointLock } from './store.js';
import { validateTenantCheckpoint } from './validate-checkpoint.js';

/** How long a checkpoint write waits for other tenants' saves to share it. */
const SAVE_GATHER_MS = 200;

/** Options of a {@link FileCheckpointStore}. */
export interface FileStoreOptions {
  /**
   * Age after which another run's lock is taken over whatever it says: the run deadline plus a
   * margin (`staleLockAfterMs(maxRunMinutes)`). Default: for the default 30-minute deadline.
   */
  readonly staleAfterMs?: number;
}

/**
 * A local JSON file holding every tenant's checkpoint. Writes go to a temporary file renamed over
 * the old one (atomic on POSIX), one at a time; `<file>.lock` (see {@link FileLock}) keeps a second
 * run out for the whole run. Files are 0600 and the folders it creates 0700.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly lock: FileLock;
  private held = false;
  private document: CheckpointDocument = emptyCheckpoint();
  private readonly lockedTenants = new Set<string>();
  private writes: Promise<void> = Promise.resolve();
  /** The write that saves made now will share, while it has not started. */
  private gathering: Promise<void> | undefined;
  /** When the last write started (ms). */
  private lastWrite = 0;

  constructor(
    private readonly path: string,
    options: FileStoreOptions = {},
  ) {
    this.lock = new FileLock(`${path}.lock`, path, options.staleAfterMs ?? DEFAULT_STALE_LOCK_MS);
  }

  get description(): string {
    return `checkpoint file ${this.path}`;
  }

  async open(): Promise<void> {
    try {
      await makePrivateFolder(dirname(this.path));
    } catch (error) {
      throw fileFailure(`State: could not create the folder of ${this.path}`, error, 'or point --state at another path');
    }
    await this.lock.acquire();
    this.held = true;
    try {
      this.document = await this.load();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async lockTenant(tenantId: string): Promise<TenantCheckpointLock | undefined> {
    if (!this.held) throw new Error('FileCheckpointStore.lockTenant before open');
    if (this.lockedTenants.has(tenantId)) return undefined;
    this.lockedTenants.add(tenantId);
    return {
      checkpoint: this.document.tenants[tenantId],
      save: (next: TenantCheckpoint) => this.save(tenantId, next),
      release: async () => {
        this.lockedTenants.delete(tenantId);
      },
    };
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
    if (!this.held) return;
    this.held = false;
    await this.lock.release();
  }

  async checkWritable(): Promise<void> {
    const probe = `${this.path}.doctor-probe`;
    try {
      await makePrivateFolder(dirname(this.path));
      await writeFile(probe, 'probe', { mode: PRIVATE_FILE_MODE });
      await rm(probe, { force: true });
    } catch (error) {
      // doctor's own wording: it names the one fix that suits every cause.
      throw new ConnectorError(
        'CONFIG',
        `State: cannot write next to ${this.path} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Point --state at a writable path, or at a blob URL in a container job`,
      );
    }
  }

  private async load(): Promise<CheckpointDocument> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCheckpoint();
      throw fileFailure(`State: could not read ${this.path}`, error, 'or point --state at another path', 'CONFIG');
    }
    const fix = `Point --state at another file, or delete or move ${this.path} to start over with a --days backfill`;
    let document: CheckpointDocument;
    try {
      document = parseCheckpoint(text, this.path);
    } catch (error) {
      throw new ConnectorError('CONFIG', `State: ${(error as Error).message}. ${fix}`);
    }
    const problems = Object.entries(document.tenants).flatMap(([tenantId, value]) =>
      validateTenantCheckpoint(value, `${this.path}, tenant ${tenantId}`),
    );
    if (problems.length > 0) throw new ConnectorError('CONFIG', `State: ${problems.join('; ')}. ${fix}`);
    return document;
  }

  /**
   * Tenants finish in any order; their writes of the shared file are queued, never interleaved. The
   * whole file is rewritten each time, so saves that come close together share one write (while saves
   * come often, made SAVE_GATHER_MS after the first of them, once the write before it ended): with a thousand
   * tenants, one write per tenant rewrote a megabytes-long file a thousand times. Each save resolves
   * (or fails) with the write that holds it.
   */
  private save(tenantId: string, next: TenantCheckpoint): Promise<void> {
    this.document.tenants[tenantId] = next;
    if (this.gathering) return this.gathering;
    const gathered = this.writes
      .catch(() => undefined)
      // Only while saves come often: the first save, or one after a quiet spell, is written at once.
      .then(() => (Date.now() - this.lastWrite < SAVE_GATHER_MS * 5 ? new Promise<void>((r) => setTimeout(r, SAVE_GATHER_MS)) : undefined))
      .then(() => {
        this.gathering = undefined;
        return this.writeDocument();
      });
    this.gathering = gathered;
    this.writes = gathered;
    return gathered;
  }

  private async writeDocument(): Promise<void> {
    this.lastWrite = Date.now();
    const text = `${JSON.stringify(this.document, null, 2)}\n`;
    await this.lock.assertHeld();
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, text, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      await rename(temp, this.path);
    } catch (error) {
      // A temp file left by every failed write would fill the disk further.
      await rm(temp, { force: true }).catch(() => undefined);
      throw fileFailure(
        `State: could not write ${this.path}`,
        error,
        'or point --state elsewhere. The next run sends again what this one delivered (deduplicated on read)',
        'DELIVERY',
      );
    }
  }
}
