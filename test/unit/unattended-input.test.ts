import { describe, expect, it } from 'vitest';
import type { RawSecureScore } from '../../src/normalize/graph-types.js';
import { TenantNormalizer } from '../../src/normalize/tenant.js';
import { normalizeTenant } from '../support/normalize-tenant.js';
import { Warnings } from '../../src/normalize/warnings.js';
import type { TableRecord } from '../../src/schema/records.js';
import { MAX_RECORD_BYTES } from '../../src/limits.js';
import { fitRecord } from '../../src/sink/fit-record.js';
import { advanceCheckpoint, isDeliveredBy, readWindow } from '../../src/state/checkpoint.js';
import { normalizeTiny, TINY_PROFILES, TINY_TENANT, tinySnapshot } from '../support/tiny-tenant.js';

const TENANT = TINY_TENANT;
const NOW = '2026-11-22T06:00:00.000Z';
const PROFILES = TINY_PROFILES;

const snapshot = tinySnapshot;

const normalize = (secureScores: RawSecureScore[], profiles = PROFILES) => normalizeTiny(NOW, secureScores, profiles);

const daily = (records: TableRecord[]) => records.filter((r) => r.RecordType === 'DailyScore').map((r) => r.SnapshotDate);

describe('input that must not poison the run or its state', () => {
  it('quarantines a snapshot dated in the future, so it can never move the checkpoint (row 1)', () => {
    const { records, warnings } = normalize([snapshot('2099-01-01T00:00:00Z'), snapshot('2026-11-21T00:00:00Z')]);
    expect(daily(records)).toEqual(['2026-11-21T00:00:00.000Z']);
    expect(warnings.counts['snapshot-in-future']).toBe(1);
  });

  it.each([
    ['another tenant', '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b'],
    ['an injection attempt', "x') or true //"],
  ])('labels records with the tenant read when the payload names %s, and warns once (row 16)', (_name, claimed) => {
    const { records, warnings } = normalize([
      snapshot('2026-11-21T00:00:00Z', { azureTenantId: claimed }),
      snapshot('2026-11-20T00:00:00Z', { azureTenantId: claimed }),
    ]);
    expect(new Set(records.map((r) => r.AzureTenantId))).toEqual(new Set([TENANT]));
    expect(warnings.counts['tenant-mismatch']).toBe(1);
  });

  it('reads timestamps without a zone as UTC, so every host gives the same RecordIds (row 17)', () => {
    const zoneless = normalize([snapshot('2026-11-21T00:00:00')]);
    const utc = normalize([snapshot('2026-11-21T00:00:00Z')]);
    expect(daily(zoneless.records)).toEqual(['2026-11-21T00:00:00.000Z']);
    expect(zoneless.records.map((r) => r.RecordId)).toEqual(utc.records.map((r) => r.RecordId));
    expect(zoneless.warnings.counts['date-without-zone']).toBe(1);
  });

  it('gives the same records in chunks as in one piece, holding at most two snapshots', () => {
    const days = Array.from({ length: 10 }, (_, i) => snapshot(`2026-11-${String(21 - i).padStart(2, '0')}T00:00:00Z`));
    const whole = normalize(days).records.map((r) => r.RecordId);
    const normalizer = new TenantNormalizer(
      PROFILES,
      { snapshotCount: 90 },
      { now: NOW, runId: 'r', tenantId: TENANT, warnings: new Warnings() },
    );
    const pieces = [days.slice(0, 2), days.slice(2, 3), days.slice(3)].flatMap((chunk) => [...normalizer.push(chunk)]);
    const streamed = [...pieces, ...normalizer.finish()].flatMap((b) => b.records.map((r) => r.RecordId));
    expect(streamed).toEqual(whole);
  });
});

describe('a snapshot that shows up late (row 13)', () => {
  const at = (iso: string) => ({ runId: 'r', at: iso });
  it('reads back to the oldest gap among the delivered days', () => {
    const delivered = advanceCheckpoint(
      undefined,
      { days: ['2026-11-18', '2026-11-20', '2026-11-21'], snapshotDates: ['2026-11-21T00:00:00.000Z'], stateUpdateIds: [] },
      at(NOW),
    );
    // The 19th is missing: read back to the 18th (its comparison), not only to the 21st.
    expect(readWindow(delivered, 30)).toEqual({ max: 90, stopAt: '2026-11-18' });
    const filled = advanceCheckpoint(delivered, { days: ['2026-11-19'], snapshotDates: [], stateUpdateIds: [] }, at(NOW));
    expect(readWindow(filled, 30)).toEqual({ max: 90, stopAt: '2026-11-21' });
  });

  it('emits a day the checkpoint does not hold, even when it is older than the newest delivered one', () => {
    const warnings = new Warnings();
    const { records } = normalizeTenant(
      { secureScores: ['21', '20', '19', '18'].map((d) => snapshot(`2026-11-${d}T00:00:00Z`)), profiles: PROFILES },
      { snapshotCount: Infinity, isDelivered: (day) => ['2026-11-21', '2026-11-20', '2026-11-18'].includes(day) },
      { now: NOW, runId: 'r', tenantId: TENANT, warnings },
    );
    expect(daily(records)).toEqual(['2026-11-19T00:00:00.000Z']);
  });

  it('after a first run, never emits the oldest day read: compared with nothing, every control would look New', () => {
    // A one-day backfill delivered the 21st; the next day Graph has the 22nd, the 21st and the 20th.
    const { records } = normalizeTenant(
      { secureScores: ['22', '21', '20'].map((d) => snapshot(`2026-11-${d}T00:00:00Z`)), profiles: PROFILES },
      { snapshotCount: Infinity, isDelivered: (day) => day === '2026-11-21', incremental: true },
      { now: NOW, runId: 'r', tenantId: TENANT, warnings: new Warnings() },
    );
    expect(daily(records)).toEqual(['2026-11-22T00:00:00.000Z']);
    expect(records.filter((r) => r.RecordType === 'ControlScore').map((r) => r.ChangeType)).toEqual(['Unchanged']);
  });

  it("never sends again a delivered day the checkpoint forgot once it left Graph's 90 days", () => {
    const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 9, 6 + i)).toISOString().slice(0, 10));
    const backfill = advanceCheckpoint(
      undefined,
      { days, snapshotDates: [`${days.at(-1)}T00:00:00.000Z`], stateUpdateIds: [], oldestSentDay: days[0] },
      at(NOW),
    );
    // 100 days later Graph's newest moved on: the days before its 90 are forgotten, and the floor rises past them.
    const newest = new Date(Date.parse(`${days.at(-1)}T00:00:00Z`) + 100 * 86_400_000).toISOString();
    const next = advanceCheckpoint(
      backfill,
      { days: [newest.slice(0, 10)], snapshotDates: [newest], stateUpdateIds: [] },
      at(new Date(Date.parse(NOW) + 100 * 86_400_000).toISOString()),
    );
    expect(next.deliveredSnapshots).toEqual([newest.slice(0, 10)]);
    expect(next.floorDay! > days.at(-1)!).toBe(true);
    const delivered = isDeliveredBy(next);
    expect(days.filter((d) => !delivered(d))).toEqual([]);
    // A first run has nothing delivered, whatever the dates; a first-version checkpoint, every day to its newest.
    expect(isDeliveredBy(undefined)('2026-10-01')).toBe(false);
    const v1 = { newestSnapshotDate: '2026-12-20T00:00:00Z', deliveredStateUpdates: [], updatedAt: NOW, runId: 'r0' };
    expect(['2026-12-19', '2026-12-20', '2026-12-21'].map(isDeliveredBy(v1))).toEqual([true, true, false]);
  });

  it("forgets delivered days Graph no longer keeps, counting its 90 from the newest delivered day, not the host's clock", () => {
    const previous = {
      newestSnapshotDate: '2026-11-20T00:00:00.000Z',
      deliveredSnapshots: ['2026-01-01', '2026-11-20'],
      deliveredStateUpdates: [],
      updatedAt: NOW,
      runId: 'r0',
    };
    const next = advanceCheckpoint(
      previous,
      { days: ['2026-11-21'], snapshotDates: ['2026-11-21T00:00:00.000Z'], stateUpdateIds: [] },
      at('2031-01-01T00:00:00.000Z'),
    );
    expect(next.deliveredSnapshots).toEqual(['2026-11-20', '2026-11-21']);
    expect(next.floorDay).toBe('2026-08-24');
  });
});

describe('nothing too big is ever sent (rows 8 and 9)', () => {
  const base: TableRecord = { TimeGenerated: NOW, RecordType: 'ControlScore', RecordId: 'id', AzureTenantId: TENANT, RunId: 'r' };
  const big = (n: number) => 'x'.repeat(n);
  const size = (r: TableRecord) => Buffer.byteLength(JSON.stringify(r));

  it.each(['ControlProperties', 'Threats', 'EnabledServices', 'ComparativeScores'])(
    'cuts a %s over 64 KB to a marker with its size',
    (column) => {
      const { record, cuts } = fitRecord({ ...base, [column]: { blob: big(100_000) } });
      expect(Buffer.byteLength(JSON.stringify(record[column]))).toBeLessThanOrEqual(64 * 1024);
      expect(record[column]).toMatchObject({ truncated: true, bytes: expect.any(Number) });
      expect(cuts).toEqual([expect.stringContaining(column)]);
    },
  );

  it('cuts a string over 64 KB with a visible mark', () => {
    const { record } = fitRecord({ ...base, ControlTitle: big(70_000) });
    expect(Buffer.byteLength(String(record.ControlTitle))).toBeLessThanOrEqual(64 * 1024);
    expect(String(record.ControlTitle)).toMatch(/truncated by securescore-connector\]$/);
  });

  it('brings a record of many fields each under 64 KB below the 1 MB request limit, ControlProperties first', () => {
    const fields = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, big(60_000)]));
    const record = { ...base, ControlProperties: fields, ControlTitle: big(60_000), Comment: big(60_000) };
    const fitted = fitRecord(record);
    expect(size(fitted.record)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(fitted.cuts[0]).toMatch(/^ControlProperties/);
    // Fitting again changes nothing: a record refused once for its size is never refused again.
    expect(fitRecord(fitted.record).cuts).toEqual([]);
  });

  it('leaves a record within the limits untouched', () => {
    const record = { ...base, ControlProperties: { on: true } };
    expect(fitRecord(record)).toEqual({ record, cuts: [] });
  });
});
