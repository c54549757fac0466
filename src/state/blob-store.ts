import type { TokenCredential } from '@azure/identity';
import type { ContainerClient } from '@azure/storage-blob';
import { ConnectorError } from '../errors.js';
import { blobService, explainStorageError, storageStatus } from '../storage/blob-service.js';
import { blobFolderName, type BlobLocation } from '../storage/blob-url.js';
import { parseTenantCheckpoint, type TenantCheckpoint } from './checkpoint.js';
import type { CheckpointStore, HeldElsewhere, TenantCheckpointLock } from './store.js';
import { validateTenantCheckpoint } from './validate-checkpoint.js';
import { CHECKPOINT_LEASE_SECONDS } from '../limits.js';

/**
 * Checkpoints in Azure Blob Storage, one blob per tenant under the `--state` URL's path
 * (`<path>/<tenantId>.json`). Holding a tenant means holding its blob's lease: a second run, or
 * another replica of the same job, finds the lease and leaves the tenant alone. Every write is
 * conditional on the lease and on the ETag read, so even a run whose lease lapsed cannot overwrite a
 * newer checkpoint.
 */
export class BlobCheckpointStore implements CheckpointStore {
  private readonly container: ContainerClient;

  constructor(
    private readonly location: BlobLocation,
    env: NodeJS.ProcessEnv,
    credential: () => TokenCredential,
  ) {
    this.container = blobService(location.accountUrl, env, credential, location.sas).getContainerClient(location.container);
  }

  get description(): string {
    return `checkpoint blobs ${blobFolderName(this.location)}`;
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async checkWritable(): Promise<void> {
    const name = `${this.location.folder}/.doctor-probe`;
    const where = `checkpoint blob ${this.location.container}/${name}`;
    const blob = this.container.getBlockBlobClient(name);
    await call(where, 'write', () => blob.upload('probe', 5));
    await call(where, 'delete', () => blob.delete());
  }

  async lockTenant(tenantId: string): Promise<TenantCheckpointLock | HeldElsewhere> {
    const name = `${this.location.folder}/${tenantId}.json`;
    const blob = this.container.getBlockBlobClient(name);
    const where = `checkpoint blob ${this.location.container}/${name}`;
    await call(where, 'create', async () => {
      try {
        await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
      } catch (error) {
        // 409/412: it exists already, which is the usual case.
        const status = storageStatus(error);
        if (status !== 409 && status !== 412) throw error;
      }
    });
    let leaseId: string | undefined;
    try {
      leaseId = (await blob.getBlobLeaseClient().acquireLease(CHECKPOINT_LEASE_SECONDS)).leaseId;
    } catch (error) {
      if (storageStatus(error) === 409)
        return { heldBy: `State: ${this.description} ${tenantId} is held by another run or replica. Skipped here; that one delivers` };
      throw storageError(where, 'lease', error);
    }
    const renew = setInterval(
      () => {
        blob
          .getBlobLeaseClient(leaseId)
          .renewLease()
          .catch(() => undefined);
      },
      (CHECKPOINT_LEASE_SECONDS * 1000) / 3,
    );
    renew.unref();
    const release = async () => {
      clearInterval(renew);
      await blob
        .getBlobLeaseClient(leaseId)
        .releaseLease()
        .catch(() => undefined);
    };

    let etag: string | undefined;
    let checkpoint: TenantCheckpoint | undefined;
    try {
      const text = await call(where, 'read', async () => {
        const buffer = await blob.downloadToBuffer(0, undefined, { conditions: { leaseId } });
        etag = (await blob.getProperties({ conditions: { leaseId } })).etag;
        return buffer.toString('utf8');
      });
      checkpoint = text.trim() === '' ? undefined : parseStored(text, where, tenantId);
    } catch (error) {
      await release();
      throw error;
    }
    return {
      checkpoint,
      save: async (next: TenantCheckpoint) => {
        const body = `${JSON.stringify({ version: 1, tenantId, checkpoint: next }, null, 2)}\n`;
        const result = await call(where, 'write', () =>
          blob.upload(body, Buffer.byteLength(body), {
            conditions: { leaseId, ifMatch: etag },
            blobHTTPHeaders: { blobContentType: 'application/json' },
          }),
        );
        etag = result.etag;
      },
      release,
    };
  }
}

function parseStored(text: string, where: string, tenantId: string): TenantCheckpoint {
  const fix = 'Point --state at another path, or delete or move the blob to start over with a --days backfill';
  let problems: string[];
  let checkpoint: TenantCheckpoint | undefined;
  try {
    const stored = parseTenantCheckpoint(text, where);
    checkpoint = stored.checkpoint;
    problems =
      stored.tenantId === tenantId ? validateTenantCheckpoint(stored.checkpoint, where) : [`${where} belongs to tenant ${stored.tenantId}`];
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length > 0 || !checkpoint) throw new ConnectorError('CONFIG', `State: ${problems.join('; ')}. ${fix}`);
  return checkpoint;
}

async function call<T>(where: string, what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw storageError(where, what, error);
  }
}

function storageError(where: string, what: string, error: unknown): ConnectorError {
  const { answer, fix } = explainStorageError(error);
  return new ConnectorError('DELIVERY', `State: could not ${what} ${where} (${answer}). ${fix}`);
}
