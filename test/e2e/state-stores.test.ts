import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.js';
import { BlobCheckpointStore } from '../../src/state/blob-store.js';
import { parseBlobUrl } from '../../src/storage/blob-url.js';
import { advanceCheckpoint } from '../../src/state/checkpoint.js';
import { FileCheckpointStore } from '../../src/state/file-store.js';
import type { CheckpointStore, TenantCheckpointLock } from '../../src/state/store.js';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { AZURITE_ACCOUNT_KEY, useAzurite } from '../support/azurite.js';
import { ageFile } from '../support/clock.js';
import { writeKilledContainerLock } from '../support/locks.js';
import { tempDir } from '../support/temp.js';

async function expectCode(promise: Promise<unknown>, code: string | RegExp, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  if (typeof code === 'string') expect((error as ConnectorError).code).toBe(code);
  else expect((error as ConnectorError).code).toMatch(code);
  expect((error as ConnectorError).message).toMatch(message);
}

const T1 = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const T2 = '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b';
const state = (date: string) =>
  advanceCheckpoint(
    undefined,
    { days: [date.slice(0, 10)], snapshotDates: [date], stateUpdateIds: ['x'] },
    { runId: 'r', at: '2026-11-04T06:00:00.000Z' },
  );

/** Sets a file's mtime `minutes` into the past, as if it had been written then. */
const age = ageFile;

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

const mode = (path: string) => statSync(path).mode & 0o777;

/** The tenant's lock, failing the test when the store says another run holds it. */
async function locked(store: CheckpointStore, tenantId: string): Promise<TenantCheckpointLock> {
  const lock = await store.lockTenant(tenantId);
  if ('heldBy' in lock) throw new Error(`expected to lock ${tenantId}: ${lock.heldBy}`);
  return lock;
}

/** Why the store left the tenant alone, failing the test when it locked it instead. */
async function heldBy(store: CheckpointStore, tenantId: string): Promise<string> {
  const lock = await store.lockTenant(tenantId);
  if (!('heldBy' in lock)) throw new Error(`expected ${tenantId} to be held elsewhere`);
  return lock.heldBy;
}

describe('file checkpoint store', () => {
  const lockOf = (path: string, tenantId: string) => join(`${path}.locks`, `${tenantId}.lock`);

  it('starts empty, saves each tenant atomically and reads back what it saved', async () => {
    const path = join(tempDir('securescore-state-'), 'nested', 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.open();
    const [a, b] = await Promise.all([locked(store, T1), locked(store, T2)]);
    expect(a.checkpoint).toBeUndefined();
    // Two tenants finishing at once: both writes land, neither is lost.
    await Promise.all([a.save(state('2026-11-01T00:00:00.000Z')), b.save(state('2026-11-02T00:00:00.000Z'))]);
    await a.release();
    await b.release();
    await store.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1,
      tenants: { [T1]: state('2026-11-01T00:00:00.000Z'), [T2]: state('2026-11-02T00:00:00.000Z') },
    });
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(`${path}.locks`)).toBe(false);
    const again = new FileCheckpointStore(path);
    await again.open();
    expect((await locked(again, T2)).checkpoint).toEqual(state('2026-11-02T00:00:00.000Z'));
    await again.close();
  });

  it("row 8: two runs at once with different tenants both work and both save, neither losing the other's checkpoint", async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const [first, second] = [new FileCheckpointStore(path), new FileCheckpointStore(path)];
    await Promise.all([first.open(), second.open()]);
    const [a, b] = await Promise.all([locked(first, T1), locked(second, T2)]);
    // The same tenant stays with the run that has it.
    expect(await heldBy(second, T1)).toMatch(/tenant 0d1c2b3a.*is in use by another run \(pid \d+\)\. Left to that run, which delivers it/);
    await Promise.all([a.save(state('2026-11-01T00:00:00.000Z')), b.save(state('2026-11-02T00:00:00.000Z'))]);
    await Promise.all([first.close(), second.close()]);
    expect(JSON.parse(readFileSync(path, 'utf8')).tenants).toEqual({
      [T1]: state('2026-11-01T00:00:00.000Z'),
      [T2]: state('2026-11-02T00:00:00.000Z'),
    });
  });

  it("keeps a second run off a tenant the first holds, and takes over a dead run's tenant lock", async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const first = new FileCheckpointStore(path);
    await first.open();
    await locked(first, T1);
    expect(await heldBy(new FileCheckpointStore(path), T1)).toMatch(/in use by another run \(pid \d+\)/);
    await first.close();
    mkdirSync(`${path}.locks`);
    // A run on this host, in this pid namespace, whose process is gone.
    const dead = {
      host: hostname(),
      pidNamespace: readlinkSync('/proc/self/ns/pid'),
      pid: 999_999_999,
      token: 'gone',
      startedAt: new Date().toISOString(),
    };
    writeFileSync(lockOf(path, T1), JSON.stringify(dead));
    const third = new FileCheckpointStore(path);
    await locked(third, T1);
    await third.close();
  });

  it('lets exactly one of many runs locking one tenant at once hold it (no empty lock to take over)', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const stores = Array.from({ length: 12 }, () => new FileCheckpointStore(path));
    await Promise.all(stores.map((s) => s.open()));
    const results = await Promise.all(stores.map((s) => s.lockTenant(T1)));
    expect(results.filter((r) => !('heldBy' in r))).toHaveLength(1);
    await Promise.all(stores.map((s) => s.close()));
    expect(readdirSync(join(path, '..'))).toEqual([]);
  });

  it('leaves an empty lock file alone, as another run may be between creating and writing it, until it is stale', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    mkdirSync(`${path}.locks`);
    writeFileSync(lockOf(path, T1), '');
    expect(await heldBy(new FileCheckpointStore(path), T1)).toMatch(/in use by another run \(its lock file .*\.lock is unreadable\)/);
    expect(readFileSync(lockOf(path, T1), 'utf8')).toBe('');
    age(lockOf(path, T1), 36);
    const store = new FileCheckpointStore(path);
    await locked(store, T1);
    await store.close();
  });

  it('takes over the lock of a run killed as PID 1 (as in a container) once it is older than the run deadline, and not before', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    mkdirSync(`${path}.locks`);
    // What a connector killed as a container's PID 1 left: another host (the container's name), pid 1.
    writeKilledContainerLock(lockOf(path, T1));
    expect(await heldBy(new FileCheckpointStore(path), T1)).toMatch(/in use by another run \(pid 1\)/);
    age(lockOf(path, T1), 36);
    const store = new FileCheckpointStore(path);
    await locked(store, T1);
    expect(JSON.parse(readFileSync(lockOf(path, T1), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await store.close();
    expect(existsSync(`${path}.locks`)).toBe(false);
  });

  it('honours the stale age it is given (the run deadline plus a margin)', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const other = { host: 'job-1a2b', pidNamespace: 'pid:[1]', pid: 1, token: 'other-container', startedAt: '2026-11-04T06:00:00.000Z' };
    mkdirSync(`${path}.locks`);
    writeFileSync(lockOf(path, T1), JSON.stringify(other));
    age(lockOf(path, T1), 10);
    expect(await heldBy(new FileCheckpointStore(path), T1)).toMatch(
      /in use by another run \(pid 1\)\. Left to that run, which delivers it\. It started on host job-1a2b at 2026-11-04T06:00:00.000Z; a lock older than 35 minutes is taken over/,
    );
    const store = new FileCheckpointStore(path, { staleAfterMs: 5 * 60_000 });
    await locked(store, T1);
    await store.close();
  });

  it("takes over a lock an earlier process with this process's pid wrote on this host (PID 1 restarted)", async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const earlier = {
      host: hostname(),
      pidNamespace: pidNamespace(),
      pid: process.pid,
      token: 'earlier-life',
      startedAt: new Date().toISOString(),
    };
    mkdirSync(`${path}.locks`);
    writeFileSync(lockOf(path, T1), JSON.stringify(earlier));
    const store = new FileCheckpointStore(path);
    await locked(store, T1);
    expect(JSON.parse(readFileSync(lockOf(path, T1), 'utf8')).token).not.toBe('earlier-life');
    await store.close();
  });

  it('does not save over a tenant lock another run took over, nor remove that lock when it closes', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.open();
    const lock = await locked(store, T1);
    const taker = JSON.stringify({ host: 'job-9z8y', pidNamespace: '', pid: 1, token: 'taker', startedAt: new Date().toISOString() });
    writeFileSync(lockOf(path, T1), taker);
    await expectCode(lock.save(state('2026-11-04T00:00:00.000Z')), 'DELIVERY', /another run took over .*\.lock/);
    await store.close();
    expect(readFileSync(lockOf(path, T1), 'utf8')).toBe(taker);
    expect(existsSync(path)).toBe(false);
  });

  it("waits for another run's write of the file, and writes once it is done", async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    const writer = JSON.stringify({
      host: hostname(),
      pidNamespace: pidNamespace(),
      pid: 1,
      token: 'writer',
      startedAt: new Date().toISOString(),
    });
    writeFileSync(`${path}.lock`, writer);
    const store = new FileCheckpointStore(path);
    await store.open();
    const lock = await locked(store, T1);
    const saved = lock.save(state('2026-11-04T00:00:00.000Z'));
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(path)).toBe(false);
    writeFileSync(`${path}.lock`, '');
    age(`${path}.lock`, 3);
    await saved;
    await store.close();
    expect(JSON.parse(readFileSync(path, 'utf8')).tenants[T1]).toEqual(state('2026-11-04T00:00:00.000Z'));
  });

  it('creates its folders 0700 and its files 0600, and leaves a folder the user already had as it was', async () => {
    const root = tempDir('securescore-state-');
    chmodSync(root, 0o755);
    const path = join(root, 'state', 'nested', 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.open();
    const lock = await locked(store, T1);
    expect(mode(lockOf(path, T1))).toBe(0o600);
    expect(mode(`${path}.locks`)).toBe(0o700);
    await lock.save(state('2026-11-04T00:00:00.000Z'));
    await store.close();
    expect(mode(path)).toBe(0o600);
    expect(mode(join(root, 'state'))).toBe(0o700);
    expect(mode(join(root, 'state', 'nested'))).toBe(0o700);
    expect(mode(root)).toBe(0o755);
  });

  it('turns a checkpoint write that fails into a one-line DELIVERY error and leaves no temp file', async () => {
    const dir = tempDir('securescore-state-');
    const path = join(dir, 'checkpoint.json');
    const store = new FileCheckpointStore(path);
    await store.open();
    const lock = await locked(store, T1);
    // Something in the way of the rename, as a full disk is in the way of the write.
    mkdirSync(path);
    await expectCode(
      lock.save(state('2026-11-04T00:00:00.000Z')),
      'DELIVERY',
      /^State: could not (read|write) .*checkpoint\.json \(EISDIR\)\. Something else is in the way of that path: move it, or point --state elsewhere\. The next run sends again/,
    );
    await store.close();
    expect(readdirSync(dir)).toEqual(['checkpoint.json']);
  });

  it.each([
    ['newestSnapshotDate', { newestSnapshotDate: 'NaN', deliveredStateUpdates: [], updatedAt: '2026-11-04T06:00:00Z', runId: 'r' }],
    ['updatedAt', { newestSnapshotDate: '2026-11-04T00:00:00Z', deliveredStateUpdates: [], updatedAt: 'later', runId: 'r' }],
  ])('refuses a checkpoint file whose %s does not parse, naming the file, the field and the fix', async (field, checkpoint) => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    writeFileSync(path, JSON.stringify({ version: 1, tenants: { [T1]: checkpoint } }));
    await expectCode(
      new FileCheckpointStore(path).open(),
      'CONFIG',
      new RegExp(
        `^State: .*checkpoint\\.json, tenant ${T1}: ${field} is .*, not an ISO date\\. .*delete or move .*checkpoint\\.json to start over with a --days backfill$`,
      ),
    );
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses to overwrite a file that is not a checkpoint, and takes no lock', async () => {
    const path = join(tempDir('securescore-state-'), 'checkpoint.json');
    writeFileSync(path, '{"something":"else"}');
    await expectCode(new FileCheckpointStore(path).open(), 'CONFIG', /is not a securescore-connector checkpoint/);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

describe('blob checkpoint store against Azurite', () => {
  const azurite = useAzurite();

  it('authenticates with a SAS given in the --state URL, and keeps the signature out of its description', async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse('rwdlacup'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential('devstoreaccount1', AZURITE_ACCOUNT_KEY),
    ).toString();
    await azurite()
      .service.createContainer('sas')
      .catch(() => undefined);
    const location = parseBlobUrl(`${azurite().blobUrl('sas', 'checkpoints')}?${sas}`);
    expect(location.sas).toBe(sas);
    // No connection string and a credential that must not be asked: the SAS alone authenticates.
    const refusing = { getToken: () => Promise.reject(new Error('the credential was asked for a token')) };
    const store = new BlobCheckpointStore(location, {}, () => refusing);
    expect(store.description).not.toContain('sig=');
    const lock = await locked(store, T1);
    await lock.save(state('2026-11-04T00:00:00.000Z'));
    await lock.release();
    expect(await azurite().service.getContainerClient('sas').getBlobClient(`checkpoints/${T1}.json`).exists()).toBe(true);
  });

  const open = (folder: string) =>
    new BlobCheckpointStore(
      parseBlobUrl(azurite().blobUrl('state', folder)),
      { AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString },
      () => {
        throw new Error('a connection string is set: the credential must not be asked');
      },
    );

  it('keeps one leased blob per tenant and saves under the lease', async () => {
    const store = open('a');
    const lock = await locked(store, T1);
    expect(lock.checkpoint).toBeUndefined();
    await lock.save(state('2026-11-04T00:00:00.000Z'));
    await lock.release();
    const stored = JSON.parse(
      (await azurite().service.getContainerClient('state').getBlobClient(`a/${T1}.json`).downloadToBuffer()).toString('utf8'),
    );
    expect(stored).toEqual({ version: 1, tenantId: T1, checkpoint: state('2026-11-04T00:00:00.000Z') });
    const again = await locked(open('a'), T1);
    expect(again.checkpoint).toEqual(state('2026-11-04T00:00:00.000Z'));
    await again.release();
  });

  it('lets only one of two overlapping runs hold a tenant, and leaves other tenants free', async () => {
    const first = await locked(open('b'), T1);
    expect(first.checkpoint).toBeUndefined();
    expect(await heldBy(open('b'), T1)).toMatch(/held by another run or replica\. Skipped here; that one delivers/);
    const other = await locked(open('b'), T2);
    expect(other.checkpoint).toBeUndefined();
    await other.release();
    await first.release();
    const later = await locked(open('b'), T1);
    await later.release();
  });

  it('refuses to write over a checkpoint another run changed after this one read it', async () => {
    const stale = await locked(open('c'), T1);
    // The stale run's lease lapses (it hung); another run takes over and moves the checkpoint.
    await azurite().service.getContainerClient('state').getBlobClient(`c/${T1}.json`).getBlobLeaseClient().breakLease(0);
    const fresh = await locked(open('c'), T1);
    await fresh.save(state('2026-11-04T00:00:00.000Z'));
    await fresh.release();
    await expectCode(
      stale.save(state('2026-01-01T00:00:00.000Z')),
      'DELIVERY',
      /State: could not write checkpoint blob state\/c\/.*\.json \(HTTP 4\d\d/,
    );
    await stale.release();
    const check = await locked(open('c'), T1);
    expect(check.checkpoint).toEqual(state('2026-11-04T00:00:00.000Z'));
    await check.release();
  });

  it('refuses a checkpoint blob whose newestSnapshotDate is not a date, naming the blob, the field and the fix', async () => {
    const body = JSON.stringify({
      version: 1,
      tenantId: T1,
      checkpoint: { newestSnapshotDate: 'yesterday', deliveredStateUpdates: [], updatedAt: '2026-11-04T06:00:00Z', runId: 'r' },
    });
    await azurite().service.getContainerClient('state').getBlockBlobClient(`e/${T1}.json`).upload(body, body.length);
    await expectCode(
      open('e').lockTenant(T1),
      'CONFIG',
      /^State: checkpoint blob state\/e\/.*\.json: newestSnapshotDate is "yesterday", not an ISO date\. .*delete or move the blob to start over with a --days backfill$/,
    );
    // The lease was let go: a run after the fix is not kept out.
    await azurite().service.getContainerClient('state').getBlockBlobClient(`e/${T1}.json`).delete();
    const later = await locked(open('e'), T1);
    await later.release();
  });

  it("refuses a blob that holds another tenant's checkpoint", async () => {
    await azurite()
      .service.getContainerClient('state')
      .getBlockBlobClient(`d/${T1}.json`)
      .upload('{"version":1,"tenantId":"someone-else","checkpoint":{}}', 55);
    await expectCode(open('d').lockTenant(T1), 'CONFIG', /belongs to tenant someone-else/);
  });
});
