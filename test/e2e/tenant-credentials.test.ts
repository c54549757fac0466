/**
 * A tenant read with its own app (clientId and clientSecretEnv in the tenants file) is told about in
 * the words of those settings (issue 26 row 5): the catalogue's fixes name AZURE_CLIENT_SECRET, the
 * environment's, which that tenant does not use.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { CLIENT_SECRET, startWorld, tenantData, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OWN = '55555555-5555-4555-8555-555555555555';
const OWN_APP = '66666666-6666-4666-8666-666666666666';
const OWN_SECRET = 'Fb7~Qp2.xV8-mN4_tR6sL1kH9jW3cY0dG5aE2uI7';

describe('a tenant with its own app', () => {
  let world: World;
  let cwd: string;
  let tenants: string;

  beforeAll(async () => {
    world = await startWorld(undefined, { tenantApps: [{ tenantId: OWN, clientId: OWN_APP, clientSecret: OWN_SECRET }] });
    world.graph.tenants.set(OWN, tenantData(OWN));
    cwd = tempDir('securescore-own-app-');
    tenants = join(cwd, 'tenants.yaml');
    writeFileSync(
      tenants,
      [
        'tenants:',
        `  - tenantId: ${DEMO_TENANT_ID}`,
        '    displayName: Contoso',
        `  - tenantId: ${OWN}`,
        '    displayName: Fabrikam',
        `    clientId: ${OWN_APP}`,
        '    clientSecretEnv: FABRIKAM_SECRET',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => world.close());

  const run = (env: Record<string, string>) =>
    runCli(['run', ...world.flags, '--tenants', tenants, '--state', join(cwd, `${Object.keys(env).join('-')}.json`)], env, { cwd });
  const fabrikamLines = (stderr: string) =>
    stderr.split('\n').filter((l) => l.includes(`Fabrikam (${OWN})`) && /AADSTS|clientSecretEnv|SECRET/.test(l));

  it('names its clientSecretEnv variable, not AZURE_CLIENT_SECRET, when Entra refuses its secret (401)', async () => {
    const result = await run({ ...world.env, FABRIKAM_SECRET: 'the secret id, not its value' });
    expect(result.code).toBe(2);
    const lines = fabrikamLines(result.stderr);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toContain('AADSTS7000215');
      expect(line).toContain(`Copy the secret value into FABRIKAM_SECRET (clientSecretEnv of this tenant in ${tenants})`);
      expect(line).not.toContain('AZURE_CLIENT_SECRET');
    }
    // The tenant read with the environment's app is not concerned.
    expect(result.stderr).toMatch(/tenant Contoso \(.*\): Succeeded/);
    expect(result.stderr).not.toContain(CLIENT_SECRET);
  }, 60_000);

  it('names the clientSecretEnv variable that is not set', async () => {
    const result = await run(world.env);
    expect(result.code).toBe(2);
    const lines = fabrikamLines(result.stderr);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toContain(
        `FABRIKAM_SECRET, which clientSecretEnv of this tenant in ${tenants} names, is not set. Set it to the client secret of that tenant's app`,
      );
  }, 60_000);

  it('delivers it once the variable holds the secret', async () => {
    const result = await run({ ...world.env, FABRIKAM_SECRET: OWN_SECRET });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(OWN_SECRET);
  }, 60_000);
});
