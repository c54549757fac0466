import { describe, expect, it } from 'vitest';
import { validateTenantCheckpoint } from '../../src/state/validate-checkpoint.js';

const GOOD = {
  newestSnapshotDate: '2026-11-04T00:00:00.000Z',
  deliveredSnapshots: ['2026-11-03', '2026-11-04'],
  deliveredStateUpdates: ['a1b2', 'c3d4'],
  updatedAt: '2026-11-04T06:00:00.000Z',
  runId: '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b',
};
const WHERE = 'checkpoint.json, tenant T1';

describe('stored tenant checkpoint values', () => {
  it.each([
    ['a checkpoint as the connector writes it', GOOD],
    ['a first checkpoint with no snapshot delivered yet', { ...GOOD, newestSnapshotDate: undefined, deliveredSnapshots: [] }],
    ['a version-1 checkpoint without deliveredSnapshots', { ...GOOD, deliveredSnapshots: undefined }],
    ["Graph's own date form", { ...GOOD, newestSnapshotDate: '2026-11-04T00:00:00Z' }],
    ['a replica execution name', { ...GOOD, execution: 'job-abc12' }],
  ])('accepts %s', (_, value) => {
    expect(validateTenantCheckpoint(value, WHERE)).toEqual([]);
  });

  it.each([
    [
      'a newestSnapshotDate that is not a date',
      { ...GOOD, newestSnapshotDate: 'yesterday' },
      'newestSnapshotDate is "yesterday", not an ISO date',
    ],
    ['a newestSnapshotDate that is a number', { ...GOOD, newestSnapshotDate: 20261104 }, 'newestSnapshotDate is 20261104, not an ISO date'],
    [
      'a newestSnapshotDate of a day that does not exist',
      { ...GOOD, newestSnapshotDate: '2026-13-45' },
      'newestSnapshotDate is "2026-13-45"',
    ],
    [
      'deliveredSnapshots that is not a list',
      { ...GOOD, deliveredSnapshots: '2026-11-04' },
      'deliveredSnapshots is "2026-11-04", not a list of days',
    ],
    ['deliveredSnapshots holding a timestamp', { ...GOOD, deliveredSnapshots: ['2026-11-04T00:00:00Z'] }, 'not a YYYY-MM-DD day'],
    [
      'deliveredStateUpdates missing',
      { ...GOOD, deliveredStateUpdates: undefined },
      'deliveredStateUpdates is undefined, not a list of RecordIds',
    ],
    [
      'deliveredStateUpdates holding a number',
      { ...GOOD, deliveredStateUpdates: ['a', 7] },
      'deliveredStateUpdates holds 7, not a RecordId',
    ],
    ['an updatedAt that is not a date', { ...GOOD, updatedAt: 't' }, 'updatedAt is "t", not an ISO date'],
    ['a runId that is not a string', { ...GOOD, runId: null }, 'runId is null, not a string'],
    ['a list instead of a checkpoint', [GOOD], 'not an object'],
  ])('refuses %s, naming where and the field', (_, value, problem) => {
    const problems = validateTenantCheckpoint(value, WHERE);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(WHERE);
    expect(problems[0]).toContain(problem);
  });

  it('reports every bad field at once', () => {
    expect(validateTenantCheckpoint({ newestSnapshotDate: 'x', deliveredStateUpdates: [], updatedAt: 'y', runId: 1 }, WHERE)).toHaveLength(
      3,
    );
  });
});
