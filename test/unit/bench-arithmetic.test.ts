import { describe, expect, it } from 'vitest';
import { pageChunks } from '../support/odata-page.js';
import { targetValue } from '../../tools/bench/report.js';
import type { CaseResult, CaseSpec, RunFigures } from '../../tools/bench/run-case.js';
import { ratio, spreadOf } from '../../tools/bench/stats.js';
import { syntheticTenant } from '../../tools/bench/synthetic-tenant.js';

const SPEC: CaseSpec = { label: 'one', tenants: 1, controls: 5, days: 90, incremental: false, latencyMs: 0, concurrency: 4, repeats: 3 };

function run(figures: Partial<RunFigures>): RunFigures {
  return {
    exitCode: 0,
    signal: null,
    wallMs: 0,
    userMs: 0,
    systemMs: 0,
    peakRssMb: 0,
    atPeak: { heapTotalMb: 0, heapUsedMb: 0, arrayBuffersMb: 0, nativeMb: 0, fileMb: 0 },
    probed: true,
    stderrTail: '',
    cpuMs: 0,
    records: 0,
    graphRequests: 0,
    ingestionRequests: 0,
    ingestionGzipBytes: 0,
    ingestionJsonBytes: 0,
    standInCpuMs: 0,
    ...figures,
  };
}

const floor = (totalMs: number) => ({ parseMs: totalMs / 2, stringifyMs: totalMs / 4, gzipMs: totalMs / 4, totalMs });

describe('bench arithmetic', () => {
  it.each([
    [[3, 1, 2], { min: 1, median: 2, max: 3 }],
    [[4, 1, 3, 2], { min: 1, median: 2.5, max: 4 }],
    [[7], { min: 7, median: 7, max: 7 }],
    [[5, NaN, 1], { min: 1, median: 3, max: 5 }],
  ])('spreads %j as %j, leaving out repeats that measured nothing', (values, expected) => {
    expect(spreadOf(values)).toEqual(expected);
  });

  it('gives no spread and no ratio when nothing was measured', () => {
    expect(spreadOf([NaN])).toEqual({ min: NaN, median: NaN, max: NaN });
    expect([ratio(1, 0), ratio(NaN, 2), ratio(6, 3)]).toEqual([NaN, NaN, 2]);
  });

  it("divides each run's CPU by the median floor for the floor ratio", () => {
    const result: CaseResult = {
      spec: SPEC,
      runs: [run({ cpuMs: 900 }), run({ cpuMs: 1200 }), run({ cpuMs: 1500 })],
      floors: [floor(100), floor(300), floor(200)],
      problems: [],
    };
    expect(
      targetValue({ what: 'floor ratio', asked: 'issue 11', figure: { case: 'one', row: 'floor ratio (CPU / floor)' } }, [result]),
    ).toBe(6);
  });

  it('compares two cases by the ratio of their medians', () => {
    const none: CaseResult = {
      spec: SPEC,
      runs: [run({ wallMs: 2000 }), run({ wallMs: 4000 }), run({ wallMs: 3000 })],
      floors: [],
      problems: [],
    };
    const slow: CaseResult = { spec: { ...SPEC, label: 'slow' }, runs: [run({ wallMs: 7500 })], floors: [], problems: [] };
    const target = { what: 'latency', asked: 'issue 11', figure: { ratioOf: ['slow', 'one'] as const, row: 'wall s' } };
    expect(targetValue(target, [none, slow])).toBe(2.5);
  });

  it('streams a Graph page as exactly the JSON the whole page would stringify to', () => {
    const items = [{ id: 'a', n: 1 }, { id: 'b"', n: null }, { id: 'c' }];
    const collection = { total: items.length, itemAt: (i: number) => items[i], pageSize: 2 };
    const first = [...pageChunks(collection, { base: 'https://127.0.0.1:1', path: 'things', offset: 0, extraQuery: '$top=3&' })].join('');
    const last = [...pageChunks(collection, { base: 'https://127.0.0.1:1', path: 'things', offset: 2, extraQuery: '$top=3&' })].join('');
    expect(JSON.parse(first)).toEqual({
      '@odata.context': 'https://127.0.0.1:1/v1.0/$metadata#security/things',
      value: items.slice(0, 2),
      '@odata.nextLink': expect.stringMatching(/^https:\/\/127\.0\.0\.1:1\/v1\.0\/security\/things\?\$top=3&\$skiptoken=/),
    });
    expect(last).toBe(JSON.stringify({ '@odata.context': 'https://127.0.0.1:1/v1.0/$metadata#security/things', value: items.slice(2) }));
  });

  it("serves yesterday's snapshot unchanged after the synthetic tenant moves a day on", () => {
    const shape = { controls: 30, snapshots: 90, newest: new Date('2026-11-22T00:00:00Z') };
    const yesterday = syntheticTenant('t', shape);
    const today = syntheticTenant('t', { ...shape, newest: new Date('2026-11-23T00:00:00Z') });
    expect(today.secureScore(1)).toEqual(yesterday.secureScore(0));
    expect(today.secureScore(0).createdDateTime).toBe('2026-11-23T00:00:00Z');
    expect(today.secureScore(0)).not.toEqual({ ...yesterday.secureScore(0), createdDateTime: '2026-11-23T00:00:00Z' });
  });
});
