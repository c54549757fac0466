import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { tenantData, startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OTHER = '22222222-2222-4222-8222-222222222222';

const runs = (world: World) => world.ingestion.accepted.filter((r) => r.RecordType === 'ConnectorRun');

describe('a run nobody watches always ends (issue: safe to leave unattended)', () => {
  let world: World;
  let cwd: string;
  beforeEach(async () => {
    world = await startWorld(undefined, { otherTenants: [OTHER] });
    cwd = tempDir('securescore-unattended-');
  });
  afterEach(async () => world.close());

  it('gives up on a Logs Ingestion endpoint that reads the request and never answers, keeping the records (row 3)', async () => {
    world.ingestion.faults.add({ match: /streams/, kind: 'hang' }, 1000);
    const started = Date.now();
    const result = await runCli(['run', ...world.flags, '--ingestion-timeout-seconds', '2'], world.env, { cwd, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(100_000);
    // Nothing lost: every record is in the dead-letter folder, and the lock is gone.
    expect(readdirSync(join(cwd, 'dead-letter'))).toHaveLength(1);
    expect(readdirSync(join(cwd, '.securescore')).filter((f) => f.includes('lock'))).toEqual([]);
  }, 150_000);

  it('ends within the grace period after SIGTERM even while an upload hangs (row 3)', async () => {
    world.ingestion.faults.add({ match: /streams/, kind: 'hang' }, 1000);
    const result = await runCli(['run', ...world.flags, '--shutdown-grace-seconds', '2'], world.env, {
      cwd,
      timeoutMs: 60_000,
      kill: { signal: 'SIGTERM', afterMs: 4000 },
    });
    expect(result.code, result.stderr).toBe(143);
    expect(result.stderr).toMatch(/SIGTERM received/);
    expect(readdirSync(join(cwd, '.securescore')).filter((f) => f.includes('lock'))).toEqual([]);
  }, 90_000);

  it('stops a Graph that hands out nextLinks for ever, and the other tenants still deliver (rows 6 and 7)', async () => {
    world.graph.tenants.set(OTHER, { ...tenantData(OTHER), endlessProfiles: true, profilePageSize: 1 });
    const tenants = join(cwd, 'tenants.json');
    await import('node:fs').then((fs) => fs.writeFileSync(tenants, JSON.stringify([{ tenantId: DEMO_TENANT_ID }, { tenantId: OTHER }])));
    const result = await runCli(['run', ...world.flags, '--tenants', tenants], world.env, { cwd, timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/still paging after 500 pages/);
    expect(world.graph.requests.filter((r) => r.includes('secureScoreControlProfiles')).length).toBeLessThanOrEqual(500 + 65);
    const byTenant = new Map(runs(world).map((r) => [r.AzureTenantId, r.RunStatus]));
    expect(byTenant).toEqual(
      new Map([
        [DEMO_TENANT_ID, 'Succeeded'],
        [OTHER, 'Failed'],
      ]),
    );
  }, 150_000);

  it('stops at the run deadline, says so in the ConnectorRun record and exits 1', async () => {
    world.graph.delayMs = 3_000;
    const result = await runCli(['run', ...world.flags, '--max-run-minutes', '0.1', '--shutdown-grace-seconds', '5'], world.env, {
      cwd,
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/run deadline \(--max-run-minutes 0\.1\) is reached/);
    expect(runs(world)).toEqual([
      expect.objectContaining({ RunStatus: 'Interrupted', ErrorMessage: expect.stringMatching(/Interrupted: deadline/) }),
    ]);
  }, 90_000);
});
