import { describe, expect, it } from 'vitest';
import { advanceCheckpoint, parseCheckpoint, snapshotsToRead } from '../../src/state/checkpoint.js';
import { parseBlobUrl } from '../../src/state/blob-store.js';

const NOW = new Date('2026-11-22T06:00:00Z');

describe('checkpoint reducer', () => {
  it.each([
    [undefined, 30, 31],
    [undefined, 90, 90],
    // A daily run: today's snapshot and yesterday's (its comparison), no more.
    [{ newestSnapshotDate: '2026-11-21T00:00:00.000Z', deliveredStateUpdates: [], updatedAt: '', runId: '' }, 30, 2],
    [{ newestSnapshotDate: '2026-11-22T00:00:00.000Z', deliveredStateUpdates: [], updatedAt: '', runId: '' }, 30, 1],
    [{ newestSnapshotDate: '2026-11-12T00:00:00.000Z', deliveredStateUpdates: [], updatedAt: '', runId: '' }, 1, 11],
    [{ newestSnapshotDate: '2026-01-01T00:00:00.000Z', deliveredStateUpdates: [], updatedAt: '', runId: '' }, 1, 90],
  ])('reads the right number of snapshots for checkpoint %j and --days %i', (checkpoint, days, expected) => {
    expect(snapshotsToRead(checkpoint, days, NOW)).toBe(expected);
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
      deliveredStateUpdates: ['a', 'b'],
      updatedAt: 't1',
      runId: 'r1',
    });
    const second = advanceCheckpoint(
      first,
      { days: ['2026-11-10'], snapshotDates: ['2026-11-10T00:00:00.000Z'], stateUpdateIds: ['c', 'a'] },
      { runId: 'r2', at: 't2' },
    );
    expect(second).toEqual({
      newestSnapshotDate: '2026-11-20T00:00:00.000Z',
      deliveredSnapshots: ['2026-11-10', '2026-11-19', '2026-11-20'],
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
