import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import type { RawSecureScore } from '../../src/normalize/graph-types.js';
import { useAzurite } from '../support/azurite.js';
import { startWorld, type World } from '../support/fixture.js';
import { countByType } from '../support/records.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** The newest snapshot the stand-in serves, as the checkpoint records it. */
const newestServed = (world: World) => new Date(String(world.graph.data.secureScores[0]!.createdDateTime)).toISOString();

/**
 * Two runs of `run` at once, on readiness signals rather than timers: the second starts once the first
 * reads Graph (it took the tenant's lock or lease before), and the first's uploads are held until the
 * second has ended, so the first holds the tenant for the whole of the second.
 */
async function overlapping<T>(world: World, run: () => Promise<T>): Promise<[T, T]> {
  let release: () => void = () => {};
  world.ingestion.gate = new Promise<void>((r) => (release = r));
  try {
    const firstReads = world.graph.asked((r) => r.url.includes('secureScores'));
    const first = run();
    await firstReads;
    const second = await run();
    release();
    return [await first, second];
  } finally {
    release();
    world.ingestion.gate = undefined;
  }
}

/** A new day in the tenant: the newest snapshot copied to the next day with one control improved. */
function addDay(world: World): void {
  const newest = world.graph.data.secureScores[0]!;
  const date = new Date(Date.parse(String(newest.createdDateTime)) + 86_400_000).toISOString().replace('.000Z', 'Z');
  const controls = (newest.controlScores as Array<Record<string, unknown>>).map((c) =>
    c.controlName === 'AdminMFAV2' ? { ...c, score: 10 } : c,
  );
  const next: RawSecureScore = {
    ...newest,
    id: `${DEMO_TENANT_ID}_${date.slice(0, 10)}`,
    createdDateTime: date,
    currentScore: Number(newest.currentScore) + 10,
    controlScores: controls,
  };
  world.graph.data.secureScores.unshift(next);
  const profile = world.graph.data.profiles.find((p) => p.id === 'AdminMFAV2')!;
  profile.controlStateUpdates = [
    {
      state: 'Reviewed',
      updatedBy: 'auditor@contoso.com',
      updatedDateTime: `${date.slice(0, 10)}T09:00:00Z`,
      comment: 'Checked by hand',
      assignedTo: '',
    },
  ];
}

describe('incremental runs with a checkpoint file', () => {
  let world: World;
  let cwd: string;
  beforeEach(async () => {
    world = await startWorld();
    cwd = tempDir('securescore-incr-');
  });
  afterEach(async () => world.close());

  it('backfills once, adds nothing on a re-run, then only the new day and the new state change', async () => {
    const first = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(first.code).toBe(0);
    const checkpoint = JSON.parse(readFileSync(join(cwd, '.securescore/checkpoint.json'), 'utf8'));
    const backfilled = newestServed(world);
    expect(checkpoint.tenants[DEMO_TENANT_ID]).toMatchObject({ newestSnapshotDate: backfilled });
    expect(checkpoint.tenants[DEMO_TENANT_ID].deliveredStateUpdates).toHaveLength(4);

    const before = world.ingestion.accepted.length;
    const second = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(second.code).toBe(0);
    const rerun = world.ingestion.accepted.slice(before);
    // Only the current state goes again, as the same facts (same RecordIds): nothing new on read.
    expect(countByType(rerun)).toEqual({ ControlState: 65, ConnectorRun: 1 });
    const firstIds = new Set(world.ingestion.accepted.slice(0, before).map((r) => r.RecordId));
    expect(rerun.filter((r) => r.RecordType === 'ControlState').every((r) => firstIds.has(r.RecordId))).toBe(true);
    expect(rerun.find((r) => r.RecordType === 'ConnectorRun')).toMatchObject({
      RunStatus: 'Succeeded',
      RunKind: 'Incremental',
      RecordCounts: { DailyScore: 0, ControlScore: 0, ControlStateUpdate: 0, ControlState: 65, ConnectorRun: 0 },
    });

    addDay(world);
    const mark = world.ingestion.accepted.length;
    const asked = world.graph.requests.length;
    const third = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(third.code).toBe(0);
    const added = world.ingestion.accepted.slice(mark);
    expect(countByType(added)).toEqual({ DailyScore: 1, ControlScore: 64, ControlStateUpdate: 1, ControlState: 65, ConnectorRun: 1 });
    expect(added.find((r) => r.RecordType === 'DailyScore')).toMatchObject({
      SnapshotDate: newestServed(world),
      ScoreChange: 10,
      PreviousScore: 158,
    });
    expect(added.find((r) => r.ControlName === 'AdminMFAV2' && r.RecordType === 'ControlScore')).toMatchObject({
      ChangeType: 'Increased',
      ScoreChange: 10,
    });
    expect(added.find((r) => r.RecordType === 'ControlStateUpdate')).toMatchObject({
      State: 'Reviewed',
      StateLabel: 'Resolved through alternate mitigation',
    });
    // Graph was asked for the new day and its comparison base, in one request: not for the backfill
    // again, and not for anything the clock would suggest (the first run asked for 31).
    expect(world.graph.requests.slice(asked).filter((r) => r.includes('secureScores'))).toEqual(['/v1.0/security/secureScores?$top=2']);
  });

  it('lets a second run that overlaps the first exit cleanly without touching the checkpoint', async () => {
    const [a, b] = await overlapping(world, () => runCli(['run', ...world.flags], world.env, { cwd }));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(
      /State: .*checkpoint\.json \(tenant \S+\) is in use by another run \(pid \d+\)\. Left to that run, which delivers it/,
    );
    expect(countByType(world.ingestion.accepted)).toEqual({
      DailyScore: 30,
      ControlScore: 1926,
      ControlStateUpdate: 4,
      ControlState: 65,
      ConnectorRun: 1,
    });
  });
});

describe('incremental runs with a checkpoint blob (Azurite)', () => {
  const azurite = useAzurite();
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('keeps the checkpoint in the blob, and of two runs at once only one works', async () => {
    const cwd = tempDir('securescore-blob-');
    const state = azurite().blobUrl('state', 'contoso');
    const env = { ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString };
    const [a, b] = await overlapping(world, () => runCli(['run', ...world.flags, '--state', state], env, { cwd }));
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(b.stderr).toContain(`Skipped`);
    expect(b.stderr).toContain(
      `State: checkpoint blobs state/contoso/ ${DEMO_TENANT_ID} is held by another run or replica. Skipped here; that one delivers`,
    );
    world.ingestion.delayMs = 0;
    const blob = await azurite().service.getContainerClient('state').getBlobClient(`contoso/${DEMO_TENANT_ID}.json`).downloadToBuffer();
    expect(JSON.parse(blob.toString('utf8')).checkpoint.newestSnapshotDate).toBe(newestServed(world));

    const mark = world.ingestion.accepted.length;
    const again = await runCli(['run', ...world.flags, '--state', state], env, { cwd });
    expect(again.code).toBe(0);
    expect(countByType(world.ingestion.accepted.slice(mark))).toEqual({ ControlState: 65, ConnectorRun: 1 });
  });
});
