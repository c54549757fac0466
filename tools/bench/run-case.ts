import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedPageChunks } from '../../test/support/graph-stand-in.js';
import { measureFloor, type FloorMeasure } from './floor.js';
import { measureChild, type ChildMeasure } from './measure-child.js';
import { syntheticTenant } from './synthetic-tenant.js';
import { startBenchWorld, type BenchWorld } from './world.js';

/** The built CLI, as `npm` installs it (`bin`). */
export const CLI_PATH = fileURLToPath(new URL('../../../dist/cli/index.js', import.meta.url));

/** One measured configuration of the connector. */
export interface CaseSpec {
  readonly label: string;
  readonly tenants: number;
  readonly controls: number;
  /** `--days`: the backfill of a first run. */
  readonly days: number;
  /** A daily run over the checkpoint of yesterday's run, instead of a first run. */
  readonly incremental: boolean;
  /** Added to every Graph answer. */
  readonly latencyMs: number;
  /** `--concurrency`, for more than one tenant. */
  readonly concurrency: number;
  readonly repeats: number;
}

/** The figures of one run of the CLI. */
export interface RunFigures extends ChildMeasure {
  readonly cpuMs: number;
  readonly records: number;
  readonly graphRequests: number;
  readonly ingestionRequests: number;
  readonly ingestionGzipBytes: number;
  readonly ingestionJsonBytes: number;
  /** CPU of this (the stand-ins') process while the CLI ran: if it nears a core, the stand-ins limit the wall time. */
  readonly standInCpuMs: number;
}

/** Every run of a case, and its floor timed as often. */
export interface CaseResult {
  readonly spec: CaseSpec;
  readonly runs: RunFigures[];
  /** Empty when the floor was not timed (a run failed: its records are not all there). */
  readonly floors: FloorMeasure[];
  /** A line per run that did not exit 0. */
  readonly problems: string[];
}

/** Graph keeps 90 daily snapshots; the synthetic tenants hold as many. */
const GRAPH_SNAPSHOTS = 90;
const DAY_MS = 86_400_000;

function utcMidnight(daysAgo: number): Date {
  return new Date((Math.floor(Date.now() / DAY_MS) - daysAgo) * DAY_MS);
}

/** Runs the CLI once, measured, and reads what the stand-ins saw of it. */
async function measuredRun(world: BenchWorld, args: string[], cwd: string): Promise<RunFigures> {
  const graphBefore = world.graph.requests.length;
  const ingestionBefore = world.ingestion.log.length;
  const received = { ...world.ingestion.received };
  const cpuBefore = process.cpuUsage();
  const child = await measureChild([CLI_PATH, ...args], world.env, { cwd, probeFile: join(cwd, 'probe.json') });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ...child,
    cpuMs: child.userMs + child.systemMs,
    records: world.ingestion.received.records - received.records,
    graphRequests: world.graph.requests.length - graphBefore,
    ingestionRequests: world.ingestion.log.length - ingestionBefore,
    ingestionGzipBytes: world.ingestion.received.gzipBytes - received.gzipBytes,
    ingestionJsonBytes: world.ingestion.received.jsonBytes - received.jsonBytes,
    standInCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Why a run did not end well, from the end of its stderr; undefined when it exited 0. */
function problemOf(what: string, run: ChildMeasure): string | undefined {
  if (run.exitCode === 0) return undefined;
  const how = run.signal ? `was killed by ${run.signal}` : `exited ${run.exitCode}`;
  // The last lines that are not stack frames: an unexpected error's message, or the summary and its problems.
  const message = run.stderrTail
    .trim()
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .slice(-3)
    .map((line) => line.trim().slice(0, 300))
    .join(' | ');
  const peak = run.probed ? '' : ' before its exit handler ran (peak RSS is the last sampled)';
  return `${what} ${how}${peak}: ${message}`;
}

/** Times the floor `times` times over the given Graph pages (made again from the tenants) and ingestion bodies. */
function timeFloor(world: BenchWorld, pages: ReadonlyArray<{ tenantId: string; url: string }>, bodies: readonly Buffer[], times: number) {
  const floors: FloorMeasure[] = [];
  for (let i = 0; i < times; i++) {
    // Garbage left by earlier work would otherwise be collected, and charged, inside the floor.
    globalThis.gc?.();
    const texts = pages.map(({ tenantId, url }) => generatedPageChunks(syntheticTenant(tenantId, world.shape), world.graph.url, url));
    floors.push(measureFloor(texts, bodies));
  }
  return floors;
}

/** What the cases of one bench run share: a folder, removed at the end, and the checkpoints made there. */
export interface BenchSession {
  readonly dir: string;
  /** Yesterday's checkpoint file per tenant count and size (tenant ids are the same in every world). */
  readonly checkpoints: Map<string, string>;
}

/**
 * The checkpoint a daily run starts from: what a run yesterday left, made once per tenant count and
 * size by a warm-up run (`--days 1`: state updates are sent whatever the days) against the tenants
 * as they were yesterday. Leaves the world at today.
 */
async function yesterdaysCheckpoint(
  world: BenchWorld,
  spec: CaseSpec,
  run: { args: readonly string[]; cwd: string; state: string },
  session: BenchSession,
): Promise<{ path: string } | { problem: string }> {
  const key = `${spec.tenants}x${spec.controls}`;
  const today = world.shape.newest;
  let path = session.checkpoints.get(key);
  if (!path) {
    world.shape = { ...world.shape, newest: utcMidnight(1) };
    const warmUp = await measuredRun(world, [...run.args, '--days', '1'], run.cwd);
    world.shape = { ...world.shape, newest: today };
    const problem = problemOf('the warm-up run (yesterday)', warmUp);
    if (problem) return { problem };
    path = join(session.dir, `yesterday-${key}.json`);
    copyFileSync(run.state, path);
    session.checkpoints.set(key, path);
  }
  return { path };
}

/**
 * Measures one case: the built CLI as a child process against stand-ins in this process, `repeats`
 * times from the same starting state (no checkpoint for a backfill; yesterday's checkpoint, made by
 * a warm-up run before the tenants moved a day on, for an incremental run). The floor is timed
 * afterwards, as many times, on the Graph pages and ingestion requests of the first repeat.
 */
export async function runCase(spec: CaseSpec, session: BenchSession): Promise<CaseResult> {
  const world = await startBenchWorld(spec.tenants, { controls: spec.controls, snapshots: GRAPH_SNAPSHOTS, newest: utcMidnight(0) });
  const dir = mkdtempSync(join(tmpdir(), 'securescore-bench-'));
  try {
    const state = join(dir, 'state.json');
    const args = ['run', ...world.flags, '--state', state, '--dead-letter', join(dir, 'dead-letter')];
    if (spec.tenants > 1) {
      const file = join(dir, 'tenants.json');
      writeFileSync(file, JSON.stringify(world.tenantIds.map((tenantId, i) => ({ tenantId, displayName: `Bench tenant ${i + 1}` }))));
      args.push('--tenants', file, '--concurrency', String(spec.concurrency));
    }
    const yesterday = spec.incremental ? await yesterdaysCheckpoint(world, spec, { args, cwd: dir, state }, session) : undefined;
    if (yesterday && 'problem' in yesterday) return { spec, runs: [], floors: [], problems: [yesterday.problem] };
    world.graph.delayMs = spec.latencyMs;
    const runs: RunFigures[] = [];
    const problems: string[] = [];
    const bodies: Buffer[] = [];
    let firstRunPages: Array<{ tenantId: string; url: string }> = [];
    for (let repeat = 0; repeat < spec.repeats; repeat++) {
      if (yesterday) copyFileSync(yesterday.path, state);
      else rmSync(state, { force: true });
      world.graph.served.length = 0;
      world.ingestion.onAccepted = repeat === 0 ? (body) => bodies.push(body) : undefined;
      const run = await measuredRun(world, [...args, '--days', String(spec.days)], dir);
      runs.push(run);
      const problem = problemOf(`run ${repeat + 1}`, run);
      if (problem) problems.push(problem);
      if (repeat === 0) firstRunPages = [...world.graph.served];
    }
    world.ingestion.onAccepted = undefined;
    world.graph.served.length = 0;
    const floors = problems.length === 0 ? timeFloor(world, firstRunPages, bodies, spec.repeats) : [];
    return { spec, runs, floors, problems };
  } finally {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
