/**
 * Secrets that arrive inside settings (a secret's value pasted into the tenants file's
 * clientSecretEnv, a SAS URL given as --state) reach neither the console nor Log Analytics.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { useAzurite } from '../support/azurite.js';
import { CLIENT_SECRET, startWorld, type World } from '../support/fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** A SAS signature as Azure writes it: base64, percent-encoded. */
const SAS_SIGNATURE = 'Rk9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A%3D';
const SAS_QUERY = `sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&spr=https&sig=${SAS_SIGNATURE}`;

const printed = (result: CliResult) => `${result.stdout}\n${result.stderr}`;

describe('secrets inside settings', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());

  /** Runs with a one-entry tenants file whose clientSecretEnv holds `value`. */
  const runWithClientSecretEnv = (value: string) => {
    const cwd = tempDir('securescore-secret-settings-');
    const file = join(cwd, 'tenants.json');
    writeFileSync(file, JSON.stringify([{ tenantId: DEMO_TENANT_ID, clientSecretEnv: value }]));
    return runCli(['run', ...world.flags, '--tenants', file], world.env, { cwd });
  };

  it.each([
    ['an Entra secret (refused by the tenants-file check)', CLIENT_SECRET],
    ['a secret that looks like a variable name (reaches the credential)', 'Q7wErTy9UiOp2AsDfGh4JkLzXcVbNm8_xAq3'],
  ])('never prints nor ingests a clientSecretEnv holding %s, and exits 2', async (_kind, value) => {
    const before = world.ingestion.accepted.length;
    const result = await runWithClientSecretEnv(value);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('clientSecretEnv');
    expect(printed(result)).not.toContain(value);
    const ingested = world.ingestion.accepted.slice(before);
    expect(JSON.stringify(ingested)).not.toContain(value);
    // Where the run got as far as the tenant, its failure is still reported to Log Analytics.
    for (const run of ingested.filter((r) => r.RecordType === 'ConnectorRun'))
      expect(String(run.ErrorMessage)).toContain('clientSecretEnv');
  });

  it('reports a tenant whose clientSecretEnv variable is unset in its ConnectorRun, without the name', async () => {
    const before = world.ingestion.accepted.length;
    await runWithClientSecretEnv('Q7wErTy9UiOp2AsDfGh4JkLzXcVbNm8_xAq3');
    const runs = world.ingestion.accepted.slice(before).filter((r) => r.RecordType === 'ConnectorRun');
    expect(runs.map((r) => [r.RunStatus, r.AzureTenantId])).toEqual([['Failed', DEMO_TENANT_ID]]);
    expect(String(runs[0]!.ErrorMessage)).toMatch(/the environment variable that clientSecretEnv names is not set/);
  });

  describe('a SAS URL given as --state', () => {
    const azurite = useAzurite();
    const sasState = () => `${azurite().blobUrl('state', 'checkpoints')}?${SAS_QUERY}`;

    it('is printed by doctor without its signature', async () => {
      const cwd = tempDir('securescore-secret-settings-');
      const env = { ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString };
      const result = await runCli(['doctor', ...world.flags, '--state', sasState()], env, { cwd });
      expect(result.stderr).toMatch(
        /^PASS configuration: .*state http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/state\/checkpoints\?.*sig=REDACTED/m,
      );
      expect(printed(result)).not.toContain(SAS_SIGNATURE);
      expect(printed(result)).not.toContain(decodeURIComponent(SAS_SIGNATURE));
    });

    it('leaves no signature in the output or the ingested records of a run', async () => {
      const cwd = tempDir('securescore-secret-settings-');
      const before = world.ingestion.accepted.length;
      const env = { ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString };
      const result = await runCli(['run', ...world.flags, '--state', sasState()], env, { cwd });
      expect(result.code, result.stderr).toBe(0);
      const text = `${printed(result)}\n${JSON.stringify(world.ingestion.accepted.slice(before))}`;
      expect(text).not.toContain(SAS_SIGNATURE);
      expect(text).not.toContain(decodeURIComponent(SAS_SIGNATURE));
    });
  });
});
