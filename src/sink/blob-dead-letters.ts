import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type { AppendBlobClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { ConnectorError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import { blobService, explainStorageError, storageStatus } from '../storage/blob-service.js';
import { blobFolderName, blobUrlOf, parseBlobUrl, type BlobLocation } from '../storage/blob-url.js';
import { deadLetterName, deadLetterWriteError } from './dead-letter.js';
import type { DeadLetter, DeadLetterFolder, DeadLetterWriter } from './dead-letter-store.js';
import { toNdjson } from './ndjson-sink.js';

// The CommonJS build, as storage/blob-service.ts loads it: one copy of the SDK, so RestError is its class.
const { RestError } = createRequire(import.meta.url)('@azure/storage-blob') as typeof import('@azure/storage-blob');

/** The smallest Append Block limit of the service versions in use (4 MiB; newer ones take 100). */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
const NDJSON = { blobContentType: 'application/x-ndjson' };

function containerOf(location: BlobLocation, env: NodeJS.ProcessEnv, credential: () => TokenCredential): ContainerClient {
  return blobService(location.accountUrl, env, credential, location.sas).getContainerClient(location.container);
}

/**
 * Dead letters as append blobs `<folder>/<tenant>-<run>.ndjson` in a blob folder, so they outlive a
 * container's replica and `replay` can reach them from anywhere.
 */
export class BlobDeadLetterFolder implements DeadLetterFolder {
  private readonly location: BlobLocation;
  private readonly container: ContainerClient;

  constructor(url: string, env: NodeJS.ProcessEnv, credential: () => TokenCredential) {
    this.location = parseBlobUrl(url, '--dead-letter');
    this.container = containerOf(this.location, env, credential);
  }

  get description(): string {
    return `blob folder ${blobFolderName(this.location)}`;
  }

  writer(tenantId: string, runId: string): DeadLetterWriter {
    const name = `${this.location.folder}/${deadLetterName(tenantId, runId)}`;
    const blob = this.container.getAppendBlobClient(name);
    const location = blobUrlOf(this.location, deadLetterName(tenantId, runId));
    let created = false;
    return {
      location,
      append: async (records) => {
        try {
          if (!created) await blob.createIfNotExists({ blobHTTPHeaders: NDJSON });
          await appendLines(blob, records);
          created = true;
        } catch (error) {
          // As with files: a dead letter that is only part of what was refused would replay as if it
          // were all of it. Later appends cannot be undone, but each block holds whole lines only.
          if (!created) await blob.deleteIfExists().catch(() => undefined);
          const { answer, fix } = explainStorageError(error);
          throw deadLetterWriteError(records.length, location, answer, fix, error);
        }
      },
    };
  }

  async list(): Promise<DeadLetter[]> {
    const prefix = `${this.location.folder}/`;
    const found: DeadLetter[] = [];
    try {
      for await (const item of this.container.listBlobsFlat({ prefix })) {
        const name = item.name.slice(prefix.length);
        if (name.includes('/') || !name.endsWith('.ndjson')) continue;
        found.push(new BlobDeadLetter(this.container.getBlockBlobClient(item.name), blobUrlOf(this.location, name)));
      }
    } catch (error) {
      throw storageFailure(`list the ${this.description}`, error);
    }
    return found.sort((a, b) => a.location.localeCompare(b.location));
  }

  async checkWritable(): Promise<void> {
    const probe = this.container.getAppendBlobClient(`${this.location.folder}/.doctor-probe`);
    const where = `dead-letter blob ${this.location.container}/${this.location.folder}/.doctor-probe`;
    try {
      await probe.createIfNotExists();
      await probe.appendBlock('probe', 5);
      await probe.delete();
    } catch (error) {
      throw storageFailure(`write ${where}`, error);
    }
  }
}

/** Appends records in blocks of whole lines, so a block that fails never leaves half a record. */
async function appendLines(blob: AppendBlobClient, records: readonly TableRecord[]): Promise<void> {
  let block = '';
  const flush = async () => {
    if (block === '') return;
    await blob.appendBlock(block, Buffer.byteLength(block));
    block = '';
  };
  for (const record of records) {
    const line = toNdjson([record]);
    if (Buffer.byteLength(block) + Buffer.byteLength(line) > MAX_BLOCK_BYTES) await flush();
    block += line;
  }
  await flush();
}

/** One dead-letter blob; every change is conditional on the ETag read, so a concurrent change is never lost. */
class BlobDeadLetter implements DeadLetter {
  private etag: string | undefined;

  constructor(
    private readonly blob: BlockBlobClient,
    readonly location: string,
  ) {}

  async read(): Promise<Buffer> {
    try {
      this.etag = (await this.blob.getProperties()).etag;
      return await this.blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: this.etag } });
    } catch (error) {
      throw storageFailure(`read ${this.location}`, error);
    }
  }

  async replace(bytes: Buffer): Promise<void> {
    // One Put Blob replaces the whole blob (an append blob becomes a block blob): all or nothing.
    try {
      await this.blob.upload(bytes, bytes.length, { conditions: { ifMatch: this.etag }, blobHTTPHeaders: NDJSON });
    } catch (error) {
      throw storageFailure(`update ${this.location}`, error);
    }
  }

  async remove(): Promise<void> {
    try {
      await this.blob.delete({ conditions: { ifMatch: this.etag } });
    } catch (error) {
      throw storageFailure(`delete ${this.location}`, error);
    }
  }
}

/** One dead-letter blob by its URL, as run printed it. */
export function openBlobDeadLetter(url: string, env: NodeJS.ProcessEnv, credential: () => TokenCredential): DeadLetter {
  const { accountUrl, container, folder: name } = parseBlobUrl(url, 'replay');
  return new BlobDeadLetter(containerOf({ accountUrl, container, folder: '' }, env, credential).getBlockBlobClient(name), url);
}

function storageFailure(what: string, error: unknown): ConnectorError {
  // 412: another replay changed it between our read and our write; ours is dropped, theirs stays.
  if (storageStatus(error) === 412)
    return new ConnectorError(
      'DELIVERY',
      `Dead letter: could not ${what} (HTTP 412: another replay changed it meanwhile); it is as that one left it. Replay it again once no other replay runs`,
      { cause: error },
    );
  if (error instanceof RestError && error.code === 'BlobNotFound')
    return new ConnectorError(
      'DELIVERY',
      `Dead letter: could not ${what} (HTTP 404 BlobNotFound: no such blob). Give a blob URL printed by run after "Dead letter:"`,
      { cause: error },
    );
  const { answer, fix } = explainStorageError(error);
  return new ConnectorError('DELIVERY', `Dead letter: could not ${what} (${answer}). ${fix}`, { cause: error });
}
