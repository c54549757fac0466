import { readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConnectorError } from '../errors.js';
import { emptyCheckpoint, parseCheckpoint, type CheckpointDocument, type TenantCheckpoint } from './checkpoint.js';
import { DEFAULT_STALE_LOCK_MS, FileLock } from './file-lock.js';
import { fileFailure, makePrivateFolder, PRIVATE_FILE_MODE, replaceFileAtomically } from '../storage/private-files.js';
import type { CheckpointStore, HeldElsewhere, TenantCheckpointLock } from './store.js';
import { validateTenantCheckpoint } from './validate-checkpoint.js';
import { CHECKPOINT_SAVE_GATHER_MS, CHECKPOINT_WRITE_LOCK_STALE_MS, CHECKPOINT_WRITE_WAIT_MS } from '../limits.js';

/** Options of a {@link FileCheckpointStore}. */
export interface FileStoreOptions {
  /**
   * Age after which another run's tenant lock is taken over whatever it says: the run deadline plus a
   * margin (`staleLockAfterMs(maxRunMinutes)`). Default: for the default 30-minute deadline.
   */
  readonly staleAfterMs?: number;
}

/**
 * A local JSON file holding every tenant's checkpoint. A run locks only the tenants it works on, one
 * lock file each (`<file>.locks/<tenant>.lock`, see {@link FileLock}), so two runs with different
 * tenant lists both deliver, and two with the same tenant never work on it at once. The file itself is
 * locked (`<file>.lock`) only while it is rewritten: the file as it is on disk is read again, this
 * run's tenants are put in, and it is written to a temporary file renamed over the old one (atomic on
 * POSIX), so another run's tenants written meanwhile are kept. Files are 0600, folders it creates 0700.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly writeLock: FileLock;
  private readonly lockFolder: string;
  private readonly staleAfterMs: number;
  /** Tenant locks held by this run. */
  private readonly held = new Map<string, FileLock>();
  /** Saves waiting for the next write. */
  private readonly pending = new Map<string, TenantCheckpoint>();
  private writes: Promise<void> = Promise.resolve();
  /** The write that saves made now will share, while it has not started. */
  private gathering: Promise<void> | undefined;
  /** When the last write started (ms). */
  private lastWrite = 0;

  constructor(
    private readonly path: string,
    options: FileStoreOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_LOCK_MS;
    this.writeLock = new FileLock(`${path}.lock`, path, CHECKPOINT_WRITE_LOCK_STALE_MS);
    this.lockFolder = `${path}.locks`;
  }

  get description(): string {
    return `checkpoint file ${this.path}`;
  }

  /** Checks the file can be used (a bad one fails the run before any tenant starts). */
  async open(): Promise<void> {
    try {
      await makePrivateFolder(dirname(this.path));
    } catch (error) {
      throw fileFailure(`State: could not create the folder of ${this.path}`, error, 'or point --state at another path');
    }
    await this.load();
  }

  async lockTenant(tenantId: string): Promise<TenantCheckpointLock | HeldElsewhere> {
    if (this.held.has(tenantId)) return { heldBy: `State: ${tenantId} appears twice in this run. Skipped the second time` };
    const lock = new FileLock(
      join(this.lockFolder, `${encodeURIComponent(tenantId)}.lock`),
      `${this.path} (tenant ${tenantId})`,
      this.staleAfterMs,
    );
    try {
      await makePrivateFolder(this.lockFolder);
      await lock.acquire();
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'LOCKED') return { heldBy: error.message };
      if (error instanceof ConnectorError) throw error;
      throw fileFailure(`State: could not lock tenant ${tenantId} in ${this.lockFolder}`, error, 'or point --state at another path');
    }
    this.held.set(tenantId, lock);
    try {
      // Read now, not at open: another run may have moved this tenant since.
      const checkpoint = (await this.load()).tenants[tenantId];
      return {
        checkpoint,
        save: (next: TenantCheckpoint) => this.save(tenantId, next),
        release: async () => {
          this.held.delete(tenantId);
          await lock.release();
        },
      };
    } catch (error) {
      this.held.delete(tenantId);
      await lock.release();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
    for (const lock of this.held.values()) await lock.release().catch(() => undefined);
    this.held.clear();
    // The lock folder goes with the last lock (another run's locks keep it).
    await rmdir(this.lockFolder).catch(() => undefined);
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

  /**
   * The file as it is on disk now. `failure`: what a file that cannot be read is (a person must fix it
   * before a run; when a save meets it, the next run sends again what this one delivered).
   */
  private async load(failure: 'CONFIG' | 'DELIVERY' = 'CONFIG'): Promise<CheckpointDocument> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCheckpoint();
      const alternative =
        failure === 'DELIVERY'
          ? 'or point --state elsewhere. The next run sends again what this one delivered (deduplicated on read)'
          : 'or point --state at another path';
      throw fileFailure(`State: could not read ${this.path}`, error, alternative, failure);
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
   * come often, made CHECKPOINT_SAVE_GATHER_MS after the first of them, once the write before it ended): with a
   * thousand tenants, one write per tenant rewrote a megabytes-long file a thousand times. Each save
   * resolves (or fails) with the write that holds it.
   */
  private save(tenantId: string, next: TenantCheckpoint): Promise<void> {
    this.pending.set(tenantId, next);
    if (this.gathering) return this.gathering;
    const gathered = this.writes
      .catch(() => undefined)
      // Only while saves come often: the first save, or one after a quiet spell, is written at once.
      .then(() =>
        Date.now() - this.lastWrite < CHECKPOINT_SAVE_GATHER_MS * 5
          ? new Promise<void>((r) => setTimeout(r, CHECKPOINT_SAVE_GATHER_MS))
          : undefined,
      )
      .then(() => {
        this.gathering = undefined;
        const saves = new Map(this.pending);
        this.pending.clear();
        return this.writeDocument(saves);
      });
    this.gathering = gathered;
    this.writes = gathered;
    return gathered;
  }

  /** Puts `saves` into the file as it is on disk now, under the file's write lock. */
  private async writeDocument(saves: ReadonlyMap<string, TenantCheckpoint>): Promise<void> {
    this.lastWrite = Date.now();
    // A tenant whose lock was taken over (this run outlived it) is not saved over the run that took it.
    for (const tenantId of saves.keys()) await this.held.get(tenantId)?.assertHeld();
    await this.lockForWrite();
    try {
      const document = await this.load('DELIVERY');
      for (const [tenantId, checkpoint] of saves) document.tenants[tenantId] = checkpoint;
      await replaceFileAtomically(this.path, `${JSON.stringify(document, null, 2)}\n`);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw fileFailure(
        `State: could not write ${this.path}`,
        error,
        'or point --state elsewhere. The next run sends again what this one delivered (deduplicated on read)',
        'DELIVERY',
      );
    } finally {
      await this.writeLock.release();
    }
  }

  /** Takes the file's write lock, waiting while another run writes (milliseconds), up to CHECKPOINT_WRITE_WAIT_MS. */
  private async lockForWrite(): Promise<void> {
    const deadline = Date.now() + CHECKPOINT_WRITE_WAIT_MS;
    for (;;) {
      try {
        await this.writeLock.acquire();
        return;
      } catch (error) {
        if (!(error instanceof ConnectorError && error.code === 'LOCKED') || Date.now() > deadline) {
          throw new ConnectorError(
            'DELIVERY',
            `State: could not write ${this.path}: ${error instanceof Error ? error.message : String(error)}. The next run sends again what this one delivered (deduplicated on read)`,
          );
        }
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      }
    }
  }
}
