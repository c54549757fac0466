import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { tenantData, startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OTHER = '22222222-2222-4222-8222-222222222222';

const ALL_FACTS = 2025; // a tenant's facts: 30 DailyScore + 1926 ControlScore + 4 ControlStateUpdate + 65 ControlState

const runs = (world: World) => world.ingestion.accepted.filter((r) => r.RecordType === 'ConnectorRun');

/** Records kept in the dead-letter folder. */
function deadLetterLines(cwd: string): number {
  const dir = join(cwd, 'dead-letter');
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);
}

describe('a run nobody watches always ends (issue: safe to leave unattended)', () => {
  let world: World;
  let cwd: string;
  beforeEach(async () => {
    world = await startWorld(undefined, { otherTenants: [OTHER] });
    cwd = tempDir('securescore-unattended-');
  });
  afterEach(async () => world.close());

  it('stops a Graph that hands out nextLinks for ever, and the other tenants still deliver (rows 6 and 7)', async () => {
    world.graph.tenants.set(OTHER, { ...tenantData(OTHER), endlessProfiles: true, profilePageSize: 1 });
    const tenants = join(cwd, 'tenants.json');
    writeFileSync(tenants, JSON.stringify([{ tenantId: DEMO_TENANT_ID }, { tenantId: OTHER }]));
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
    // Nothing lost: what was produced was accepted or dead-lettered, and once Graph stops paging the
    // next run completes the stopped tenant, each fact of both once.
    const [, sent, produced] = /(\d+)\/(\d+) record\(s\) delivered/.exec(result.stderr) ?? [];
    expect(Number(sent) + deadLetterLines(cwd)).toBe(Number(produced));
    world.graph.tenants.get(OTHER)!.endlessProfiles = false;
    const again = await runCli(['run', ...world.flags, '--tenants', tenants], world.env, { cwd });
    expect(again.code, again.stderr).toBe(0);
    for (const tenant of [DEMO_TENANT_ID, OTHER]) {
      const facts = world.ingestion.accepted.filter((r) => r.AzureTenantId === tenant && r.RecordType !== 'ConnectorRun');
      expect([tenant, new Set(facts.map((r) => r.RecordId)).size]).toEqual([tenant, ALL_FACTS]);
    }
    expect(world.ingestion.violations).toEqual([]);
  }, 150_000);
});
