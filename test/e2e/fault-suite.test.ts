/**
 * The delivery promise under faults: for each scenario the CLI runs against the stand-ins, then
 * (if it did not deliver everything) a clean run or a replay follows. Every scenario asserts
 * produced = delivered + dead-lettered, the exit code, that the run left no lock behind, and that
 * after dedupe by RecordId each fact is in the table exactly once. The table of outcomes is printed
 * at the end. (Endless nextLinks, with a healthy tenant beside the endless one, are in
 * unattended-run.test.ts.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DCR_ID, startWorld, type World } from '../support/fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const ALL_FACTS = 2025; // 30 DailyScore + 1926 ControlScore + 4 ControlStateUpdate + 65 ControlState (hand-computed in run.test.ts)
const SCORES = /secureScores/;
const PAGE = /skiptoken/;
const STREAM = /streams/;

interface Row {
  scenario: string;
  exit: number | null;
  produced: number;
  delivered: number;
  deadLettered: number;
  recovery: string;
  facts: number;
}
const rows: Row[] = [];

/** The kill times of the "random point" rows: seeded (FAULT_SEED to replay a failure), and the seed printed. */
const FAULT_SEED = Number(process.env.FAULT_SEED ?? 20261205);
console.log(`fault-suite: kill times seeded with FAULT_SEED=${FAULT_SEED}`);
const killAt = (() => {
  let a = FAULT_SEED;
  // mulberry32: small, seeded, good enough to spread kill times.
  return (spanMs: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * spanMs);
  };
})();

function deliveredCounts(stderr: string): { delivered: number; produced: number } {
  const match = /(\d+)\/(\d+) delivered/.exec(stderr);
  return { delivered: Number(match?.[1] ?? 0), produced: Number(match?.[2] ?? 0) };
}

function deadLetterFiles(cwd: string): string[] {
  const dir = join(cwd, 'dead-letter');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
}

/** Locks (and the folder of per-tenant locks) the run left in its state folder. */
function locksLeft(cwd: string): string[] {
  const dir = join(cwd, '.securescore');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.includes('lock')) : [];
}

function deadLetterLines(cwd: string): number {
  return deadLetterFiles(cwd).reduce((n, f) => n + readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).length, 0);
}

/** The identity of a fact, independent of RecordId: two RecordIds for one fact would be a duplicate. */
function factKey(r: Record<string, unknown>): string {
  switch (r.RecordType) {
    case 'DailyScore':
      return `D|${String(r.SnapshotId)}`;
    case 'ControlScore':
      return `C|${String(r.SnapshotId)}|${String(r.ControlName)}`;
    case 'ControlStateUpdate':
      return `S|${String(r.ControlName)}|${String(r.UpdatedDateTime)}|${String(r.State)}`;
    case 'ControlState':
      return `N|${String(r.SnapshotId)}|${String(r.ControlName)}|${String(r.State)}|${String(r.UpdatedDateTime)}`;
    default:
      return `R|${String(r.RunId)}`;
  }
}

/** After dedupe by RecordId: how many facts, and asserts none appears under two ids. */
function distinctFacts(world: World): number {
  const byId = new Map(world.ingestion.accepted.filter((r) => r.RecordType !== 'ConnectorRun').map((r) => [r.RecordId as string, r]));
  const ids = new Map<string, string>();
  for (const [id, r] of byId) {
    const key = factKey(r);
    expect(ids.get(key) ?? id, `fact ${key} arrived under two RecordIds`).toBe(id);
    ids.set(key, id);
  }
  return byId.size;
}

interface Scenario {
  name: string;
  setup?: (world: World) => void;
  args?: string[];
  env?: (world: World) => Record<string, string>;
  kill?: { signal: NodeJS.Signals; afterMs: number };
  exit: number | number[];
  /** What brings the table to completeness afterwards. */
  recover?: 'rerun' | 'replay' | 'none';
  /** The row's own checks of the first run, before any recovery. */
  check?: (first: CliResult, world: World, cwd: string) => void;
}

const connectorRuns = (world: World) => world.ingestion.accepted.filter((r) => r.RecordType === 'ConnectorRun');

const SCENARIOS: Scenario[] = [
  {
    name: 'Graph 429 with Retry-After',
    setup: (w) => w.graph.faults.add({ match: SCORES, status: 429, headers: { 'Retry-After': '1' } }),
    exit: 0,
  },
  { name: 'Graph 429 without Retry-After', setup: (w) => w.graph.faults.add({ match: SCORES, status: 429 }, 2), exit: 0 },
  {
    name: 'Graph 503 then 504',
    setup: (w) => w.graph.faults.add({ match: SCORES, status: 503 }).add({ match: PAGE, status: 504 }),
    exit: 0,
  },
  { name: 'Graph connection reset', setup: (w) => w.graph.faults.add({ match: PAGE, kind: 'reset' }), exit: 0 },
  {
    name: 'Graph time-out',
    setup: (w) => w.graph.faults.add({ match: SCORES, kind: 'hang' }),
    args: ['--request-timeout-seconds', '1'],
    exit: 0,
  },
  { name: 'Graph invalid JSON', setup: (w) => w.graph.faults.add({ match: PAGE, kind: 'invalid-json' }), exit: 0 },
  { name: 'Graph 206 with Warning', setup: (w) => w.graph.faults.add({ match: PAGE, kind: 'partial-content' }), exit: 0 },
  {
    name: 'Graph nextLink page fails mid-way',
    setup: (w) => w.graph.faults.add({ match: PAGE, status: 503 }, 3),
    args: ['--max-retries', '2'],
    exit: 1,
    recover: 'rerun',
  },
  {
    name: 'Graph 403 (no permission)',
    setup: (w) =>
      w.graph.faults.add({
        match: SCORES,
        status: 403,
        body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' } },
      }),
    exit: 2,
    recover: 'rerun',
  },
  { name: 'wrong client secret', env: (w) => ({ ...w.env, AZURE_CLIENT_SECRET: 'not-the-secret' }), exit: 2, recover: 'rerun' },
  {
    name: 'ingestion 429 with Retry-After',
    setup: (w) => w.ingestion.faults.add({ match: STREAM, status: 429, headers: { 'Retry-After': '1' } }),
    exit: 0,
  },
  { name: 'ingestion 429 without Retry-After', setup: (w) => w.ingestion.faults.add({ match: STREAM, status: 429 }, 2), exit: 0 },
  { name: 'ingestion 503', setup: (w) => w.ingestion.faults.add({ match: STREAM, status: 503 }, 2), exit: 0 },
  {
    name: 'ingestion 500 on one chunk after retries',
    setup: (w) => (w.ingestion.poison = (r) => r.ControlName === 'AdminMFAV2' && r.ChangeType === 'Decreased'),
    exit: 1,
    recover: 'replay',
  },
  { name: 'ingestion 403 (role missing)', setup: (w) => (w.ingestion.denyAll = true), exit: 1, recover: 'replay' },
  {
    name: 'SIGTERM while reading Graph',
    setup: (w) => (w.graph.delayMs = 400),
    kill: { signal: 'SIGTERM', afterMs: 900 },
    exit: 143,
    recover: 'rerun',
  },
  {
    name: 'SIGTERM while uploading',
    setup: (w) => (w.ingestion.delayMs = 500),
    kill: { signal: 'SIGTERM', afterMs: 1300 },
    exit: 143,
    recover: 'rerun',
  },
  {
    name: 'SIGINT at a random point',
    setup: (w) => {
      w.graph.delayMs = 100;
      w.ingestion.delayMs = 100;
    },
    kill: { signal: 'SIGINT', afterMs: 300 + killAt(1500) },
    exit: [0, 130],
    recover: 'rerun',
  },
  {
    name: 'SIGTERM at a random point',
    setup: (w) => {
      w.graph.delayMs = 100;
      w.ingestion.delayMs = 100;
    },
    kill: { signal: 'SIGTERM', afterMs: 300 + killAt(1500) },
    exit: [0, 143],
    recover: 'rerun',
  },
  // Safe to leave unattended: every wait ends and no input wedges the run.
  {
    name: 'ingestion reads and never answers',
    setup: (w) => w.ingestion.faults.add({ match: STREAM, kind: 'hang' }, 1000),
    args: ['--ingestion-timeout-seconds', '2'],
    exit: 1,
    recover: 'replay',
    // Every record kept, in the run's one dead letter.
    check: (_first, _world, cwd) => expect(deadLetterFiles(cwd)).toHaveLength(1),
  },
  {
    name: 'SIGTERM while an upload hangs',
    setup: (w) => w.ingestion.faults.add({ match: STREAM, kind: 'hang' }, 1000),
    args: ['--shutdown-grace-seconds', '2'],
    kill: { signal: 'SIGTERM', afterMs: 2500 },
    exit: 143,
    recover: 'replay',
    check: (first) => expect(first.stderr).toMatch(/SIGTERM received/),
  },
  {
    name: 'run deadline while reading Graph',
    setup: (w) => (w.graph.delayMs = 2000),
    args: ['--max-run-minutes', '0.1', '--shutdown-grace-seconds', '3'],
    exit: 1,
    recover: 'rerun',
    check: (first, world) => {
      expect(first.stderr).toMatch(/run deadline \(--max-run-minutes 0\.1\) is reached/);
      expect(connectorRuns(world)).toEqual([
        expect.objectContaining({ RunStatus: 'Interrupted', ErrorMessage: expect.stringMatching(/Interrupted: deadline/) }),
      ]);
    },
  },
];

describe('fault suite: nothing lost, nothing duplicated', () => {
  afterAll(() => {
    const header = ['scenario', 'exit', 'produced', 'delivered', 'dead-lettered', 'recovery', 'facts in table'];
    const lines = rows.map((r) => [
      r.scenario,
      String(r.exit),
      String(r.produced),
      String(r.delivered),
      String(r.deadLettered),
      r.recovery,
      `${r.facts}/${ALL_FACTS}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log(['', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n'));
  });

  it.each(SCENARIOS)(
    '$name',
    async (scenario) => {
      const world = await startWorld();
      const cwd = tempDir('securescore-fault-');
      try {
        scenario.setup?.(world);
        const env = scenario.env?.(world) ?? world.env;
        const first: CliResult = await runCli(['run', ...world.flags, ...(scenario.args ?? [])], env, { cwd, kill: scenario.kill });
        const expected = Array.isArray(scenario.exit) ? scenario.exit : [scenario.exit];
        expect(expected, first.stderr).toContain(first.code);
        const { produced, delivered } = deliveredCounts(first.stderr);
        const deadLettered = deadLetterLines(cwd);
        // The promise: what was produced was either accepted or dead-lettered.
        expect(delivered + deadLettered).toBe(produced);
        // However it ended (a hang, a signal, the deadline), the run released what it held.
        expect(locksLeft(cwd), first.stderr).toEqual([]);
        scenario.check?.(first, world, cwd);

        world.graph.delayMs = 0;
        world.ingestion.delayMs = 0;
        world.ingestion.denyAll = false;
        world.ingestion.poison = undefined;
        world.ingestion.faults.clear();
        world.graph.faults.clear();
        let recovery = 'none needed';
        if (scenario.recover === 'replay') {
          for (const file of deadLetterFiles(cwd)) {
            const replay = await runCli(
              [
                'replay',
                file,
                '--authority-host',
                world.entra.url,
                '--ingestion-endpoint',
                world.ingestion.url,
                '--dcr-immutable-id',
                DCR_ID,
              ],
              world.env,
              { cwd },
            );
            expect(replay.code, replay.stderr).toBe(0);
            expect(existsSync(file)).toBe(false);
          }
          recovery = 'replay';
        }
        if (scenario.recover === 'rerun' || scenario.recover === 'replay') {
          const again = await runCli(['run', ...world.flags], world.env, { cwd });
          expect(again.code, again.stderr).toBe(0);
          recovery = recovery === 'replay' ? 'replay + next run' : 'next run';
        }
        const facts = distinctFacts(world);
        expect(facts).toBe(ALL_FACTS);
        expect(world.ingestion.violations).toEqual([]);
        rows.push({ scenario: scenario.name, exit: first.code, produced, delivered, deadLettered, recovery, facts });
      } finally {
        await world.close();
      }
    },
    60_000,
  );
});
