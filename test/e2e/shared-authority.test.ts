import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { startWorld, tenantData, type World } from '../support/fixture.js';
import { startRecordingFront, type RecordingFront } from '../support/recording-front.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OTHERS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
  '44444444-4444-4444-8444-444444444444',
];
const ALL = [DEMO_TENANT_ID, ...OTHERS];
const DISCOVERY = /^GET \/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/;
const TOKEN = /^POST \/([^/]+)\/oauth2\/v2\.0\/token$/;

/** The tenants' NDJSON records: tenant id → record count. */
function recordsPerTenant(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const tenant = (JSON.parse(line) as { AzureTenantId: string }).AzureTenantId;
    counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
  }
  return counts;
}

describe('the tenants of one multi-tenant app share one authority lookup', () => {
  let world: World;
  let front: RecordingFront;

  beforeAll(async () => {
    world = await startWorld(undefined, { otherTenants: OTHERS });
    for (const t of OTHERS) world.graph.tenants.set(t, tenantData(t));
    front = await startRecordingFront(world.entra.url);
  });
  afterAll(async () => {
    await front.close();
    await world.close();
  });
  afterEach(() => {
    front.requests.length = 0;
    front.rewrites.clear();
  });

  async function runTenants(env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; out: string }> {
    const dir = tempDir('securescore-shared-');
    const tenants = join(dir, 'tenants.json');
    writeFileSync(tenants, JSON.stringify(ALL.map((tenantId) => ({ tenantId }))));
    const out = join(dir, 'out.ndjson');
    const flags = ['--authority-host', front.url, '--graph-endpoint', world.graph.url, '--retry-base-ms', '20', '--days', '2'];
    const result = await runCli(['run', ...flags, '--tenants', tenants, '--output', out, '--concurrency', '5'], { ...world.env, ...env });
    return { ...result, out };
  }

  it('asks for the OpenID configuration once for five tenants, and each tenant for its own token', async () => {
    const { code, stderr, out } = await runTenants();
    expect(code, stderr).toBe(0);
    expect(front.requests.filter((r) => DISCOVERY.test(r))).toHaveLength(1);
    const tokens = front.requests.flatMap((r) => TOKEN.exec(r)?.[1] ?? []);
    expect(tokens.sort()).toEqual([...ALL].sort());
    // Every tenant's records carry its own id: no tenant was read with another one's token.
    const counts = recordsPerTenant(out);
    expect([...counts.keys()].sort()).toEqual([...ALL].sort());
    for (const t of ALL) expect(counts.get(t), t).toBe(counts.get(DEMO_TENANT_ID));
  });

  it("still fails the one tenant whose authority answers with another tenant's token", async () => {
    const [, , , third, fourth] = ALL as [string, string, string, string, string];
    front.rewrites.set(`/${fourth}/oauth2/`, `/${third}/oauth2/`);
    const { code, stderr, out } = await runTenants();
    expect(code).toBe(2);
    expect(stderr).toContain(`Tenant ${fourth}: the credential signs in to tenant ${third} instead`);
    const counts = recordsPerTenant(out);
    for (const t of ALL.filter((t) => t !== fourth)) expect(counts.get(t), t).toBeGreaterThan(1);
    // Its run is recorded as failed (the ConnectorRun record), and none of the other tenant's data is sent under its id.
    expect(counts.get(fourth)).toBe(1);
  });

  it('gives each tenant a credential of its own when AZURE_IDENTITY_DISABLE_MULTITENANTAUTH makes the SDK ignore the tenant asked for', async () => {
    const { code, stderr, out } = await runTenants({ AZURE_IDENTITY_DISABLE_MULTITENANTAUTH: '1' });
    expect(code, stderr).toBe(0);
    expect(front.requests.filter((r) => DISCOVERY.test(r))).toHaveLength(ALL.length);
    expect([...recordsPerTenant(out).keys()].sort()).toEqual([...ALL].sort());
  });
});
