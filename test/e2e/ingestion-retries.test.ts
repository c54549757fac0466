/**
 * One retry layer per Logs Ingestion request: the connector's, with the SDK's own retries off, so a
 * request is sent at most 1 + --max-retries times whatever the answer (it was up to 12 times in two
 * layers). A tenant of one control keeps its records in one request, so every attempt is counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { dayPlus, fixtureNewestDay } from '../support/clock.js';
import { startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';
import { TINY_PROFILES, tinySnapshot } from '../support/tiny-tenant.js';

const newest = fixtureNewestDay();
const snapshots = [newest, dayPlus(newest, -1)].map((day) =>
  tinySnapshot(day, { id: `${DEMO_TENANT_ID}_${day}`, azureTenantId: DEMO_TENANT_ID }),
);
/** 2 DailyScore, 2 ControlScore, 1 ControlState: one request; the ConnectorRun goes alone after it. */
const DATA_RECORDS = 5;

const attempts = (world: World) => world.ingestion.log.filter((line) => line.includes('/streams/'));

function deadLettered(cwd: string): number {
  const dir = join(cwd, 'dead-letter');
  return readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').trim().split('\n').length, 0);
}

describe('Logs Ingestion requests are retried in one layer, at most 1 + --max-retries times', () => {
  let world: World;
  let cwd: string;
  beforeEach(async () => {
    world = await startWorld({ secureScores: snapshots, profiles: TINY_PROFILES });
    cwd = tempDir('securescore-retries-');
  });
  afterEach(async () => world.close());

  const run = (...extra: string[]) => runCli(['run', ...world.flags, '--max-retries', '2', ...extra], world.env, { cwd });

  it('sends a request the service keeps failing (500) exactly 3 times, then keeps its records', async () => {
    world.ingestion.poison = (record) => record.RecordType !== 'ConnectorRun';
    const result = await run();
    expect(result.code).toBe(1);
    expect(attempts(world)).toEqual(['500', '500', '500', '204'].map((status) => expect.stringMatching(new RegExp(`^${status} `))));
    expect(deadLettered(cwd)).toBe(DATA_RECORDS);
    expect(world.ingestion.accepted.map((r) => r.RecordType)).toEqual(['ConnectorRun']);
  });

  it('delivers after two throttled answers without Retry-After (429), which the SDK alone never retried', async () => {
    world.ingestion.faults.add({ match: /streams/, status: 429 }, 2);
    const result = await run();
    expect(result.code).toBe(0);
    expect(world.ingestion.faults.served).toHaveLength(2);
    expect(world.ingestion.accepted).toHaveLength(DATA_RECORDS + 1);
  });

  it('sends again after a connection cut without an answer', async () => {
    world.ingestion.faults.add({ match: /streams/, kind: 'reset' });
    const result = await run();
    expect(result.code).toBe(0);
    expect(world.ingestion.faults.served).toEqual([expect.stringMatching(/^reset /)]);
    expect(world.ingestion.accepted).toHaveLength(DATA_RECORDS + 1);
  });

  it('does not wait again on an endpoint that took the request and never answered (its own time-out)', async () => {
    world.ingestion.faults.add({ match: /streams/, kind: 'hang' });
    const result = await run('--ingestion-timeout-seconds', '1');
    expect(result.code).toBe(1);
    // Sent again, the request would have been accepted: the records are kept instead, and the ConnectorRun went.
    expect(world.ingestion.faults.served).toHaveLength(1);
    expect(world.ingestion.accepted.map((r) => r.RecordType)).toEqual(['ConnectorRun']);
    expect(deadLettered(cwd)).toBe(DATA_RECORDS);
  });
});
