import { describe, expect, it } from 'vitest';
import { ReportAccumulator } from '../../src/report/index.js';
import type { InputRecord } from '../../src/report/input-record.js';

const TENANT = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const FACTS = { generatedAt: '2026-11-05T08:00:00.000Z', files: ['in.ndjson'], unreadableLines: 0 };
const day = (n: number) => new Date(Date.UTC(2026, 9, n)).toISOString();

/** A line as the report reads it: the table's columns, so a misspelt one fails the type check. */
type Row = InputRecord;
type Columns = Partial<Row>;
const base = (type: string, id: string, extra: Columns): Row => ({
  TimeGenerated: '2026-11-05T06:00:00.000Z',
  RecordType: type,
  RecordId: id,
  AzureTenantId: TENANT,
  RunId: 'run-1',
  ...extra,
});
const daily = (n: number, score: number, change: number | null, extra: Columns = {}) =>
  base('DailyScore', `d${n}`, {
    SnapshotDate: day(n),
    CurrentScore: score,
    MaxScore: 200,
    ScorePercent: score / 2,
    ScoreChange: change,
    ...extra,
  });
const control = (n: number, name: string, category: string, score: number | null, extra: Columns = {}) =>
  base('ControlScore', `c${n}-${name}`, {
    SnapshotDate: day(n),
    ControlName: name,
    ControlTitle: `Title of ${name}`,
    ControlCategory: category,
    CurrentScore: score,
    MaxScore: 10,
    ...extra,
  });
const update = (name: string, at: string, state: string, by: string, extra: Columns = {}) =>
  base('ControlStateUpdate', `u-${name}-${at}-${state}`, {
    ControlName: name,
    ControlTitle: `Title of ${name}`,
    ControlCategory: 'Identity',
    State: state,
    StateLabel: state === 'Ignored' ? 'Risk accepted' : state,
    UpdatedBy: by,
    UpdatedDateTime: at,
    Comment: `why ${name} ${state}`,
    MaxScore: 5,
    ...extra,
  });
const controlState = (name: string, snapshot: number, state: string, by: string, generated = '2026-11-05T06:00:00.000Z') =>
  base('ControlState', `s-${name}-${snapshot}-${generated}`, {
    TimeGenerated: generated,
    SnapshotDate: day(snapshot),
    ControlName: name,
    ControlTitle: `Title of ${name}`,
    ControlCategory: 'Data',
    State: state,
    StateLabel: state,
    UpdatedBy: by,
    UpdatedDateTime: day(snapshot - 1),
    Comment: `state ${state} by ${by}`,
    AssignedTo: 'owner@contoso.com',
    MaxScore: 8,
  });

function modelOf(rows: Row[]) {
  const accumulator = new ReportAccumulator();
  for (const row of rows) accumulator.add(row);
  return accumulator.finish(FACTS);
}
const onlyTenant = (rows: Row[]) => {
  const tenants = modelOf(rows).tenants;
  expect(tenants).toHaveLength(1);
  return tenants[0]!;
};

describe('report model', () => {
  it('orders the daily scores oldest first and lists the days the score dropped with the points lost, newest first', () => {
    const tenant = onlyTenant([daily(3, 90, -10), daily(1, 100, null), daily(2, 100, 0), daily(4, 85.5, -4.5)]);
    expect(tenant.daily.map((d) => d.score)).toEqual([100, 100, 90, 85.5]);
    expect(tenant.scoreDrops).toEqual([
      { date: day(4), previous: 90, current: 85.5, pointsLost: 4.5, causes: [] },
      { date: day(3), previous: 100, current: 90, pointsLost: 10, causes: [] },
    ]);
  });

  it('counts a re-sent record once (same RecordId), whatever its type', () => {
    const rows = [
      daily(1, 100, null),
      daily(2, 90, -10),
      control(2, 'MFA', 'Identity', 0, { ChangeType: 'Decreased', PreviousScore: 10, ScoreChange: -10 }),
      control(2, 'New1', 'Apps', 3, { ChangeType: 'New' }),
      update('MFA', day(1), 'Ignored', 'a@contoso.com'),
      base('ConnectorRun', 'run-1', { RunStatus: 'Succeeded', RecordCounts: { DailyScore: 2 } }),
    ];
    const model = modelOf([...rows, ...rows.map((r) => ({ ...r, TimeGenerated: '2026-11-06T06:00:00.000Z' }))]);
    const tenant = model.tenants[0]!;
    expect(tenant.daily).toHaveLength(2);
    expect(tenant.scoreDrops).toHaveLength(1);
    expect(tenant.controlDrops).toHaveLength(1);
    expect(tenant.appearances).toHaveLength(1);
    expect(tenant.stateChanges).toHaveLength(1);
    expect(model.runs).toHaveLength(1);
    expect(model.runs[0]!.time).toBe('2026-11-06T06:00:00.000Z');
  });

  it('breaks the newest snapshot down by category and compares it with the oldest, leaving Removed rows out', () => {
    const tenant = onlyTenant([
      control(1, 'MFA', 'Identity', 10),
      control(1, 'Legacy', 'Identity', 4),
      control(1, 'DLP', 'Data', 2),
      control(2, 'MFA', 'Identity', 6, { ChangeType: 'Decreased', PreviousScore: 10, ScoreChange: -4 }),
      control(2, 'Legacy', 'Identity', null, { ChangeType: 'Removed', PreviousScore: 4 }),
      control(2, 'DLP', 'Data', 5, { ChangeType: 'Increased' }),
      control(2, 'Intune', 'Device', 1, { ChangeType: 'New' }),
    ]);
    expect(tenant.categoriesDate).toBe(day(2));
    expect(tenant.categoriesFirstDate).toBe(day(1));
    expect(tenant.categories).toEqual([
      { category: 'Identity', score: 6, maxScore: 10, percent: 60, firstScore: 14, change: -8 },
      { category: 'Data', score: 5, maxScore: 10, percent: 50, firstScore: 2, change: 3 },
      { category: 'Device', score: 1, maxScore: 10, percent: 10, firstScore: 0, change: 1 },
    ]);
  });

  it('lists controls that lost points (a control removed with points among them) and controls added or removed, with the profile title and category', () => {
    const tenant = onlyTenant([
      control(1, 'MFA', 'Identity', 10),
      control(2, 'MFA', 'Identity', 7.5, { ChangeType: 'Decreased', PreviousScore: 10, ScoreChange: -2.5 }),
      control(2, 'Gone', 'Apps', null, { ChangeType: 'Removed', PreviousScore: 4 }),
      control(3, 'Fresh', 'Data', 1, { ChangeType: 'New' }),
      control(3, 'Same', 'Data', 1, { ChangeType: 'Unchanged' }),
    ]);
    expect(tenant.controlDrops).toEqual([
      {
        controlName: 'Gone',
        title: 'Title of Gone',
        category: 'Apps',
        date: day(2),
        cause: 'Removed',
        previous: 4,
        current: null,
        pointsLost: 4,
      },
      {
        controlName: 'MFA',
        title: 'Title of MFA',
        category: 'Identity',
        date: day(2),
        cause: 'Decreased',
        previous: 10,
        current: 7.5,
        pointsLost: 2.5,
      },
    ]);
    expect(tenant.appearances).toEqual([
      { controlName: 'Fresh', title: 'Title of Fresh', category: 'Data', date: day(3), change: 'New', score: 1 },
      { controlName: 'Gone', title: 'Title of Gone', category: 'Apps', date: day(2), change: 'Removed', score: 4 },
    ]);
  });

  describe('currently risk accepted', () => {
    it.each([
      {
        name: 'the newest snapshot decides',
        rows: [controlState('A', 3, 'Ignored', 'late@contoso.com'), controlState('A', 2, 'Default', 'early@contoso.com')],
        expected: ['A by late@contoso.com'],
      },
      {
        name: 'a control accepted earlier and addressed since is not listed',
        rows: [controlState('A', 2, 'Ignored', 'early@contoso.com'), controlState('A', 3, 'Default', 'late@contoso.com')],
        expected: [],
      },
      {
        name: 'on the same snapshot the later collection (TimeGenerated) decides',
        rows: [
          controlState('A', 3, 'Ignored', 'second@contoso.com', '2026-11-06T00:00:00.000Z'),
          controlState('A', 3, 'Default', 'first@contoso.com', '2026-11-05T00:00:00.000Z'),
        ],
        expected: ['A by second@contoso.com'],
      },
      {
        name: 'ControlState wins over a history that says otherwise',
        rows: [update('A', day(9), 'Ignored', 'history@contoso.com'), controlState('A', 3, 'Default', 'state@contoso.com')],
        expected: [],
      },
    ])('reads the newest ControlState per control: $name', ({ rows, expected }) => {
      const tenant = onlyTenant(rows);
      expect(tenant.acceptedSource).toBe('ControlState');
      expect(tenant.accepted.map((a) => `${a.controlName} by ${a.updatedBy}`)).toEqual(expected);
    });

    it('gives who, when, why, the assignee and the points forgone from the ControlState record', () => {
      const tenant = onlyTenant([controlState('A', 3, 'Ignored', 'ciso@contoso.com')]);
      expect(tenant.accepted).toEqual([
        {
          controlName: 'A',
          title: 'Title of A',
          category: 'Data',
          updatedBy: 'ciso@contoso.com',
          updatedAt: day(2),
          comment: 'state Ignored by ciso@contoso.com',
          assignedTo: 'owner@contoso.com',
          maxScore: 8,
        },
      ]);
    });

    it('falls back to the newest state change per control when the input has no ControlState records (older files)', () => {
      const tenant = onlyTenant([
        update('Revoked', '2026-09-29T10:00:00.000Z', 'Ignored', 'owner@contoso.com'),
        update('Revoked', '2026-10-04T10:00:00.000Z', 'Default', 'ciso@contoso.com'),
        update('Accepted', '2026-10-11T14:03:27.123Z', 'Ignored', 'secops@contoso.com'),
        update('Third', '2026-10-18T10:00:00.000Z', 'ThirdParty', 'it@contoso.com'),
      ]);
      expect(tenant.acceptedSource).toBe('ControlStateUpdate');
      expect(tenant.accepted).toEqual([
        {
          controlName: 'Accepted',
          title: 'Title of Accepted',
          category: 'Identity',
          updatedBy: 'secops@contoso.com',
          updatedAt: '2026-10-11T14:03:27.123Z',
          comment: 'why Accepted Ignored',
          assignedTo: null,
          maxScore: 5,
        },
      ]);
      expect(tenant.stateChanges.map((s) => `${s.controlName} ${s.state}`)).toEqual([
        'Third ThirdParty',
        'Accepted Ignored',
        'Revoked Default',
        'Revoked Ignored',
      ]);
    });

    it('says when the input holds no control state at all', () => {
      expect(onlyTenant([daily(1, 100, null)]).acceptedSource).toBe('none');
    });
  });

  it('lists connector runs newest first under the tenant display name, with their counts and errors', () => {
    const model = modelOf([
      base('ConnectorRun', 'r1', {
        TimeGenerated: '2026-11-04T06:00:00.000Z',
        RunStatus: 'Succeeded',
        RecordCounts: { DailyScore: 1, Bad: 'x' },
      }),
      base('ConnectorRun', 'r2', {
        TimeGenerated: '2026-11-05T06:00:00.000Z',
        TenantDisplayName: 'Contoso',
        RunStatus: 'Failed',
        ErrorMessage: 'Graph: HTTP 403',
        DurationSeconds: 1.5,
      }),
    ]);
    expect(model.tenants.map((t) => t.label)).toEqual(['Contoso']);
    expect(model.runs.map((r) => [r.time, r.tenantLabel, r.status, r.errorMessage, r.recordCounts])).toEqual([
      ['2026-11-05T06:00:00.000Z', 'Contoso', 'Failed', 'Graph: HTTP 403', {}],
      ['2026-11-04T06:00:00.000Z', 'Contoso', 'Succeeded', null, { DailyScore: 1 }],
    ]);
  });

  it('keeps tenants apart and counts records without a tenant or of an unknown type as other records', () => {
    const model = modelOf([
      daily(1, 100, null),
      { ...daily(1, 50, null), AzureTenantId: 'other-tenant', RecordId: 'x1' },
      { ...daily(1, 1, null), AzureTenantId: undefined, RecordId: 'x2' },
      base('SomethingNew', 'x3', {}),
    ]);
    expect(model.tenants.map((t) => [t.tenantId, t.daily[0]?.score])).toEqual([
      [TENANT, 100],
      ['other-tenant', 50],
    ]);
    expect(model.input).toEqual({ files: ['in.ndjson'], records: 4, unreadableLines: 0, otherRecords: 2 });
  });

  it('holds memory in proportion to controls, not to days times controls', () => {
    const accumulator = new ReportAccumulator();
    const controls = 400;
    const days = 90;
    for (let d = 1; d <= days; d++) {
      accumulator.add(daily(d, 100, 0));
      for (let c = 0; c < controls; c++) accumulator.add(control(d, `C${c}`, 'Identity', c % 10, { ChangeType: 'Unchanged' }));
    }
    expect(accumulator.recordCount).toBe(days * (controls + 1));
    // Per control: a first and a last sample and its profile; plus one entry per day.
    expect(accumulator.heldEntries).toBeLessThanOrEqual(3 * controls + days);
    expect(accumulator.finish(FACTS).tenants[0]!.categories[0]!.score).toBe(40 * 45);
  });
});
