/**
 * The tenants file as a blob of the state account (issue 26 row 7): adding a customer is one upload,
 * read by the next run and by doctor, with no redeploy of the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { useAzurite } from '../support/azurite.js';
import { startWorld, tenantData, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const FABRIKAM = '11111111-1111-4111-8111-111111111111';
const NORTHWIND = '22222222-2222-4222-8222-222222222222';

describe('--tenants naming a blob', () => {
  const azurite = useAzurite();
  let world: World;

  beforeAll(async () => {
    world = await startWorld(undefined, { otherTenants: [FABRIKAM, NORTHWIND] });
    for (const t of [FABRIKAM, NORTHWIND]) world.graph.tenants.set(t, tenantData(t));
  });
  afterAll(async () => world.close());

  const upload = async (name: string, tenants: unknown[]) => {
    const text = JSON.stringify(tenants);
    await azurite().service.getContainerClient('state').getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  };
  const env = () => ({ ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString });
  const run = (command: string, tenants: string) =>
    runCli([command, ...world.flags, '--tenants', tenants, '--state', azurite().blobUrl('state', 'checkpoints')], env(), {
      cwd: tempDir('securescore-tenants-blob-'),
    });

  it('reads the tenants of the blob, and after one upload, the new customer too', async () => {
    await upload('tenants.json', [
      { tenantId: DEMO_TENANT_ID, displayName: 'Contoso' },
      { tenantId: FABRIKAM, displayName: 'Fabrikam' },
    ]);
    const first = await run('run', azurite().blobUrl('state', 'tenants.json'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/run .*: 2 tenant\(s\)/);

    await upload('tenants.json', [
      { tenantId: DEMO_TENANT_ID, displayName: 'Contoso' },
      { tenantId: FABRIKAM, displayName: 'Fabrikam' },
      { tenantId: NORTHWIND, displayName: 'Northwind' },
    ]);
    const second = await run('run', azurite().blobUrl('state', 'tenants.json'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/run .*: 3 tenant\(s\)/);
    expect(second.stderr).toMatch(/tenant Northwind \(2222.*\): Succeeded/);
  }, 60_000);

  it('lets doctor check every tenant of the blob', async () => {
    const result = await run('doctor', azurite().blobUrl('state', 'tenants.json'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n').filter((l) => /^PASS tenant /.test(l))).toHaveLength(3);
  }, 60_000);

  it.each([
    [
      'a blob that does not exist',
      'missing.json',
      /^--tenants http:\/\/.*\/state\/missing\.json: no such blob\. Upload the tenants file there/,
    ],
    [
      'a blob that is not a tenants file',
      'bad.json',
      /^--tenants http:\/\/.*\/state\/bad\.json: is not valid JSON at line 1, column \d+\. Fix the syntax there$/,
    ],
  ])(
    'names the blob, not a local copy, for %s (exit 2)',
    async (_, name, message) => {
      if (name === 'bad.json') await azurite().service.getContainerClient('state').getBlockBlobClient(name).upload('[{"tenantId": ', 14);
      const result = await run('run', azurite().blobUrl('state', name));
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    },
    60_000,
  );
});
