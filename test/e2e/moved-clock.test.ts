import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawSecureScore } from '../../src/normalize/graph-types.js';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { startClockDriver, type ClockDriver } from '../support/clock-driver.js';
import { dayPlus } from '../support/clock.js';
import { startWorld, type World } from '../support/fixture.js';
import { tempDir } from '../support/temp.js';

const DAY_MS = 86_400_000;

/** Graph's next daily snapshot: the newest one copied to the next day, as a stalled-then-moving tenant would have it. */
function addSnapshot(world: World): string {
  const newest = world.graph.data.secureScores[0]!;
  const day = dayPlus(String(newest.createdDateTime).slice(0, 10), 1);
  const next: RawSecureScore = { ...newest, id: `${DEMO_TENANT_ID}_${day}`, createdDateTime: `${day}T00:00:00Z` };
  world.graph.data.secureScores.unshift(next);
  return day;
}

const newestDay = (world: World) => String(world.graph.data.secureScores[0]!.createdDateTime).slice(0, 10);
const dailyDays = (records: ReadonlyArray<Record<string, unknown>>) =>
  records.filter((r) => r.RecordType === 'DailyScore').map((r) => String(r.SnapshotDate).slice(0, 10));

/**
 * Time is an input: the connector run in-process by a driver whose clock each run sets, against the
 * stand-ins through the real SDKs. What to read is sized from what Graph has and what was delivered,
 * so a stalled Graph, a paused connector and a skewed host clock lose nothing and read a constant amount.
 */
describe('runs at moved clocks', () => {
  let world: World;
  let driver: ClockDriver;
  let state: string;
  beforeAll(() => {
    driver = startClockDriver();
  });
  afterAll(() => driver.close());
  beforeEach(async () => {
    world = await startWorld();
    state = join(tempDir('securescore-clock-'), 'checkpoint.json');
  });
  afterEach(async () => world.close());

  const args = (extra: Record<string, unknown> = {}) => ({
    authorityHost: world.entra.url,
    graphEndpoint: world.graph.url,
    ingestionEndpoint: world.ingestion.url,
    dcrImmutableId: world.flags[world.flags.indexOf('--dcr-immutable-id') + 1],
    retryBaseMs: 20,
    state,
    deadLetter: join(state, '..', 'dead-letter'),
    ...extra,
  });
  const at = (day: string, hour = 6) => new Date(Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000);
  /** Runs once; returns the run's secureScores requests and records accepted. */
  const runAt = async (now: Date, extra: Record<string, unknown> = {}) => {
    const asked = world.graph.requests.length;
    const sent = world.ingestion.accepted.length;
    const [outcome] = await driver.run(args(extra), world.env, now);
    return {
      outcome: outcome!,
      requests: world.graph.requests.slice(asked).filter((r) => r.includes('secureScores')),
      records: world.ingestion.accepted.slice(sent),
    };
  };

  it('reads the same two snapshots every day for 40 days when Graph stops producing them, sends no day again, and says so', async () => {
    const stalled = newestDay(world);
    const first = await runAt(at(dayPlus(stalled, 1)));
    expect(first.outcome.status).toBe('Succeeded');
    expect(dailyDays(first.records)).toHaveLength(30);
    const table: string[] = ['day | secureScores requests | records sent | no-new-snapshot warning'];
    for (let day = 1; day <= 40; day++) {
      const run = await runAt(at(dayPlus(stalled, 1 + day)));
      table.push(`+${day} | ${run.requests.join(' ')} | ${run.records.length} | ${run.outcome.warnings['no-new-snapshot'] ?? 0}`);
      expect(run.outcome.status).toBe('Succeeded');
      expect(run.requests).toEqual(['/v1.0/security/secureScores?$top=2']);
      expect(dailyDays(run.records)).toEqual([]);
      expect(run.records).toHaveLength(66);
      // Said once a run from the third day on: a day's snapshot is often still missing the next morning.
      expect(run.outcome.warnings['no-new-snapshot'] ?? 0).toBe(day + 1 >= 3 ? 1 : 0);
    }
    console.log(`Graph stalled at ${stalled}, one run a day:\n${table.join('\n')}`);
    expect(dailyDays(world.ingestion.accepted)).toHaveLength(30);
  }, 120_000);

  it.each([
    ['2 days behind', -2],
    ['3 days behind', -3],
    ['6 days behind', -6],
    ['2 days ahead', 2],
  ])('delivers every day once with the host clock %s of Graph', async (_, skewDays) => {
    const days = [newestDay(world)];
    await runAt(new Date(at(days[0]!).getTime() + skewDays * DAY_MS));
    for (let i = 0; i < 5; i++) {
      const day = addSnapshot(world);
      days.push(day);
      const run = await runAt(new Date(at(day).getTime() + skewDays * DAY_MS));
      expect(run.outcome.status).toBe('Succeeded');
      expect(dailyDays(run.records)).toEqual([day]);
    }
    const delivered = dailyDays(world.ingestion.accepted);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(days.every((d) => delivered.includes(d))).toBe(true);
  });

  it('sends each day of a 40-day pause once when it resumes, and none before the backfill', async () => {
    const start = newestDay(world);
    const first = await runAt(at(dayPlus(start, 1)));
    const backfill = dailyDays(first.records);
    const missed = Array.from({ length: 40 }, () => addSnapshot(world));
    const resumed = await runAt(at(dayPlus(start, 42)));
    expect(resumed.outcome.status).toBe('Succeeded');
    expect(dailyDays(resumed.records).sort()).toEqual(missed);
    const again = await runAt(at(dayPlus(start, 43)));
    expect(dailyDays(again.records)).toEqual([]);
    expect(dailyDays(world.ingestion.accepted).sort()).toEqual([...backfill, ...missed].sort());
  });

  it('sends older days only when asked: --days raised with --extend-backfill reaches back once', async () => {
    const now = at(dayPlus(newestDay(world), 1));
    const first = await runAt(now, { days: 30 });
    expect(dailyDays(first.records)).toHaveLength(30);
    const raised = await runAt(now, { days: 39 });
    expect(dailyDays(raised.records)).toEqual([]);
    const extended = await runAt(now, { days: 39, extendBackfill: true });
    // The demo keeps 40 days: the oldest is only the comparison of the one after it.
    expect(dailyDays(extended.records).sort()).toEqual(Array.from({ length: 9 }, (_, i) => dayPlus(newestDay(world), i - 38)));
    const after = await runAt(now, { days: 39, extendBackfill: true });
    expect(dailyDays(after.records)).toEqual([]);
  });
});
