import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { useAzurite } from '../support/azurite.js';
import { startWorld, STREAM, tenantData, type World } from '../support/fixture.js';
import { startIngestionStandIn, type IngestionStandIn } from '../support/ingestion-stand-in.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OTHERS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
  '44444444-4444-4444-8444-444444444444',
];
/** A tenant with its own app registration and secret (named by clientSecretEnv). */
const OWN_APP_TENANT = '55555555-5555-4555-8555-555555555555';
const OWN_APP = {
  tenantId: OWN_APP_TENANT,
  clientId: '99999999-0000-4000-8000-000000000009',
  clientSecret: 'Fab~rikam.Own-App_Secret.0123456789abcd',
};
const ALL = [DEMO_TENANT_ID, ...OTHERS, OWN_APP_TENANT];
const FACTS_PER_TENANT = 2025;

/** Distinct facts (RecordIds) and ConnectorRun records per tenant. */
function perTenant(records: Array<Record<string, unknown>>): Map<string, { facts: Set<string>; runs: number; names: Set<unknown> }> {
  const result = new Map<string, { facts: Set<string>; runs: number; names: Set<unknown> }>();
  for (const r of records) {
    const entry = result.get(r.AzureTenantId as string) ?? { facts: new Set<string>(), runs: 0, names: new Set() };
    if (r.RecordType === 'ConnectorRun') entry.runs++;
    else entry.facts.add(r.RecordId as string);
    entry.names.add(r.TenantDisplayName);
    result.set(r.AzureTenantId as string, entry);
  }
  return result;
}

function tenantsFile(dir: string, entries: unknown[]): string {
  const path = join(dir, 'tenants.yaml');
  writeFileSync(path, `tenants:\n${entries.map((e) => `  - ${JSON.stringify(e)}`).join('\n')}\n`);
  return path;
}

describe('many tenants against the stand-ins', () => {
  let world: World;
  let second: IngestionStandIn;
  const SECOND_DCR = 'dcr-fedcba9876543210fedcba9876543210';

  beforeAll(async () => {
    world = await startWorld(undefined, { otherTenants: OTHERS, tenantApps: [OWN_APP] });
    for (const t of [...OTHERS, OWN_APP_TENANT]) world.graph.tenants.set(t, tenantData(t));
    second = await startIngestionStandIn({ dcrImmutableId: SECOND_DCR, streamName: STREAM });
  });
  afterAll(async () => {
    await world.close();
    await second.close();
  });
  afterEach(() => {
    world.ingestion.accepted.length = 0;
    second.accepted.length = 0;
    for (const t of ALL) world.graph.maxInFlight.delete(t);
  });

  it("reads every tenant with its own credential and destination, a few at a time, each within Graph's per-tenant limit", async () => {
    const cwd = tempDir('securescore-many-');
    const file = tenantsFile(cwd, [
      { tenantId: DEMO_TENANT_ID, displayName: 'Contoso (home)' },
      ...OTHERS.map((t, i) => ({ tenantId: t, displayName: `Customer ${i + 1}` })),
      {
        tenantId: OWN_APP_TENANT,
        displayName: 'Fabrikam',
        clientId: OWN_APP.clientId,
        clientSecretEnv: 'FABRIKAM_SECRET',
        ingestionEndpoint: second.url,
        dcrImmutableId: SECOND_DCR,
      },
    ]);
    const result = await runCli(
      ['run', ...world.flags, '--tenants', file, '--concurrency', '3'],
      { ...world.env, FABRIKAM_SECRET: OWN_APP.clientSecret },
      { cwd },
    );
    expect(result.code, result.stderr).toBe(0);
    const main = perTenant(world.ingestion.accepted);
    expect([...main.keys()].sort()).toEqual([DEMO_TENANT_ID, ...OTHERS].sort());
    for (const [tenant, got] of main) {
      expect(got.facts.size, tenant).toBe(FACTS_PER_TENANT);
      expect(got.runs, tenant).toBe(1);
      expect(got.names.size).toBe(1);
    }
    expect(main.get(OTHERS[2]!)!.names).toEqual(new Set(['Customer 3']));
    const own = perTenant(second.accepted);
    expect([...own.keys()]).toEqual([OWN_APP_TENANT]);
    expect(own.get(OWN_APP_TENANT)!.facts.size).toBe(FACTS_PER_TENANT);
    for (const t of ALL) expect(world.graph.maxInFlight.get(t), t).toBeLessThanOrEqual(4);
    expect(result.stderr).toMatch(/6 tenant\(s\)/);
    expect(result.stderr).not.toContain(OWN_APP.clientSecret);
  }, 60_000);

  it('keeps at most 8 requests open at once in the whole run, however many tenants and destinations', async () => {
    const cwd = tempDir('securescore-many-');
    const toSecond = { ingestionEndpoint: second.url, dcrImmutableId: SECOND_DCR };
    const file = tenantsFile(cwd, [
      ...[DEMO_TENANT_ID, OTHERS[0]!, OTHERS[1]!].map((tenantId) => ({ tenantId })),
      ...[OTHERS[2]!, OTHERS[3]!].map((tenantId) => ({ tenantId, ...toSecond })),
      { tenantId: OWN_APP_TENANT, clientId: OWN_APP.clientId, clientSecretEnv: 'FABRIKAM_SECRET', ...toSecond },
    ]);
    // Slow answers, so that every tenant has its requests open at the same time.
    world.ingestion.delayMs = 300;
    second.delayMs = 300;
    const spans = [world.ingestion.spans, second.spans];
    const marks = spans.map((s) => s.length);
    try {
      const result = await runCli(
        ['run', ...world.flags, '--tenants', file, '--concurrency', '6'],
        { ...world.env, FABRIKAM_SECRET: OWN_APP.clientSecret },
        { cwd },
      );
      expect(result.code, result.stderr).toBe(0);
    } finally {
      world.ingestion.delayMs = 0;
      second.delayMs = 0;
    }
    for (const [tenant, got] of [...perTenant(world.ingestion.accepted), ...perTenant(second.accepted)]) {
      expect(got.facts.size, tenant).toBe(FACTS_PER_TENANT);
    }
    const handled = spans.flatMap((s, i) => s.slice(marks[i]));
    const open = (at: number) => handled.filter((h) => h.start <= at && at < h.end).length;
    const peak = Math.max(...handled.map((h) => open(h.start)));
    // Six tenants at two requests each would be 12; each destination alone allowed 8.
    expect(peak).toBeGreaterThan(4);
    expect(peak).toBeLessThanOrEqual(8);
  }, 60_000);

  it('keeps going when one tenant fails, and the summary and exit code name it', async () => {
    const cwd = tempDir('securescore-many-');
    const broken = OTHERS[1]!;
    world.graph.tenants.set(broken, { ...tenantData(broken), failWith: 503 });
    const unknown = '66666666-6666-4666-8666-666666666666';
    try {
      const file = tenantsFile(
        cwd,
        [DEMO_TENANT_ID, broken, OTHERS[0]!].map((tenantId) => ({ tenantId })),
      );
      const failing = await runCli(['run', ...world.flags, '--tenants', file, '--max-retries', '1'], world.env, { cwd });
      expect(failing.code).toBe(1);
      expect(failing.stderr).toContain(`1 of 3 tenant(s) not fully delivered: ${broken} (Failed)`);
      expect(failing.stderr).toMatch(new RegExp(`tenant ${broken}: Failed`));
      const got = perTenant(world.ingestion.accepted);
      expect(got.get(DEMO_TENANT_ID)!.facts.size).toBe(FACTS_PER_TENANT);
      expect(got.get(OTHERS[0]!)!.facts.size).toBe(FACTS_PER_TENANT);
      expect(got.get(broken)).toEqual({ facts: new Set(), runs: 1, names: new Set([undefined]) });
      expect(world.ingestion.accepted.find((r) => r.AzureTenantId === broken)).toMatchObject({
        RunStatus: 'Failed',
        ErrorMessage: expect.stringContaining('HTTP 503'),
      });

      const cwd2 = tempDir('securescore-many-');
      const withUnknown = tenantsFile(cwd2, [{ tenantId: OTHERS[0]! }, { tenantId: unknown }]);
      const auth = await runCli(['run', ...world.flags, '--tenants', withUnknown], world.env, { cwd: cwd2 });
      expect(auth.code).toBe(2);
      expect(auth.stderr).toContain(`1 of 2 tenant(s) not fully delivered: ${unknown} (Failed)`);
      expect(auth.stderr).toContain('the authority does not know this tenant');
    } finally {
      world.graph.tenants.set(broken, tenantData(broken));
    }
  }, 60_000);

  it('splits the list between the pods of an Indexed Job by JOB_COMPLETION_INDEX, doing no tenant twice', async () => {
    const file = tenantsFile(
      tempDir('securescore-many-'),
      ALL.slice(0, 5).map((tenantId) => ({ tenantId })),
    );
    const runs = await Promise.all(
      [0, 1].map((index) =>
        runCli(
          ['run', ...world.flags, '--tenants', file, '--shard-count', '2'],
          { ...world.env, JOB_COMPLETION_INDEX: String(index) },
          { cwd: tempDir('securescore-pod-') },
        ),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs[0]!.stderr).toMatch(/3 tenant\(s\)/);
    expect(runs[1]!.stderr).toMatch(/2 tenant\(s\)/);
    const got = perTenant(world.ingestion.accepted);
    expect([...got.keys()].sort()).toEqual(ALL.slice(0, 5).sort());
    for (const [, t] of got) expect([t.facts.size, t.runs]).toEqual([FACTS_PER_TENANT, 1]);
  }, 60_000);

  it('refuses JOB_COMPLETION_INDEX without --shard-count', async () => {
    const result = await runCli(['run', ...world.flags], { ...world.env, JOB_COMPLETION_INDEX: '1' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "--shard-count: missing while JOB_COMPLETION_INDEX is set. Set it (or SECURESCORE_SHARD_COUNT) to the Indexed Job's completions",
    );
  });

  describe('two replicas of one job execution sharing blob state (Azurite)', () => {
    const azurite = useAzurite();

    it('do every tenant exactly once between them', async () => {
      const five = ALL.slice(0, 5);
      const file = tenantsFile(
        tempDir('securescore-many-'),
        five.map((tenantId) => ({ tenantId })),
      );
      const env = {
        ...world.env,
        AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString,
        CONTAINER_APP_JOB_EXECUTION_NAME: 'securescore-job-abc12',
      };
      const args = ['run', ...world.flags, '--tenants', file, '--concurrency', '2', '--state', azurite().blobUrl('state', 'replicas')];
      const replica = () => runCli(args, env, { cwd: tempDir('securescore-replica-') });
      /** Resolves when Graph is next asked for each of `tenants` (each is then held); fails if `run` ends first. */
      const reads = (tenants: string[]) => Promise.all(tenants.map((t) => world.graph.asked((r) => r.tenantId === t)));
      const holding = (reading: Promise<unknown>, run: Promise<CliResult>, which: string) =>
        Promise.race([
          reading,
          run.then((r) =>
            Promise.reject(new Error(`the ${which} replica ended (exit ${r.code}) before holding its tenants:\n${r.stderr}`)),
          ),
        ]);
      // On readiness signals, not timers: every upload waits at the gate, so a replica that has read a
      // tenant's Graph (after taking its lease) keeps it. The first holds the first two tenants when the
      // second starts; the second skips those and holds the next two before anything is let go, so both
      // replicas do work whatever the machine's speed, and the fifth goes to whichever is free first.
      let release: () => void = () => {};
      world.ingestion.gate = new Promise<void>((r) => (release = r));
      let runs: CliResult[];
      try {
        const firstReads = reads(five.slice(0, 2));
        const first = replica();
        await holding(firstReads, first, 'first');
        const secondReads = reads(five.slice(2, 4));
        const second = replica();
        await holding(secondReads, second, 'second');
        release();
        runs = await Promise.all([first, second]);
      } finally {
        release();
        world.ingestion.gate = undefined;
      }
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      const got = perTenant(world.ingestion.accepted);
      expect([...got.keys()].sort()).toEqual([...five].sort());
      for (const [tenant, t] of got) expect([tenant, t.facts.size, t.runs]).toEqual([tenant, FACTS_PER_TENANT, 1]);
      const runIds = new Set(world.ingestion.accepted.map((r) => r.RunId));
      expect(runIds.size).toBe(2); // both replicas did work
      const skipped = runs.map((r) => (r.stderr.match(/: Skipped/g) ?? []).length);
      expect(skipped[0]! + skipped[1]!).toBe(5);
      // Each left to the other the two tenants the other held when it looked.
      for (const t of five.slice(0, 2)) expect(runs[1]!.stderr).toContain(`tenant ${t}: Skipped`);
      for (const t of five.slice(2, 4)) expect(runs[0]!.stderr).toContain(`tenant ${t}: Skipped`);

      // A later execution does each tenant again (incrementally: only its ConnectorRun is new; the
      // current state goes again as the same facts).
      const before = new Set(world.ingestion.accepted.map((r) => r.RecordId));
      world.ingestion.accepted.length = 0;
      const next = await runCli(
        args,
        { ...env, CONTAINER_APP_JOB_EXECUTION_NAME: 'securescore-job-def34' },
        { cwd: tempDir('securescore-replica-') },
      );
      expect(next.code).toBe(0);
      const fresh = world.ingestion.accepted.filter((r) => !before.has(r.RecordId));
      expect(fresh.map((r) => r.RecordType)).toEqual(Array(5).fill('ConnectorRun'));
    }, 90_000);
  });
});
