import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, type BlockBlobClient, RestError } from '@azure/storage-blob';
import { ConnectorError } from '../errors.js';
import { emptyCheckpoint, parseCheckpoint, type CheckpointDocument } from './checkpoint.js';
import type { CheckpointStore } from './store.js';

/** Where a `--state` blob URL points. */
export interface BlobLocation {
  readonly accountUrl: string;
  readonly container: string;
  readonly blobName: string;
}

/**
 * Splits a blob URL: `https://<account>.blob.core.windows.net/<container>/<blob>`, or the
 * path-style `http://127.0.0.1:10000/<account>/<container>/<blob>` of Azurite and Azure Stack.
 */
export function parseBlobUrl(value: string): BlobLocation {
  const url = new URL(value);
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|localhost|\[.*\])$/.test(url.hostname);
  const account = pathStyle ? segments.shift() : undefined;
  const [container, ...blob] = segments;
  if (!container || blob.length === 0 || (pathStyle && !account)) {
    throw new ConnectorError('CONFIG', `--state: "${value}" is not a blob URL. Use https://<account>.blob.core.windows.net/<container>/<blob-name>`);
  }
  return { accountUrl: pathStyle ? `${url.origin}/${account}` : url.origin, container, blobName: blob.join('/') };
}

/** Lease length; renewed at a third of it while the run goes on. */
const LEASE_SECONDS = 60;

/**
 * A checkpoint in Azure Blob Storage. The run holds a blob lease for its whole duration (a second
 * run finds the lease and stops), and every write is conditional on the lease and on the ETag read,
 * so even a run whose lease lapsed cannot overwrite a newer checkpoint.
 */
export class BlobCheckpointStore implements CheckpointStore {
  private readonly blob: BlockBlobClient;
  private leaseId: string | undefined;
  private etag: string | undefined;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(private readonly location: BlobLocation, auth: { credential: TokenCredential } | { connectionString: string }) {
    const service = 'connectionString' in auth
      ? BlobServiceClient.fromConnectionString(auth.connectionString)
      : new BlobServiceClient(location.accountUrl, auth.credential);
    this.blob = service.getContainerClient(location.container).getBlockBlobClient(location.blobName);
  }

  get description(): string {
    return `checkpoint blob ${this.location.container}/${this.location.blobName}`;
  }

  async acquire(): Promise<void> {
    await this.call('create the checkpoint blob', async () => {
      try {
        await this.blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
      } catch (error) {
        // 409/412: it exists already, which is the usual case.
        if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
      }
    });
    try {
      const lease = await this.blob.getBlobLeaseClient().acquireLease(LEASE_SECONDS);
      this.leaseId = lease.leaseId;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) {
        throw new ConnectorError('LOCKED', `State: ${this.description} is leased by another run. This run does nothing; the other one delivers`);
      }
      throw this.storageError('lease the checkpoint blob', error);
    }
    this.renewTimer = setInterval(() => {
      this.blob.getBlobLeaseClient(this.leaseId).renewLease().catch(() => undefined);
    }, (LEASE_SECONDS * 1000) / 3);
    this.renewTimer.unref();
  }

  async load(): Promise<CheckpointDocument> {
    const text = await this.call('read the checkpoint blob', async () => {
      const buffer = await this.blob.downloadToBuffer(0, undefined, { conditions: { leaseId: this.leaseId } });
      const props = await this.blob.getProperties({ conditions: { leaseId: this.leaseId } });
      this.etag = props.etag;
      return buffer.toString('utf8');
    });
    if (text.trim() === '') return emptyCheckpoint();
    try {
      return parseCheckpoint(text, this.description);
    } catch (error) {
      throw new ConnectorError('CONFIG', `State: ${(error as Error).message}. Point --state at another blob, or delete it to start over with a --days backfill`);
    }
  }

  async save(doc: CheckpointDocument): Promise<void> {
    const body = `${JSON.stringify(doc, null, 2)}\n`;
    const result = await this.call('write the checkpoint blob', () =>
      this.blob.upload(body, Buffer.byteLength(body), {
        conditions: { leaseId: this.leaseId, ifMatch: this.etag },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      }),
    );
    this.etag = result.etag;
  }

  async release(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (!this.leaseId) return;
    const leaseId = this.leaseId;
    this.leaseId = undefined;
    await this.blob.getBlobLeaseClient(leaseId).releaseLease().catch(() => undefined);
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw this.storageError(what, error);
    }
  }

  private storageError(what: string, error: unknown): ConnectorError {
    const status = error instanceof RestError ? error.statusCode : undefined;
    const code = error instanceof RestError ? error.code : undefined;
    const fix = status === 403
      ? 'Grant the identity "Storage Blob Data Contributor" on the container'
      : status === 404
        ? 'Create the container named in --state'
        : status === 412
          ? 'Another run changed the checkpoint; this run\'s records are delivered and the next run continues from the newer checkpoint'
          : 'Check the --state URL and the network path to the storage account';
    return new ConnectorError('DELIVERY', `State: could not ${what} (${status ? `HTTP ${status}` : 'no answer'}${code ? ` ${code}` : ''}). ${fix}`);
  }
}
