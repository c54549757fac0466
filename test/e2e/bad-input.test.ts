import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { MAX_FIELD_BYTES } from '../../src/normalize/coerce.js';
import { startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const HUGE_COMMENT = `Accepted because ${'the legacy estate is large; '.repeat(4000)}`; // ~110 KB

/** A tenant whose Graph answers carry every kind of junk seen in the wild. */
function messyTenant(): { secureScores: RawSecureScore[]; profiles: RawControlProfile[] } {
  const day = (d: string, controls: unknown[], extra: Record<string, unknown> = {}): RawSecureScore => ({
    id: `${DEMO_TENANT_ID}_${d}`,
    azureTenantId: DEMO_TENANT_ID,
    createdDateTime: `${d}T00:00:00Z`,
    currentScore: '12.5',
    maxScore: 40,
    activeUserCount: null,
    licensedUserCount: '30',
    enabledServices: null,
    averageComparativeScores: [],
    controlScores: controls,
    ...extra,
  });
  return {
    secureScores: [
      day('2026-11-03', [
        { controlName: 'MFA', score: '7.5', on: 'TRUE', count: '3', total: '4', description: '<p>Users \u0007with\u0000 MFA – ✓ 日本</p>' },
        { controlName: 'Audit', score: null },
        { score: 5, controlCategory: 'Data' },
        { controlName: 'Orphan', score: 1 },
        'not an object',
      ]),
      day('2026-11-01', [
        { controlName: 'MFA', score: 9 },
        { controlName: 'Audit', score: 'abc' },
      ]),
      day('2026-11-02', [
        { controlName: 'MFA', score: 5 },
        { controlName: 'Audit', score: 2 },
      ]),
      day('2026-11-02', [{ controlName: 'MFA', score: 0 }], { id: 'duplicate-day' }),
      day('2026-10-31', [], { createdDateTime: null, id: 'undated' }),
    ],
    profiles: [
      {
        id: 'MFA',
        title: 'Require MFA',
        controlCategory: 'IDENTITY',
        maxScore: '10',
        rank: null,
        deprecated: 'false',
        userImpact: null,
        implementationCost: 'medium',
        controlStateUpdates: [
          { state: 'ignored', updatedBy: 'admin@contoso.com', updatedDateTime: '2026-11-02T10:00:00Z', comment: HUGE_COMMENT },
          { state: 'Banana', updatedBy: null, updatedDateTime: '2026-11-02T11:00:00Z', comment: null },
          { state: 'Default', updatedBy: 'x', updatedDateTime: 'soon' },
        ],
      },
      { id: 'Audit', title: null, controlCategory: 'data', maxScore: 10, controlStateUpdates: null },
      { title: 'Profile without id' },
    ],
  };
}

describe('bad input from Graph', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(messyTenant());
  });
  afterEach(async () => world.close());

  it('normalizes or quarantines every odd value with a counted warning, never crashing or dropping silently', async () => {
    const cwd = tempDir('securescore-bad-');
    const result = await runCli(['run', ...world.flags, '--days', '5'], world.env, { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(world.ingestion.violations).toEqual([]);

    const run = world.ingestion.accepted.find((r) => r.RecordType === 'ConnectorRun')!;
    expect(run.Warnings).toMatchObject({
      'control-without-name': 3, // the nameless score, the non-object entry, the profile without id
      'control-without-profile': 1,
      'duplicate-snapshot': 1,
      'snapshot-quarantined': 1,
      'invalid-number': 1,
      'number-as-string': 8, // currentScore and licensedUserCount of 3 snapshots, one score, one maxScore
      'boolean-as-string': 1,
      'unknown-state': 1,
      'state-update-quarantined': 1,
      'invalid-date': 1,
      'field-truncated': 1,
      'control-characters-removed': 1,
    });
    expect(result.stderr).toMatch(/control-without-name 3/);

    const mfa = world.ingestion.accepted.find(
      (r) => r.RecordType === 'ControlScore' && r.ControlName === 'MFA' && r.SnapshotDate === '2026-11-03T00:00:00.000Z',
    )!;
    expect(mfa).toMatchObject({
      CurrentScore: 7.5,
      PreviousScore: 5,
      ScoreChange: 2.5,
      ChangeType: 'Increased',
      ControlCategory: 'Identity',
      ImplementationCost: 'Moderate',
      UserImpact: null,
      Deprecated: false,
      ControlProperties: { on: true, count: 3, total: 4, description: 'Users with MFA – ✓ 日本' },
    });
    const audit = world.ingestion.accepted.find((r) => r.ControlName === 'Audit' && r.SnapshotDate === '2026-11-03T00:00:00.000Z')!;
    expect(audit).toMatchObject({ CurrentScore: null, PreviousScore: 2, ChangeType: null, ControlTitle: null });
    const orphan = world.ingestion.accepted.find((r) => r.ControlName === 'Orphan')!;
    expect(orphan).toMatchObject({ ChangeType: 'New', CurrentScore: 1 });
    expect('ControlTitle' in orphan).toBe(false);
    const daily = world.ingestion.accepted.filter((r) => r.RecordType === 'DailyScore');
    expect(daily.map((d) => d.SnapshotId)).toEqual([
      `${DEMO_TENANT_ID}_2026-11-03`,
      `${DEMO_TENANT_ID}_2026-11-02`,
      `${DEMO_TENANT_ID}_2026-11-01`,
    ]);
    expect(daily[0]).toMatchObject({
      CurrentScore: 12.5,
      LicensedUserCount: 30,
      ActiveUserCount: null,
      EnabledServices: [],
      ComparativeScores: [],
    });

    const updates = world.ingestion.accepted.filter((r) => r.RecordType === 'ControlStateUpdate');
    expect(updates.map((u) => [u.State, u.PreviousState])).toEqual([
      ['Ignored', null],
      ['Banana', 'Ignored'],
    ]);
    const comment = updates[0]!.Comment as string;
    expect(Buffer.byteLength(comment, 'utf8')).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(comment.endsWith('[truncated by securescore-connector]')).toBe(true);
  });
});

describe('a Graph answer that starts with a byte order mark', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('is read as the JSON after it, as fetch reads it, not retried as a body that is not JSON', async () => {
    const profiles = world.graph.data.profiles;
    world.graph.faults.add({ match: /secureScoreControlProfiles/, withByteOrderMark: { value: profiles } }, 5);
    const result = await runCli(['run', ...world.flags, '--max-retries', '2'], world.env, { cwd: tempDir('securescore-bom-') });
    expect(result.code, result.stderr).toBe(0);
    expect(world.graph.faults.served.filter((s) => s.startsWith('bom '))).toHaveLength(1);
    const states = world.ingestion.accepted.filter((r) => r.RecordType === 'ControlState');
    expect(states).toHaveLength(profiles.length);
  });
});
