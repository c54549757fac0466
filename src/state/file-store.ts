import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConnectorError } from '../errors.js';
import { emptyCheckpoint, parseCheckpoint, type CheckpointDocument, type TenantCheckpoint } from './checkpoint.js';
import type { CheckpointStore, TenantCheckpointLock } from './store.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A local JSON file holding every tenant's checkpoint. Writes go to a temporary file renamed over
 * the old one (atomic on POSIX), one at a time; `<file>.lock` (created exclusively, holding our pid)
 * keeps a second run out for the whole run, and a lock left by a killed process is taken over.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly lockPath: string;
  private held = false;
  private document: CheckpointDocument = emptyCheckpoint();
  private readonly lockedTenants = new Set<string>();
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {
    this.lockPath = `${path}.lock`;
  }

  get description(): string {
    return `checkpoint file ${this.path}`;
  }

  async open(): Promise<void> {
    await this.takeFileLock();
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
    await rm(this.lockPath, { force: true });
  }

  async checkWritable(): Promise<void> {
    const probe = `${this.path}.doctor-probe`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(probe, 'probe');
      await rm(probe, { force: true });
    } catch (error) {
      throw new ConnectorError(
        'CONFIG',
        `State: cannot write next to ${this.path} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Point --state at a writable path, or at a blob URL in a container job`,
      );
    }
  }

  private async takeFileLock(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(this.lockPath, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number((await readFile(this.lockPath, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new ConnectorError(
            'LOCKED',
            `State: ${this.path} is in use by another run (pid ${owner}). This run does nothing; the other one delivers`,
          );
        }
        await rm(this.lockPath, { force: true });
      }
    }
    throw new ConnectorError('LOCKED', `State: could not lock ${this.path}. Another run is starting; this run does nothing`);
  }

  private async load(): Promise<CheckpointDocument> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCheckpoint();
      throw error;
    }
    try {
      return parseCheckpoint(text, this.path);
    } catch (error) {
      throw new ConnectorError(
        'CONFIG',
        `State: ${(error as Error).message}. Point --state at another file, or delete it to start over with a --days backfill`,
      );
    }
  }

  /** Tenants finish in any order; their writes of the shared file are queued, never interleaved. */
  private save(tenantId: string, next: TenantCheckpoint): Promise<void> {
    this.document.tenants[tenantId] = next;
    const text = `${JSON.stringify(this.document, null, 2)}\n`;
    const write = async () => {
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, this.path);
    };
    this.writes = this.writes.then(write, write);
    return this.writes;
  }
}
