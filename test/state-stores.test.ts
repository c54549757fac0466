import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../src/errors.js';
import { BlobCheckpointStore, parseBlobUrl } from '../src/state/blob-store.js';
import { advanceCheckpoint, emptyCheckpoint } from '../src/state/checkpoint.js';
import { FileCheckpointStore } from '../src/state/file-store.js';
import { startAzurite, type Azurite } from './support/azurite.js';

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).code).toBe(code);
  expect((error as ConnectorError).message).toMatch(message);
}

const tenantState = advanceCheckpoint(undefined, { newestSnapshotDate: '2026-11-04T00:00:00.000Z', stateUpdateIds: ['x'] }, { runId: 'r', at: 't' });

describe('file checkpoint store', () => {
  it('starts empty, saves atomically and reads back what it saved', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'securescore-state-')), 'nested', 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.acquire();
    expect(await store.load()).toEqual(emptyCheckpoint());
    await store.save({ version: 1, tenants: { t: tenantState } });
    await store.release();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, tenants: { t: tenantState } });
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('keeps a second run out while the first holds the lock, and takes over a dead run\'s lock', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'securescore-state-')), 'checkpoint.json');
    const first = new FileCheckpointStore(path);
    await first.acquire();
    await expectCode(new FileCheckpointStore(path).acquire(), 'LOCKED', /in use by another run \(pid \d+\)/);
    await first.release();
    writeFileSync(`${path}.lock`, '999999999');
    const third = new FileCheckpointStore(path);
    await third.acquire();
    await third.release();
  });

  it('refuses to overwrite a file that is not a checkpoint', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'securescore-state-')), 'checkpoint.json');
    writeFileSync(path, '{"something":"else"}');
    const store = new FileCheckpointStore(path);
    await store.acquire();
    await expectCode(store.load(), 'CONFIG', /is not a securescore-connector checkpoint/);
    await store.release();
  });
});

describe('blob checkpoint store against Azurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.service.createContainer('state');
  }, 30_000);
  afterAll(async () => azurite?.stop());

  const open = (blob: string) => new BlobCheckpointStore(parseBlobUrl(azurite.blobUrl('state', blob)), { connectionString: azurite.connectionString });

  it('creates the blob, leases it for the run and saves under the lease', async () => {
    const store = open('a.json');
    await store.acquire();
    expect(await store.load()).toEqual(emptyCheckpoint());
    await store.save({ version: 1, tenants: { t: tenantState } });
    await store.release();
    const again = open('a.json');
    await again.acquire();
    expect(await again.load()).toEqual({ version: 1, tenants: { t: tenantState } });
    await again.release();
  });

  it('lets only one of two overlapping runs hold the checkpoint', async () => {
    const first = open('b.json');
    await first.acquire();
    await expectCode(open('b.json').acquire(), 'LOCKED', /leased by another run/);
    await first.release();
    const later = open('b.json');
    await later.acquire();
    await later.release();
  });

  it('refuses to write over a checkpoint another run changed after this one read it', async () => {
    const stale = open('c.json');
    await stale.acquire();
    await stale.load();
    // The stale run's lease lapses (it hung); another run takes over and moves the checkpoint.
    await azurite.service.getContainerClient('state').getBlobClient('c.json').getBlobLeaseClient().breakLease(0);
    const fresh = open('c.json');
    await fresh.acquire();
    await fresh.load();
    await fresh.save({ version: 1, tenants: { t: tenantState } });
    await fresh.release();
    await expectCode(stale.save(emptyCheckpoint()), 'DELIVERY', /State: could not write the checkpoint blob \(HTTP 4\d\d/);
    await stale.release();
    const check = open('c.json');
    await check.acquire();
    expect(await check.load()).toEqual({ version: 1, tenants: { t: tenantState } });
    await check.release();
  });
});
