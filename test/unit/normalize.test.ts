import { describe, expect, it } from 'vitest';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import type { TableRecord } from '../../src/schema/records.js';
import { normalizeTenant } from '../support/normalize-tenant.js';
import { Warnings } from '../../src/normalize/warnings.js';

const TENANT = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const NOW = '2026-11-22T06:00:00.000Z';

function snapshot(day: string, controls: Array<Record<string, unknown>>, extra: Partial<RawSecureScore> = {}): RawSecureScore {
  const currentScore = controls.reduce((s, c) => s + Number(c.score ?? 0), 0);
  return {
    id: `${TENANT}_${day}`,
    azureTenantId: TENANT,
    createdDateTime: `${day}T00:00:00Z`,
    currentScore,
    maxScore: 30,
    activeUserCount: '12',
    licensedUserCount: 20,
    enabledServices: ['HasExchange'],
    averageComparativeScores: [{ basis: 'AllTenants', averageScore: -1 }],
    controlScores: controls,
    ...extra,
  };
}

const PROFILES: RawControlProfile[] = [
  {
    id: 'A',
    title: 'Control A',
    controlCategory: 'identity',
    maxScore: '10',
    rank: '1',
    deprecated: 'false',
    userImpact: 'medium',
    implementationCost: 'low',
    controlStateUpdates: [
      { state: 'ignored', updatedBy: 'b@contoso.com', updatedDateTime: '2026-11-02T10:00:00Z', comment: 'later' },
      { state: 'Default', updatedBy: 'a@contoso.com', updatedDateTime: '2026-11-01T10:00:00Z', comment: 'first' },
    ],
  },
  {
    id: 'B',
    title: 'Control B',
    controlCategory: 'Data',
    maxScore: 10,
    userImpact: null,
    controlStateUpdates: [
      { state: 'Snoozed', updatedBy: 'c', updatedDateTime: '2026-11-03T00:00:00Z' },
      { state: 'ThirdParty', updatedBy: 'd' },
    ],
  },
  { id: 'C', title: 'Control C', controlCategory: 'Device', maxScore: 10 },
  { id: 'D', title: 'Control D', controlCategory: 'Apps', maxScore: 10 },
];

const SNAPSHOTS: RawSecureScore[] = [
  // Out of order on purpose, with a duplicate day and one snapshot without a date.
  snapshot('2026-11-02', [
    {
      controlName: 'A',
      score: '5',
      on: 'true',
      count: '5',
      total: '10',
      description: '<p>Hi &amp; bye</p>',
      implementationStatus: 'Half',
      lastSynced: '2026-11-02T03:00:00Z',
    },
    { controlName: 'C', score: 2 },
    { controlName: 'D', score: 4 },
    { controlName: 'E', score: 1, controlCategory: 'infrastructure' },
    { score: 9 },
  ]),
  snapshot('2026-10-31', [
    { controlName: 'A', score: 1 },
    { controlName: 'B', score: 3 },
    { controlName: 'C', score: 3 },
  ]),
  snapshot('2026-11-01', [
    { controlName: 'A', score: 7 },
    { controlName: 'B', score: 3 },
    { controlName: 'C', score: 2 },
    { controlName: 'D', score: 4 },
  ]),
  snapshot('2026-11-01', [{ controlName: 'A', score: 0 }], { id: 'dup' }),
  snapshot('2026-10-30', [], { createdDateTime: 'not a date', id: 'nodate' }),
];

function run(snapshotCount = 2) {
  const warnings = new Warnings();
  const result = normalizeTenant(
    { secureScores: SNAPSHOTS, profiles: PROFILES },
    { snapshotCount },
    { now: NOW, runId: 'run-1', tenantId: TENANT, warnings },
  );
  return { ...result, warnings };
}

function find(records: TableRecord[], type: string, filter: Record<string, unknown>): TableRecord | undefined {
  return records.find((r) => r.RecordType === type && Object.entries(filter).every(([k, v]) => r[k] === v));
}

describe('normalizeTenant', () => {
  it('emits the newest snapshots only, each compared with the snapshot before it', () => {
    const { records, newestSnapshotDate } = run(2);
    const daily = records.filter((r) => r.RecordType === 'DailyScore');
    expect(daily.map((d) => [d.SnapshotDate, d.CurrentScore, d.PreviousScore, d.ScoreChange])).toEqual([
      ['2026-11-02T00:00:00.000Z', 21, 16, 5], // Graph's total includes the nameless control's 9 points
      ['2026-11-01T00:00:00.000Z', 16, 7, 9],
    ]);
    expect(daily[0]).toMatchObject({
      ScorePercent: 70,
      ActiveUserCount: 12,
      ComparativeScores: [{ basis: 'AllTenants', averageScore: null }],
      TimeGenerated: NOW,
      RunId: 'run-1',
    });
    expect(newestSnapshotDate).toBe('2026-11-02T00:00:00.000Z');
  });

  it.each([
    ['A', 'Decreased', 5, 7, -2],
    ['C', 'Unchanged', 2, 2, 0],
    ['D', 'Unchanged', 4, 4, 0],
    ['E', 'New', 1, null, null],
    ['B', 'Removed', null, 3, null],
  ])('control %s on the newest day is %s (%j, previous %j, change %j)', (name, changeType, current, previous, change) => {
    const r = find(run().records, 'ControlScore', { ControlName: name, SnapshotDate: '2026-11-02T00:00:00.000Z' });
    expect(r).toMatchObject({ ChangeType: changeType, CurrentScore: current, PreviousScore: previous, ScoreChange: change });
  });

  it('marks increases and new controls on the older day, and leaves the comparison-only day out', () => {
    const { records } = run();
    expect(find(records, 'ControlScore', { ControlName: 'A', SnapshotDate: '2026-11-01T00:00:00.000Z' })).toMatchObject({
      ChangeType: 'Increased',
      ScoreChange: 6,
    });
    expect(find(records, 'ControlScore', { ControlName: 'D', SnapshotDate: '2026-11-01T00:00:00.000Z' })).toMatchObject({
      ChangeType: 'New',
    });
    expect(records.some((r) => r.SnapshotDate === '2026-10-31T00:00:00.000Z')).toBe(false);
  });

  it('enriches control scores with their profile and keeps unmapped properties, normalized', () => {
    const a = find(run().records, 'ControlScore', { ControlName: 'A', SnapshotDate: '2026-11-02T00:00:00.000Z' });
    expect(a).toMatchObject({
      ControlTitle: 'Control A',
      ControlCategory: 'Identity',
      MaxScore: 10,
      ScorePercent: 50,
      Rank: 1,
      Deprecated: false,
      UserImpact: 'Moderate',
      ImplementationCost: 'Low',
      ImplementationStatus: 'Half',
      LastSynced: '2026-11-02T03:00:00.000Z',
      ControlProperties: { on: true, count: 5, total: 10, description: 'Hi & bye' },
    });
  });

  it('keeps a control without a profile, with a counted warning', () => {
    const { records, warnings } = run();
    expect(find(records, 'ControlScore', { ControlName: 'E', SnapshotDate: '2026-11-02T00:00:00.000Z' })).toMatchObject({
      ControlCategory: 'Infrastructure',
      CurrentScore: 1,
    });
    expect(find(records, 'ControlScore', { ControlName: 'E' })?.ControlTitle).toBeUndefined();
    expect(warnings.counts['control-without-profile']).toBe(1);
  });

  it('counts every odd input instead of dropping it silently', () => {
    const { warnings } = run();
    expect(warnings.counts).toMatchObject({
      'control-without-name': 1,
      'duplicate-snapshot': 1,
      'snapshot-quarantined': 1,
      'invalid-date': 1,
      'state-update-quarantined': 1,
      'unknown-state': 1,
      'comparative-score-unavailable': 2,
    });
  });

  it('orders state history by time and carries the previous state and the portal label', () => {
    const updates = run().records.filter((r) => r.RecordType === 'ControlStateUpdate');
    expect(updates.map((u) => [u.ControlName, u.State, u.PreviousState, u.StateLabel, u.Comment ?? null])).toEqual([
      ['A', 'Default', null, 'To address', 'first'],
      ['A', 'Ignored', 'Default', 'Risk accepted', 'later'],
      ['B', 'Snoozed', null, 'Snoozed', null],
    ]);
    expect(updates[1]).toMatchObject({ MaxScore: 10, ControlTitle: 'Control A', UpdatedBy: 'b@contoso.com' });
  });

  it('gives the same fact the same RecordId on every run, and different facts different ids', () => {
    const first = run().records.map((r) => r.RecordId);
    const second = run().records.map((r) => r.RecordId);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('leaves out state updates already delivered, whatever their date, and snapshots up to the checkpoint', () => {
    const first = run();
    const ignored = first.records.find((r) => r.RecordType === 'ControlStateUpdate' && r.State === 'Ignored')!;
    const warnings = new Warnings();
    const { records } = normalizeTenant(
      { secureScores: SNAPSHOTS, profiles: PROFILES },
      {
        snapshotCount: Number.POSITIVE_INFINITY,
        isDelivered: (day) => day <= '2026-11-01',
        deliveredStateUpdates: new Set([ignored.RecordId]),
      },
      { now: NOW, runId: 'r', tenantId: TENANT, warnings },
    );
    expect(records.filter((r) => r.RecordType === 'ControlStateUpdate').map((r) => r.State)).toEqual(['Default', 'Snoozed']);
    expect(records.filter((r) => r.RecordType === 'DailyScore').map((r) => r.SnapshotDate)).toEqual(['2026-11-02T00:00:00.000Z']);
  });
});
