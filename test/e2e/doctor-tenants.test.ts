/**
 * `doctor --tenants FILE` checks every tenant of the file (issue 26 row 3): its token and its Graph
 * permission, one line per tenant, the failing ones first, each fix in that tenant's own settings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { startWorld, tenantData, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** Consented to the environment's multi-tenant app. */
const NORTHWIND = '11111111-1111-4111-8111-111111111111';
/** Known to Entra, but the multi-tenant app was never consented there (no service principal). */
const FABRIKAM = '22222222-2222-4222-8222-222222222222';
/** Consented, but the app's service principal there lacks SecurityEvents.Read.All: Graph answers 403. */
const TAILSPIN = '33333333-3333-4333-8333-333333333333';
/** Read with its own app, whose secret is in TAILWIND_SECRET. */
const TAILWIND = '44444444-4444-4444-8444-444444444444';
const TAILWIND_APP = {
  tenantId: TAILWIND,
  clientId: '99999999-0000-4000-8000-000000000009',
  clientSecret: 'Tw8~Own.App-Secret_0123456789abcdefgh',
};

/** The doctor's lines about tenants, in the order printed. */
const tenantLines = (stderr: string) => stderr.split('\n').filter((l) => /^(PASS|FAIL) tenant /.test(l));

describe('doctor --tenants', () => {
  let world: World;
  let cwd: string;
  beforeAll(async () => {
    world = await startWorld(undefined, {
      otherTenants: [NORTHWIND, TAILSPIN],
      tenantApps: [{ tenantId: FABRIKAM, clientId: '88888888-0000-4000-8000-000000000008', clientSecret: 'x' }, TAILWIND_APP],
    });
    for (const t of [NORTHWIND, TAILWIND]) world.graph.tenants.set(t, tenantData(t));
    world.graph.tenants.set(TAILSPIN, { ...tenantData(TAILSPIN), failWith: 403 });
    cwd = tempDir('securescore-doctor-tenants-');
  });
  afterAll(async () => world.close());

  const doctor = (entries: unknown[], env: Record<string, string> = world.env) => {
    const file = join(cwd, 'tenants.yaml');
    writeFileSync(file, `tenants:\n${entries.map((e) => `  - ${JSON.stringify(e)}`).join('\n')}\n`);
    return runCli(['doctor', ...world.flags, '--tenants', file, '--state', join(cwd, 'state.json')], env, { cwd });
  };

  it('checks each tenant of three, one line each, the tenant lacking consent first', async () => {
    const result = await doctor([
      { tenantId: DEMO_TENANT_ID, displayName: 'Contoso' },
      { tenantId: FABRIKAM, displayName: 'Fabrikam' },
      { tenantId: NORTHWIND, displayName: 'Northwind' },
    ]);
    console.log(result.stderr);
    expect(result.code).toBe(1);
    const lines = tenantLines(result.stderr);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`^FAIL tenant Fabrikam \\(${FABRIKAM}\\): Authentication: no token for Microsoft Graph .*AADSTS700016.*consent`),
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^PASS tenant Contoso \\(${DEMO_TENANT_ID}\\): token issued; latest snapshot \\d{4}-\\d\\d-\\d\\d: 158 of 314$`),
      ),
      expect.stringMatching(
        new RegExp(`^PASS tenant Northwind \\(${NORTHWIND}\\): token issued; latest snapshot \\d{4}-\\d\\d-\\d\\d: 158 of 314$`),
      ),
    ]);
    // The home tenant's own token and Graph checks are the tenants' now; the destination is still checked.
    expect(result.stderr).not.toMatch(/^(PASS|FAIL) graph-token/m);
    expect(result.stderr).toMatch(/^PASS dcr-stream/m);
    expect(result.stderr).toContain('doctor: 1 of 3 tenant(s) failed');
  }, 60_000);

  it("names the missing Graph permission of a consented tenant, and a tenant's own secret variable", async () => {
    const result = await doctor(
      [
        { tenantId: NORTHWIND, displayName: 'Northwind' },
        { tenantId: TAILSPIN, displayName: 'Tailspin' },
        { tenantId: TAILWIND, displayName: 'Tailwind', clientId: TAILWIND_APP.clientId, clientSecretEnv: 'TAILWIND_SECRET' },
      ],
      { ...world.env, TAILWIND_SECRET: 'the secret id, not its value' },
    );
    expect(result.code).toBe(1);
    const lines = tenantLines(result.stderr);
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FAIL tenant Tailspin .*HTTP 403.*SecurityEvents\.Read\.All/),
        expect.stringMatching(
          /^FAIL tenant Tailwind .*AADSTS7000215.*Copy the secret value into TAILWIND_SECRET \(clientSecretEnv of this tenant in .*tenants\.yaml\)/,
        ),
      ]),
    );
    expect(lines[2]).toMatch(/^PASS tenant Northwind /);
    expect(result.stderr).not.toMatch(/AZURE_CLIENT_SECRET/);
  }, 60_000);

  it('names an unset clientSecretEnv variable', async () => {
    const result = await doctor([{ tenantId: TAILWIND, clientId: TAILWIND_APP.clientId, clientSecretEnv: 'TAILWIND_SECRET' }]);
    expect(result.code).toBe(1);
    expect(tenantLines(result.stderr)).toEqual([
      expect.stringContaining(`FAIL tenant ${TAILWIND}: Tenant ${TAILWIND}: TAILWIND_SECRET, which clientSecretEnv of this tenant in`),
    ]);
  }, 60_000);
});
