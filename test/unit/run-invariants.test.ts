import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../src/http/retry-policy.js';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { mapWithLimit } from '../../src/run/pool.js';
import { runTenant, type TenantOutcome } from '../../src/run/run-tenant.js';
import type { TableRecord } from '../../src/schema/records.js';
import type { RecordSink, Upload, UploadOptions, UploadResult } from '../../src/sink/sink.js';
import type { GraphConnection } from '../../src/source/graph-client.js';
import { fetchControlProfiles, secureScoreChunks } from '../../src/source/collections.js';
import type { SnapshotSource } from '../../src/source/source.js';
import { readWindow, type TenantCheckpoint } from '../../src/state/checkpoint.js';

// The run's promises as invariants, checked on generated tenant histories (days appearing on time,
// late, or not for a while), host clocks days off Graph's, and ingestion answers (accepted, refused for
// good, refused for now) request by request. What runs is the product's own reader (the chunked
// secureScores read and its stop), normalizer, checkpoint reducer and tenant unit; only Graph's wire
// and the ingestion endpoint are models here, so thousands of cases take seconds (the e2e tests run the
// same paths through the SDKs against the stand-ins). Replay a failure with FC_SEED=<seed printed below>.

const seed = Number(process.env.FC_SEED ?? 20261205);
const numRuns = Number(process.env.FC_RUNS ?? 150);
beforeAll(() => console.log(`run-invariants: fast-check seed ${seed} (FC_SEED=${seed} to replay), ${numRuns} runs`));

const TENANT = '7a7a7a7a-0000-4000-8000-000000000001';
const DAY_MS = 86_400_000;
const CONTROLS = ['AdminMFAV2', 'DLPEnabled', 'MDE_TamperProtection'];
const EPOCH = Date.parse('2026-06-01T00:00:00Z');
const dayOf = (n: number) => new Date(EPOCH + n * DAY_MS).toISOString().slice(0, 10);

const PROFILES: RawControlProfile[] = CONTROLS.map((id, i) => ({
  id,
  azureTenantId: TENANT,
  controlCategory: 'Identity',
  maxScore: 10,
  rank: i + 1,
  title: id,
  controlStateUpdates: [],
}));

function snapshotOf(day: number): RawSecureScore {
  const scores = CONTROLS.map((name, i) => ({ controlName: name, controlCategory: 'Identity', score: (day * (i + 1)) % 11 }));
  return {
    id: `${TENANT}_${dayOf(day)}`,
    azureTenantId: TENANT,
    createdDateTime: `${dayOf(day)}T00:00:00Z`,
    currentScore: scores.reduce((s, c) => s + c.score, 0),
    maxScore: 30,
    activeUserCount: 10,
    licensedUserCount: 10,
    controlScores: scores,
  };
}

/** Graph's secureScores on the wire: newest first, `$top` and `$skip`, the newest 90 kept. */
class ModelGraph implements GraphConnection {
  readonly baseUrl = 'https://graph.invalid/v1.0';
  /** Day numbers Graph holds now. */
  days: number[] = [];
  requests: string[] = [];

  async get(url: string): Promise<Response> {
    const u = new URL(url);
    this.requests.push(`${u.pathname}${u.search}`);
    if (u.pathname.endsWith('/secureScoreControlProfiles')) return json({ value: PROFILES });
    const held = [...this.days].sort((a, b) => b - a).slice(0, 90);
    const top = Number(u.searchParams.get('$top') ?? 1);
    const skip = Number(u.searchParams.get('$skip') ?? 0);
    return json({ value: held.slice(skip, skip + top).map(snapshotOf) });
  }
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

type Fate = 'accept' | 'forGood' | 'forNow';

/** The ingestion endpoint: each write is one request, answered by `fate` in turn. */
class ModelSink implements RecordSink {
  readonly description = 'model';
  readonly stats = { requests: 0, bytes: 0 };
  accepted: TableRecord[] = [];
  deadLettered: TableRecord[] = [];
  /** Records refused for good (a dead letter replay would meet the same answer). */
  refusedForGood: TableRecord[] = [];
  fate: () => Fate = () => 'accept';

  upload(options: UploadOptions = {}): Upload {
    const result = { accepted: 0, rejected: 0, problems: [] as string[], trimmed: [] as string[] };
    return {
      write: async (records) => {
        if (records.length === 0) return;
        this.stats.requests++;
        const fate = this.fate();
        if (fate === 'accept') {
          this.accepted.push(...records);
          result.accepted += records.length;
          options.onSent?.(records.length, records.length);
          return;
        }
        result.rejected += records.length;
        if (fate === 'forGood') this.refusedForGood.push(...records);
        result.problems = [`Logs Ingestion: refused (${fate})`];
        options.onSent?.(records.length, 0);
        await options.onRefused?.([...records], fate === 'forGood');
      },
      flush: async () => {},
      end: async (): Promise<UploadResult> => result,
    };
  }

  async close(): Promise<void> {}
}

/** One tenant's history: which day appears in Graph at which step. */
interface Scenario {
  /** Days Graph holds before the first run (0 … history-1). */
  readonly history: number;
  readonly backfillDays: number;
  /** Per later step: days added to Graph (0 = Graph stalls), whether one of them is a day that was missing and shows up late, the host clock's skew in hours, and the ingestion's mood. */
  readonly steps: ReadonlyArray<{
    readonly added: number;
    readonly late: boolean;
    readonly skewHours: number;
    readonly faults: readonly Fate[];
  }>;
}

const fate = fc.constantFrom<Fate>('accept', 'accept', 'accept', 'forGood', 'forNow');
const scenario: fc.Arbitrary<Scenario> = fc.record({
  history: fc.integer({ min: 1, max: 45 }),
  backfillDays: fc.integer({ min: 1, max: 40 }),
  steps: fc.array(
    fc.record({
      added: fc.integer({ min: 0, max: 3 }),
      late: fc.boolean(),
      skewHours: fc.integer({ min: -6 * 24, max: 6 * 24 }),
      faults: fc.array(fate, { minLength: 0, maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

interface Played {
  readonly outcomes: TenantOutcome[];
  readonly sink: ModelSink;
  readonly graph: ModelGraph;
  readonly checkpoint: TenantCheckpoint | undefined;
  /** Per run: whether Graph had a day the checkpoint did not, and the secureScores requests it made. */
  readonly reads: Array<{ newer: boolean; open: boolean; requests: string[] }>;
}

/** Plays a scenario run by run (then once more with every request accepted), the clock skewed as it says unless `noSkew`. */
async function play(s: Scenario, noSkew = false): Promise<Played> {
  const graph = new ModelGraph();
  const sink = new ModelSink();
  graph.days = Array.from({ length: s.history }, (_, i) => i);
  let next = s.history;
  const missing: number[] = [];
  let checkpoint: TenantCheckpoint | undefined;
  const outcomes: TenantOutcome[] = [];
  const reads: Played['reads'] = [];
  const source: SnapshotSource = {
    profiles: (signal) => fetchControlProfiles(graph, { policy: DEFAULT_RETRY_POLICY, stats: { requests: 0, retries: 0 }, signal }),
    snapshots: (window, signal, plan) =>
      secureScoreChunks(graph, window, { policy: DEFAULT_RETRY_POLICY, stats: { requests: 0, retries: 0 }, signal }, plan),
  };
  const steps = [
    { added: 0, late: false, skewHours: 0, faults: [] as Fate[] },
    ...s.steps,
    { added: 0, late: false, skewHours: 0, faults: [] },
  ];
  for (const [i, step] of steps.entries()) {
    for (let k = 0; k < step.added; k++) {
      // A day may skip Graph for a while and show up later (a late snapshot).
      if (step.late && k === 0 && step.added > 1) missing.push(next++);
      else graph.days.push(next++);
    }
    if (step.late && missing.length > 0 && step.added <= 1) graph.days.push(missing.shift()!);
    if (i === steps.length - 1) graph.days.push(...missing.splice(0));
    const faults = [...step.faults];
    sink.fate = () => faults.shift() ?? 'accept';
    const newest = Math.max(...graph.days);
    const now = new Date(EPOCH + newest * DAY_MS + 6 * 3_600_000 + (noSkew ? 0 : step.skewHours * 3_600_000));
    const asked = graph.requests.length;
    const window = readWindow(checkpoint, s.backfillDays);
    const newer = !checkpoint?.newestSnapshotDate || dayOf(newest) > checkpoint.newestSnapshotDate.slice(0, 10);
    const outcome = await runTenant({
      tenantId: TENANT,
      source,
      sink,
      days: s.backfillDays,
      lock: { checkpoint, save: async (cp) => void (checkpoint = cp) },
      runId: `run-${i}`,
      now: () => now,
      deadLetter: () => ({ location: 'model', append: async (records) => void sink.deadLettered.push(...records) }),
    });
    outcomes.push(outcome);
    reads.push({
      newer,
      open: window.stopAt !== undefined && window.stopAt < (checkpoint?.newestSnapshotDate ?? '').slice(0, 10),
      requests: graph.requests.slice(asked).filter((r) => r.includes('secureScores')),
    });
  }
  return { outcomes, sink, graph, checkpoint, reads };
}

const dailyDays = (records: readonly TableRecord[]) =>
  records.filter((r) => r.RecordType === 'DailyScore').map((r) => String(r.SnapshotDate).slice(0, 10));

describe('the run holds its promises on generated tenants, clocks and ingestion answers', () => {
  it(`produced = delivered + dead-lettered, and each ConnectorRun says the status reported (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { outcomes, sink } = await play(s);
        const runs = [...sink.accepted, ...sink.deadLettered].filter((r) => r.RecordType === 'ConnectorRun');
        for (const [i, o] of outcomes.entries()) {
          expect(o.produced).toBe(o.delivered + o.rejectedCount);
          expect(o.deadLettered).toBe(o.rejectedCount);
          const run = runs.find((r) => r.RunId === `run-${i}`);
          expect(run?.RunStatus).toBe(o.status);
        }
        const produced = outcomes.reduce((n, o) => n + o.produced, 0);
        expect(sink.accepted.length + sink.deadLettered.length).toBe(produced);
      }),
      { seed, numRuns },
    );
  });

  it(`every Graph day from the backfill's floor on is delivered once, none before it, whatever the clock (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const skewed = await play(s);
        const delivered = dailyDays(skewed.sink.accepted);
        // At most once in the table.
        expect(new Set(delivered).size).toBe(delivered.length);
        const floor = skewed.checkpoint?.floorDay;
        expect(floor).toBeDefined();
        // None before the floor, ever.
        expect(delivered.filter((d) => d < floor!)).toEqual([]);
        // After a clean last run, every day Graph holds from the floor on is in the table or, refused
        // for good, in a dead letter.
        const settled = new Set([...delivered, ...dailyDays(skewed.sink.refusedForGood)]);
        const expected = skewed.graph.days.map(dayOf).filter((d) => d >= floor!);
        expect(expected.filter((d) => !settled.has(d))).toEqual([]);
        // The host's clock changes nothing that is sent.
        const straight = await play(s, true);
        expect(new Set(dailyDays(straight.sink.accepted))).toEqual(new Set(delivered));
      }),
      { seed, numRuns },
    );
  });

  it(`a run with nothing new in Graph and no gap reads one request of two snapshots, however long Graph stalls (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { reads, outcomes } = await play(s);
        reads.forEach((read, i) => {
          if (i === 0 || read.newer || read.open || outcomes[i - 1]!.status === 'Failed') return;
          expect(read.requests).toEqual(['/v1.0/security/secureScores?$top=2']);
        });
      }),
      { seed, numRuns },
    );
  });

  it(`the pool settles every tenant before it returns or throws: nothing closes under work still going (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ms: fc.integer({ min: 0, max: 5 }), throws: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (tenants, limit) => {
          let running = 0;
          const finished: number[] = [];
          const work = async (t: { ms: number; throws: boolean }, i: number) => {
            running++;
            await new Promise((r) => setTimeout(r, t.ms));
            running--;
            finished.push(i);
            if (t.throws) throw new Error(`tenant ${i}`);
            return i;
          };
          const settled = await mapWithLimit(tenants, limit, work).then(
            () => 'ok',
            () => 'threw',
          );
          expect(running).toBe(0);
          expect(settled).toBe(tenants.some((t) => t.throws) ? 'threw' : 'ok');
          if (settled === 'ok') expect(finished.sort((a, b) => a - b)).toEqual(tenants.map((_, i) => i));
        },
      ),
      { seed, numRuns },
    );
  });
});
