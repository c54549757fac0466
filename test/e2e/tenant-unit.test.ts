import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { AZURITE_ACCOUNT_KEY, useAzurite } from '../support/azurite.js';
import { startFaultFront, type FaultFront } from '../support/fault-front.js';
import { startWorld, tenantData, type World } from '../support/fixture.js';
import { countByType } from '../support/records.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OTHERS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];
const ALL = [DEMO_TENANT_ID, ...OTHERS];

const runsOf = (world: World) => world.ingestion.accepted.filter((r) => r.RecordType === 'ConnectorRun');

/**
 * A tenant is one unit that cannot throw past itself: whatever fails in one tenant's life (its lease,
 * its checkpoint save, a record refused for good, odd Graph pages), the others are read, sent and
 * checkpointed, the failed one has its own ConnectorRun, and that record says the status the CLI reports.
 */
describe("one tenant's failure stays its own", () => {
  let world: World;
  let front: FaultFront;
  const azurite = useAzurite();
  beforeAll(async () => {
    world = await startWorld(undefined, { otherTenants: OTHERS });
    for (const t of OTHERS) world.graph.tenants.set(t, tenantData(t));
  });
  afterAll(async () => world.close());
  afterEach(async () => {
    await front?.close();
    world.ingestion.refuse = undefined;
  });

  /** Blob state reached through a front that can fail chosen requests. */
  const blobState = async (folder: string) => {
    front = await startFaultFront(new URL(azurite().blobUrl('state', 'x')).origin);
    const endpoint = `${front.url}/devstoreaccount1`;
    return {
      state: `${endpoint}/state/${folder}`,
      env: {
        ...world.env,
        AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${endpoint};`,
      },
    };
  };
  const tenantsFile = (dir: string) => {
    const path = join(dir, 'tenants.json');
    writeFileSync(path, JSON.stringify(ALL.map((tenantId) => ({ tenantId }))));
    return path;
  };
  const checkpointed = async (folder: string) => {
    const names: string[] = [];
    for await (const b of azurite()
      .service.getContainerClient('state')
      .listBlobsFlat({ prefix: `${folder}/` })) {
      const text = (await azurite().service.getContainerClient('state').getBlobClient(b.name).downloadToBuffer()).toString('utf8');
      if (text.trim() !== '' && JSON.parse(text).checkpoint?.newestSnapshotDate) names.push(b.name.slice(folder.length + 1, -5));
    }
    return names.sort();
  };

  it('row 1: a 503 on one tenant of four on its blob lease fails that tenant alone; the others deliver and checkpoint', async () => {
    const cwd = tempDir('securescore-unit-');
    const { state, env } = await blobState('lease');
    const broken = OTHERS[1]!;
    let leaseAsks = 0;
    // The service is busy for that tenant's lease, and stays so (the SDK's own retry meets a 400 after one 503).
    front.fault = (req) =>
      req.url?.includes(`${broken}.json`) && req.url.includes('comp=lease') && req.headers['x-ms-lease-action'] === 'acquire'
        ? leaseAsks++ === 0
          ? 503
          : 400
        : undefined;
    const before = runsOf(world).length;
    const result = await runCli(['run', ...world.flags, '--tenants', tenantsFile(cwd), '--state', state], env, { cwd, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(front.faulted.length).toBeGreaterThan(0);
    expect(await checkpointed('lease')).toEqual(ALL.filter((t) => t !== broken).sort());
    const statuses = new Map(
      runsOf(world)
        .slice(before)
        .map((r) => [r.AzureTenantId, r.RunStatus]),
    );
    expect(statuses).toEqual(new Map(ALL.map((t) => [t, t === broken ? 'Failed' : 'Succeeded'])));
    expect(result.stderr).toMatch(new RegExp(`tenant ${broken}: Failed`));
    expect(result.stderr).toMatch(/1 of 4 tenant\(s\) not fully delivered/);
  }, 120_000);

  it('row 2: a checkpoint save that fails after every record was accepted: the ConnectorRun says PartiallySucceeded, as the CLI does', async () => {
    const cwd = tempDir('securescore-unit-');
    const { state, env } = await blobState('save');
    let saves = 0;
    front.fault = (req) =>
      req.method === 'PUT' && req.url?.includes(`${DEMO_TENANT_ID}.json`) && !req.url.includes('comp=') && req.headers['x-ms-lease-id']
        ? saves++ === 0
          ? 500
          : 403
        : undefined;
    const before = runsOf(world).length;
    const result = await runCli(['run', ...world.flags, '--state', state], env, { cwd, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(1);
    expect(saves).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/tenant \S+: PartiallySucceeded/);
    const [run] = runsOf(world).slice(before);
    expect(run).toMatchObject({ RunStatus: 'PartiallySucceeded', ErrorMessage: expect.stringMatching(/State: .*write/) });
    expect(await checkpointed('save')).toEqual([]);
  }, 120_000);

  it('row 5: one record refused for good moves the checkpoint for the rest, and stays in one dead letter, not a new copy every run', async () => {
    const cwd = tempDir('securescore-unit-');
    const victim = world.graph.data.secureScores[3]!;
    world.ingestion.refuse = (r) =>
      r.RecordType === 'ControlScore' &&
      r.ControlName === 'DLPEnabled' &&
      r.SnapshotDate === new Date(String(victim.createdDateTime)).toISOString();
    const first = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/Dead letter: \d+ refused record\(s\) saved to/);
    const deadLetters = () => readdirSync(join(cwd, 'dead-letter'));
    expect(deadLetters()).toHaveLength(1);
    const kept = readFileSync(join(cwd, 'dead-letter', deadLetters()[0]!), 'utf8')
      .trim()
      .split('\n').length;
    expect(kept).toBeGreaterThan(0);
    for (let run = 2; run <= 4; run++) {
      const mark = world.ingestion.accepted.length;
      const again = await runCli(['run', ...world.flags], world.env, { cwd });
      expect(again.code, again.stderr).toBe(0);
      expect(countByType(world.ingestion.accepted.slice(mark))).toEqual({ ControlState: 65, ConnectorRun: 1 });
      expect(deadLetters()).toHaveLength(1);
    }
  }, 120_000);

  it('row 8: two runs at once on one state file with different --tenants lists both deliver, and both checkpoints stay', async () => {
    const cwd = tempDir('securescore-unit-');
    const listOf = (name: string, tenants: string[]) => {
      const path = join(cwd, name);
      writeFileSync(path, JSON.stringify(tenants.map((tenantId) => ({ tenantId }))));
      return path;
    };
    const [mine, theirs] = [ALL.slice(0, 2), ALL.slice(2)];
    // Both runs hold their tenants at once: each tenant's Graph read comes after its lock, and every
    // upload waits at the gate until the second run has read all of its tenants too.
    let release!: () => void;
    world.ingestion.gate = new Promise<void>((resolve) => (release = resolve));
    const reads = (tenants: string[]) => Promise.all(tenants.map((t) => world.graph.asked((r) => r.tenantId === t)));
    try {
      const before = runsOf(world).length;
      const firstHolds = reads(mine);
      const first = runCli(['run', ...world.flags, '--tenants', listOf('a.json', mine)], world.env, { cwd });
      await firstHolds;
      const secondHolds = reads(theirs);
      const second = runCli(['run', ...world.flags, '--tenants', listOf('b.json', theirs)], world.env, { cwd });
      await secondHolds;
      release();
      const [done, other] = await Promise.all([first, second]);
      expect([done.code, other.code], `${done.stderr}\n${other.stderr}`).toEqual([0, 0]);
      const statuses = new Map(
        runsOf(world)
          .slice(before)
          .map((r) => [r.AzureTenantId, r.RunStatus]),
      );
      expect(statuses).toEqual(new Map(ALL.map((t) => [t, 'Succeeded'])));
      const saved = JSON.parse(readFileSync(join(cwd, '.securescore', 'checkpoint.json'), 'utf8')).tenants;
      expect(Object.keys(saved).sort()).toEqual([...ALL].sort());
    } finally {
      world.ingestion.gate = undefined;
    }
  }, 120_000);

  it('row 9: null as the first item of the second snapshot page is quarantined with a warning, not an unexpected error', async () => {
    const cwd = tempDir('securescore-unit-');
    const saved = world.graph.data.secureScores.slice();
    world.graph.data.secureScores.splice(8, 0, null as never);
    try {
      const result = await runCli(['run', ...world.flags], world.env, { cwd });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/unexpected error/);
      expect(runsOf(world).at(-1)).toMatchObject({
        RunStatus: 'Succeeded',
        Warnings: expect.objectContaining({ 'snapshot-quarantined': 1 }),
      });
    } finally {
      world.graph.data.secureScores.splice(0, Infinity, ...saved);
    }
  });

  it('row 10: snapshots without an id are still read in chunks, never the whole window in one request', async () => {
    const cwd = tempDir('securescore-unit-');
    const saved = world.graph.data.secureScores.slice();
    world.graph.data.secureScores.splice(0, Infinity, ...saved.map(({ id: _id, ...rest }) => rest));
    const asked = world.graph.requests.length;
    try {
      const result = await runCli(['run', ...world.flags], world.env, { cwd });
      expect(result.code, result.stderr).toBe(0);
      const reads = world.graph.requests.slice(asked).filter((r) => r.includes('secureScores'));
      expect(reads).toEqual(['/v1.0/security/secureScores?$top=8', '/v1.0/security/secureScores?$top=23&$skip=8']);
      expect(countByType(world.ingestion.accepted.filter((r) => r.RunId === runsOf(world).at(-1)!.RunId)).DailyScore).toBe(30);
    } finally {
      world.graph.data.secureScores.splice(0, Infinity, ...saved);
    }
  });
});
