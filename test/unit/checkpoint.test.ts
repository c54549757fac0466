import { describe, expect, it } from 'vitest';
import { advanceCheckpoint, parseCheckpoint, readWindow } from '../../src/state/checkpoint.js';
import { parseBlobUrl } from '../../src/storage/blob-url.js';

describe('checkpoint reducer', () => {
  const cp = (newest: string, delivered?: string[], floorDay?: string) => ({
    newestSnapshotDate: `${newest}T00:00:00.000Z`,
    deliveredSnapshots: delivered,
    floorDay,
    deliveredStateUpdates: [],
    updatedAt: '',
    runId: '',
  });
  it.each([
    ['a first run', undefined, 30, { max: 31 }],
    ['a first run of 90 days', undefined, 90, { max: 90 }],
    // A daily run: down to the newest delivered day (yesterday's), its comparison base.
    ['a daily run', cp('2026-11-21', ['2026-11-20', '2026-11-21']), 30, { max: 90, stopAt: '2026-11-21' }],
    ['a checkpoint of the first version (no days)', cp('2026-11-12'), 1, { max: 90, stopAt: '2026-11-12' }],
    ['a gap on the 19th', cp('2026-11-21', ['2026-11-18', '2026-11-20', '2026-11-21']), 30, { max: 90, stopAt: '2026-11-18' }],
    ['a gap right after the floor', cp('2026-11-21', ['2026-11-20', '2026-11-21'], '2026-11-19'), 30, { max: 90, stopAt: '2026-11-18' }],
  ])('reads the right snapshots for %s', (_, checkpoint, days, expected) => {
    expect(readWindow(checkpoint, days)).toEqual(expected);
  });

  it('never moves the snapshot cursor backwards and accumulates delivered state updates', () => {
    const first = advanceCheckpoint(
      undefined,
      {
        days: ['2026-11-20', '2026-11-19'],
        snapshotDates: ['2026-11-20T00:00:00.000Z', '2026-11-19T00:00:00.000Z'],
        stateUpdateIds: ['b', 'a'],
      },
      { runId: 'r1', at: 't1' },
    );
    expect(first).toEqual({
      newestSnapshotDate: '2026-11-20T00:00:00.000Z',
      deliveredSnapshots: ['2026-11-19', '2026-11-20'],
      floorDay: '2026-11-19',
      deliveredStateUpdates: ['a', 'b'],
      updatedAt: 't1',
      runId: 'r1',
    });
    const second = advanceCheckpoint(
      first,
      { days: ['2026-11-10'], snapshotDates: ['2026-11-10T00:00:00.000Z'], stateUpdateIds: ['c', 'a'] },
      { runId: 'r2', at: 't2' },
    );
    // A day before the floor is never late: it counts as delivered already and is not kept.
    expect(second).toEqual({
      newestSnapshotDate: '2026-11-20T00:00:00.000Z',
      deliveredSnapshots: ['2026-11-19', '2026-11-20'],
      floorDay: '2026-11-19',
      deliveredStateUpdates: ['a', 'b', 'c'],
      updatedAt: 't2',
      runId: 'r2',
    });
  });

  it.each(['not json', '{"tenants":{}}', '{"version":2,"tenants":{}}', '[]'])('refuses a document that is not a checkpoint: %s', (text) => {
    expect(() => parseCheckpoint(text, 'state.json')).toThrow(/state\.json is not/);
  });

  it.each([
    [
      'https://acct.blob.core.windows.net/state/securescore.json',
      { accountUrl: 'https://acct.blob.core.windows.net', container: 'state', folder: 'securescore.json' },
    ],
    [
      'https://acct.blob.core.windows.net/state/a/b.json',
      { accountUrl: 'https://acct.blob.core.windows.net', container: 'state', folder: 'a/b.json' },
    ],
    [
      'http://127.0.0.1:10000/devstoreaccount1/state/cp.json',
      { accountUrl: 'http://127.0.0.1:10000/devstoreaccount1', container: 'state', folder: 'cp.json' },
    ],
  ])('parses the blob URL %s', (url, expected) => {
    expect(parseBlobUrl(url)).toEqual(expected);
  });

  it('refuses a blob URL without a blob name', () => {
    expect(() => parseBlobUrl('https://acct.blob.core.windows.net/state')).toThrow(/--state: .* is not a blob URL/);
  });
});
