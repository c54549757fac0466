import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.js';
import { BlobCheckpointStore, parseBlobUrl } from '../../src/state/blob-store.js';
import { advanceCheckpoint } from '../../src/state/checkpoint.js';
import { FileCheckpointStore } from '../../src/state/file-store.js';
import { useAzurite } from '../support/azurite.js';
import { tempDir } from '../support/temp.js';

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).code).toBe(code);
  expect((error as ConnectorError).message).toMatch(message);
}

const T1 = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const T2 = '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b';
const state = (date: string) =>
  advanceCheckpoint(undefined, { days: [date.slice(0, 10)], snapshotDates: [date], stateUpdateIds: ['x'] }, { runId: 'r', at: 't' });

describe('file checkpoint store', () => {
  it('starts empty, saves each tenant atomically and reads back what it saved', async () => {
    const path = join(tempDir('securescore-state-'), 'nested', 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.open();
    const [a, b] = await Promise.all([store.lockTenant(T1), store.lockTenant(T2)]);
    expect(a!.checkpoint).toBeUndefined();
    // Two tenants finishing at once: both writes land, neither is lost.
    await Promise.all([a!.save(state('2026-11-01T00:00:00.000Z')), b!.save(state('2026-11-02T00:00:00.000Z'))]);
    await a!.release();
    await b!.release();
    await store.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1,
      tenants: { [T1]: state('2026-11-01T00:00:00.000Z'), [T2]: state('2026-11-02T00:00:00.000Z') },
    });
    expect(existsSync(`${path}.lock`)).toBe(false);
    const again = new FileCheckpointStore(path);
    await again.open();
    expect((await again.lockTenant(T2))!.checkpoint).toEqual(state('2026-11-02T00:00:00.000Z'));
    await again.close();
  });

  it("keeps a second run out while the first holds the lock, and takes over a dead run's lock", async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const first = new FileCheckpointStore(path);
    await first.open();
    await expectCode(new FileCheckpointStore(path).open(), 'LOCKED', /in use by another run \(pid \d+\)/);
    await first.close();
    writeFileSync(`${path}.lock`, '999999999');
    const third = new FileCheckpointStore(path);
    await third.open();
    await third.close();
  });

  it('refuses to overwrite a file that is not a checkpoint, and lets go of its lock', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    writeFileSync(path, '{"something":"else"}');
    await expectCode(new FileCheckpointStore(path).open(), 'CONFIG', /is not a securescore-connector checkpoint/);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

describe('blob checkpoint store against Azurite', () => {
  const azurite = useAzurite();

  const open = (folder: string) =>
    new BlobCheckpointStore(parseBlobUrl(azurite().blobUrl('state', folder)), { connectionString: azurite().connectionString });

  it('keeps one leased blob per tenant and saves under the lease', async () => {
    const store = open('a');
    const lock = await store.lockTenant(T1);
    expect(lock!.checkpoint).toBeUndefined();
    await lock!.save(state('2026-11-04T00:00:00.000Z'));
    await lock!.release();
    const stored = JSON.parse(
      (await azurite().service.getContainerClient('state').getBlobClient(`a/${T1}.json`).downloadToBuffer()).toString('utf8'),
    );
    expect(stored).toEqual({ version: 1, tenantId: T1, checkpoint: state('2026-11-04T00:00:00.000Z') });
    const again = await open('a').lockTenant(T1);
    expect(again!.checkpoint).toEqual(state('2026-11-04T00:00:00.000Z'));
    await again!.release();
  });

  it('lets only one of two overlapping runs hold a tenant, and leaves other tenants free', async () => {
    const first = await open('b').lockTenant(T1);
    expect(first).toBeDefined();
    expect(await open('b').lockTenant(T1)).toBeUndefined();
    const other = await open('b').lockTenant(T2);
    expect(other).toBeDefined();
    await other!.release();
    await first!.release();
    const later = await open('b').lockTenant(T1);
    expect(later).toBeDefined();
    await later!.release();
  });

  it('refuses to write over a checkpoint another run changed after this one read it', async () => {
    const stale = await open('c').lockTenant(T1);
    // The stale run's lease lapses (it hung); another run takes over and moves the checkpoint.
    await azurite().service.getContainerClient('state').getBlobClient(`c/${T1}.json`).getBlobLeaseClient().breakLease(0);
    const fresh = await open('c').lockTenant(T1);
    await fresh!.save(state('2026-11-04T00:00:00.000Z'));
    await fresh!.release();
    await expectCode(
      stale!.save(state('2026-01-01T00:00:00.000Z')),
      'DELIVERY',
      /State: could not write checkpoint blob state\/c\/.*\.json \(HTTP 4\d\d/,
    );
    await stale!.release();
    const check = await open('c').lockTenant(T1);
    expect(check!.checkpoint).toEqual(state('2026-11-04T00:00:00.000Z'));
    await check!.release();
  });

  it("refuses a blob that holds another tenant's checkpoint", async () => {
    await azurite()
      .service.getContainerClient('state')
      .getBlockBlobClient(`d/${T1}.json`)
      .upload('{"version":1,"tenantId":"someone-else","checkpoint":{}}', 55);
    await expectCode(open('d').lockTenant(T1), 'CONFIG', /belongs to tenant someone-else/);
  });
});
