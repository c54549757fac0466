import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/http/budget.js';
import { runTenant } from '../../src/run/run-tenant.js';
import { NdjsonSink } from '../../src/sink/ndjson-sink.js';
import { DEMO_TENANT_ID, demoSource } from '../../src/source/demo-source.js';
import type { SnapshotSource } from '../../src/source/source.js';
import type { TenantCheckpoint } from '../../src/state/checkpoint.js';
import { tempDir } from '../support/temp.js';

const NOW = new Date('2026-11-05T06:00:00Z');
const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The demo tenant, noting when its profiles are asked for. */
function watchedSource(asked: string[]): SnapshotSource {
  const demo = demoSource(NOW);
  return {
    profiles: (signal) => (asked.push('profiles'), demo.profiles(signal)),
    snapshots: (window, signal, plan) => demo.snapshots(window, signal, plan),
  };
}

async function tenantWaitingBehind(checkpoint: TenantCheckpoint | undefined) {
  const budget = new Budget(20_000);
  // An earlier tenant holds the whole budget.
  const earlier = await budget.reserve(20_000, undefined, 0);
  const asked: string[] = [];
  const output = join(tempDir('securescore-profile-budget-'), 'records.ndjson');
  const run = runTenant({
    tenantId: DEMO_TENANT_ID,
    source: watchedSource(asked),
    sink: new NdjsonSink(output),
    days: 30,
    lock: { checkpoint, save: async () => {} },
    runId: 'run-1',
    now: () => NOW,
    budget,
    rank: 1,
  });
  await settled();
  const beforeRelease = [...asked];
  earlier();
  const outcome = await run;
  return { beforeRelease, outcome, budget, lines: readFileSync(output, 'utf8').split('\n').filter(Boolean).length };
}

describe("a tenant's profile read and the run's budget", () => {
  it('on a first run, waits for the budget before reading the profiles, so a backfill of many tenants holds a few sets of them', async () => {
    const { beforeRelease, outcome, budget, lines } = await tenantWaitingBehind(undefined);
    expect(beforeRelease).toEqual([]);
    expect(outcome.status).toBe('Succeeded');
    expect(lines).toBeGreaterThan(2000);
    expect(budget.held).toBe(0);
  });

  it('on an incremental run, reads the profiles at once: only its chunk waits', async () => {
    const checkpoint = {
      newestSnapshotDate: '2026-11-03T00:00:00.000Z',
      deliveredSnapshots: ['2026-11-02', '2026-11-03'],
      deliveredStateUpdates: [],
      updatedAt: '2026-11-04T06:00:00Z',
      runId: 'run-0',
    };
    const { beforeRelease, outcome, budget } = await tenantWaitingBehind(checkpoint);
    expect(beforeRelease).toEqual(['profiles']);
    expect(outcome.status).toBe('Succeeded');
    expect(budget.held).toBe(0);
  });
});
