import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.js';
import type { TableRecord } from '../../src/schema/records.js';
import { writeDeadLetter } from '../../src/sink/dead-letter.js';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { ageFile } from '../support/clock.js';
import { writeKilledContainerLock } from '../support/locks.js';
import { tempDir } from '../support/temp.js';

/** Left unattended on a schedule: locks, checkpoints and dead letters on a disk nobody watches. */
describe('the file state of unattended runs', () => {
  let world: World;
  let cwd: string;
  let statePath: string;
  beforeEach(async () => {
    world = await startWorld();
    cwd = tempDir('securescore-unattended-');
    statePath = join(cwd, '.securescore', 'checkpoint.json');
  });
  afterEach(async () => world.close());

  const dailyScores = () => world.ingestion.accepted.filter((r) => r.RecordType === 'DailyScore');

  it('gets past the lock of a run killed as PID 1 in a container once it is older than the run deadline', async () => {
    const tenantLock = join(`${statePath}.locks`, `${DEMO_TENANT_ID}.lock`);
    mkdirSync(`${statePath}.locks`, { recursive: true });
    // A connector killed with SIGKILL as a container's PID 1 left its lock; the next container has another host name.
    writeKilledContainerLock(tenantLock);
    const held = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(held.code).toBe(0);
    expect(held.stderr).toMatch(
      /in use by another run \(pid 1\)\. Left to that run, which delivers it\. It started on host securescore-job-abc12-7xk2p at \S+; a lock older than 35 minutes is taken over/,
    );
    expect(world.ingestion.accepted).toEqual([]);

    ageFile(tenantLock, 36);
    const later = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(later.code).toBe(0);
    expect(later.stderr).toContain(`tenant ${DEMO_TENANT_ID}: Succeeded`);
    expect(dailyScores().length).toBeGreaterThan(0);
    expect(existsSync(tenantLock)).toBe(false);
  });

  it('lets only one of three runs started at once on one state file do the backfill', async () => {
    // The run that takes the tenant is held at its first upload until the other two have ended: they
    // can only have found it held (were a second run let in, it too would wait at the gate, and this test
    // would time out instead of passing).
    let release!: () => void;
    world.ingestion.gate = new Promise<void>((resolve) => (release = resolve));
    const started = [0, 1, 2].map(() => runCli(['run', ...world.flags], world.env, { cwd }));
    let ended = 0;
    await new Promise<void>((twoEnded) => started.forEach((run) => void run.then(() => ++ended === 2 && twoEnded())));
    release();
    const runs = await Promise.all(started);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(runs.filter((r) => r.stderr.includes('is in use by another run'))).toHaveLength(2);
    const ids = dailyScores().map((r) => r.RecordId);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a checkpoint whose newestSnapshotDate is not a date with exit 2, the field and the fix, before reading Graph', async () => {
    mkdirSync(join(cwd, '.securescore'));
    const checkpoint = { newestSnapshotDate: 'NaN', deliveredStateUpdates: [], updatedAt: '2026-11-04T06:00:00.000Z', runId: 'r' };
    writeFileSync(statePath, JSON.stringify({ version: 1, tenants: { [DEMO_TENANT_ID]: checkpoint } }));
    const result = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `State: .securescore/checkpoint.json, tenant ${DEMO_TENANT_ID}: newestSnapshotDate is "NaN", not an ISO date. Point --state at another file, or delete or move .securescore/checkpoint.json to start over with a --days backfill`,
    );
    expect(world.graph.requests).toEqual([]);
  });

  it('refuses a dead-letter folder it cannot create before any Graph call, in one line with exit 2', async () => {
    writeFileSync(join(cwd, 'blocker'), 'a file where the dead-letter folder should go');
    const result = await runCli(['run', ...world.flags, '--dead-letter', join(cwd, 'blocker', 'dead-letter')], world.env, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^--dead-letter: .*blocker is not a folder\. Point --dead-letter at a writable folder$/);
    expect(world.graph.requests).toEqual([]);
  });

  it('reports a checkpoint it cannot write in one line, still prints the summary, exits 1 and leaves no temp file', async () => {
    world.ingestion.delayMs = 1000;
    const run = runCli(['run', ...world.flags], world.env, { cwd });
    // Once Graph is read the checkpoint is loaded; then something takes its place, as a full disk would refuse it.
    while (world.graph.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    mkdirSync(statePath);
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\n {2}tenant \S+: State: could not (read|write) .*checkpoint\.json \(EISDIR\)\. .*The next run sends again what this one delivered/,
    );
    expect(result.stderr).toMatch(/securescore-connector: run [0-9a-f-]+: 1 tenant\(s\)/);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(readdirSync(join(cwd, '.securescore'))).toEqual(['checkpoint.json']);
  });

  it('reports a dead letter it cannot write in one line, still prints the summary, exits 1 and leaves no temp file', async () => {
    world.ingestion.denyAll = true;
    const folder = join(cwd, 'dead-letter');
    const run = runCli(['run', ...world.flags, '--dead-letter', folder], world.env, { cwd });
    // The folder passed the start-up check; then a file takes its place, as a full or read-only volume would refuse it.
    while (world.graph.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    rmSync(folder, { recursive: true, force: true });
    writeFileSync(folder, 'not a folder');
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\n {2}tenant \S+: Dead letter: could not write \d+ refused record\(s\) to \S+ \((EEXIST|ENOTDIR)\)\. Free space there or point --dead-letter at a writable folder; the checkpoint did not move/,
    );
    expect(result.stderr).toMatch(/securescore-connector: run [0-9a-f-]+: 1 tenant\(s\)/);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(readdirSync(cwd).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(readdirSync(join(cwd, '.securescore')).filter((f) => f !== 'checkpoint.json')).toEqual([]);
    // Nothing lost: the next run, with room and access, sends every day again.
    world.ingestion.denyAll = false;
    rmSync(folder);
    const next = await runCli(['run', ...world.flags, '--dead-letter', folder], world.env, { cwd });
    expect(next.code, next.stderr).toBe(0);
    expect(world.ingestion.accepted.filter((r) => r.RecordType === 'DailyScore')).toHaveLength(30);
  });
});

describe('dead-letter files', () => {
  const records = [{ RecordType: 'ConnectorRun', RecordId: 'r1' }] as unknown as TableRecord[];
  const mode = (path: string) => statSync(path).mode & 0o777;

  it('are 0600 in folders it creates 0700, and leave a folder the user already had as it was', async () => {
    const root = tempDir('securescore-dead-letter-');
    chmodSync(root, 0o755);
    const file = await writeDeadLetter(join(root, 'out', 'dead-letter'), DEMO_TENANT_ID, 'run-1', records);
    expect(readFileSync(file, 'utf8')).toBe('{"RecordType":"ConnectorRun","RecordId":"r1"}\n');
    expect(mode(file)).toBe(0o600);
    expect(mode(join(root, 'out'))).toBe(0o700);
    expect(mode(join(root, 'out', 'dead-letter'))).toBe(0o700);
    expect(mode(root)).toBe(0o755);
  });

  it("never overwrite or remove another run's file of the same name", async () => {
    const dir = tempDir('securescore-dead-letter-');
    writeFileSync(join(dir, `${DEMO_TENANT_ID}-run-1.ndjson`), 'earlier\n');
    const error = await writeDeadLetter(dir, DEMO_TENANT_ID, 'run-1', records).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).message).toMatch(
      /^Dead letter: could not write 1 refused record\(s\) to .*-run-1\.ndjson \(EEXIST\)\./,
    );
    expect(readFileSync(join(dir, `${DEMO_TENANT_ID}-run-1.ndjson`), 'utf8')).toBe('earlier\n');
  });
});
