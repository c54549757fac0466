import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toInt, toIsoDate, toNumber } from '../../src/normalize/coerce.js';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { normalizeTenant } from '../support/normalize-tenant.js';
import { Warnings } from '../../src/normalize/warnings.js';
import { COLUMN_BY_NAME } from '../../src/schema/columns.js';
import type { TableRecord } from '../../src/schema/records.js';

// Issue 24, rows 11 and 14, as properties: whatever Graph sends, the normalizers do not throw, every
// record fits the table's column types, every refusal is counted, and no result depends on the host's
// time zone. Replay a failure with FC_SEED=<seed printed below> (and the path fast-check prints).

const seed = Number(process.env.FC_SEED ?? 20261205);
const numRuns = Number(process.env.FC_RUNS ?? 300);
beforeAll(() => console.log(`normalize-properties: fast-check seed ${seed} (FC_SEED=${seed} to replay), ${numRuns} runs`));

const TENANT = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const NOW = '2026-12-05T06:00:00.000Z';
const ZONES = ['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Asia/Kathmandu'];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** A datetime column value as the table gets it, within Log Analytics' datetime range (years 1 to 9999). */
const ISO_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});
function inZone<T>(zone: string, read: () => T): T {
  process.env.TZ = zone;
  return read();
}

// --- Arbitraries: what Graph might send ------------------------------------------------------------

/** Words that name members of Object.prototype, next to words the lookups do know. */
const hostileWord = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
  'prototype',
  'Ignored',
  'thirdParty',
  'medium',
  'identity',
  'Default',
);

/** Objects as JSON.parse makes them, with own keys such as "__proto__" and "toString". */
const hostileObject = fc
  .array(fc.tuple(hostileWord, fc.jsonValue({ maxDepth: 1 })), { maxLength: 4 })
  .map((pairs) => JSON.parse(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as unknown);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Date-like text: well formed, out of range, in other notations, zone-less, space-separated. */
const dateLike = fc.oneof(
  fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc
    .tuple(
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom('', '.5', '.1234567'),
      fc.constantFrom('Z', 'z', '', '+09:00', '-08:00', '+24:00', '+0900', '+05:45'),
      fc.constantFrom('T', ' ', 't'),
    )
    .map(([y, mo, d, h, mi, s, f, zone, sep]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}${sep}${pad(h)}:${pad(mi)}:${pad(s)}${f}${zone}`),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('T', ' ').replace('Z', '')),
  fc.date({ noInvalidDate: true }).map((d) => d.getTime()),
  fc.constantFrom('12', '2026', '2026-12', 'yesterday', '+275760-09-13T00:00:00Z', '2026-02-29T00:00:00Z'),
  fc.integer({ min: -100, max: 3000 }),
);

const numberish = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.double().map(String),
  fc.integer({ min: INT32_MIN - 10, max: INT32_MAX + 10 }),
  fc.constantFrom(
    1e300,
    -1e300,
    1.7e308,
    5e-324,
    2 ** 31,
    2 ** 53 + 2,
    '1e300',
    '3000000000',
    '0x10',
    'Infinity',
    'NaN',
    -1,
    '12',
    ' 3.5 ',
  ),
);

/** Anything at all, biased toward what trips lookups and parsers. */
const anyValue = fc.oneof(
  fc.anything({ withBoxedValues: true, withNullPrototype: true, withDate: true, withSparseArray: true }),
  fc.jsonValue(),
  hostileWord,
  hostileObject,
  dateLike,
  numberish,
);
/** Ids and tenant ids as Graph might send them, objects with a "toString" key included (they once threw in snapshots.ts). */
const printable = fc.oneof(fc.string(), fc.integer(), hostileWord, fc.constant(null), fc.constant(undefined), hostileObject);

const controlScore = fc.record(
  {
    controlName: fc.oneof(hostileWord, fc.constantFrom('A', 'B', 'a'), anyValue),
    controlCategory: fc.oneof(hostileWord, anyValue),
    score: numberish,
    lastSynced: fc.oneof(dateLike, anyValue),
    implementationStatus: anyValue,
    count: numberish,
    on: anyValue,
    description: anyValue,
  },
  { requiredKeys: ['controlName'] },
);

const secureScore = fc.record(
  {
    id: printable,
    azureTenantId: fc.oneof(fc.constant(TENANT), printable),
    createdDateTime: fc.oneof(dateLike, anyValue),
    currentScore: numberish,
    maxScore: numberish,
    activeUserCount: numberish,
    licensedUserCount: numberish,
    enabledServices: anyValue,
    averageComparativeScores: fc.oneof(fc.array(fc.record({ basis: anyValue, averageScore: numberish })), anyValue),
    controlScores: fc.oneof(
      fc.array(
        fc.oneof(
          controlScore,
          fc.tuple(hostileObject, controlScore).map(([extra, c]) => ({ ...(extra as object), ...c })),
          anyValue,
        ),
        {
          maxLength: 4,
        },
      ),
      anyValue,
    ),
  },
  { requiredKeys: ['createdDateTime'] },
) as fc.Arbitrary<RawSecureScore>;

const stateUpdate = fc.record({
  state: fc.oneof(hostileWord, anyValue),
  updatedDateTime: fc.oneof(dateLike, anyValue),
  updatedBy: anyValue,
});
const profile = fc.record(
  {
    id: fc.oneof(fc.constantFrom('A', 'B'), hostileWord, anyValue),
    azureTenantId: anyValue,
    title: anyValue,
    controlCategory: fc.oneof(hostileWord, anyValue),
    userImpact: fc.oneof(hostileWord, anyValue),
    implementationCost: fc.oneof(hostileWord, anyValue),
    maxScore: numberish,
    rank: numberish,
    deprecated: anyValue,
    threats: anyValue,
    controlStateUpdates: fc.oneof(fc.array(fc.oneof(stateUpdate, anyValue), { maxLength: 4 }), anyValue),
  },
  { requiredKeys: ['id'] },
) as fc.Arbitrary<RawControlProfile>;

// --- Checks ------------------------------------------------------------------------------------------

const present = (value: unknown) => value !== null && value !== undefined && value !== '';

/** Why a record's column does not fit the table, or undefined when every column does. */
function misfit(record: TableRecord): string | undefined {
  for (const [name, value] of Object.entries(record)) {
    const column = COLUMN_BY_NAME.get(name);
    if (!column) return `${name} is not a column`;
    if (!column.recordTypes.includes(record.RecordType)) return `${name} is not a column of ${record.RecordType}`;
    if (value === null || value === undefined) continue;
    const fits =
      column.type === 'string'
        ? typeof value === 'string'
        : column.type === 'int'
          ? Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX
          : column.type === 'long'
            ? Number.isSafeInteger(value)
            : column.type === 'real'
              ? typeof value === 'number' && Number.isFinite(value)
              : column.type === 'boolean'
                ? typeof value === 'boolean'
                : column.type === 'datetime'
                  ? typeof value === 'string' && ISO_UTC.test(value) && new Date(value).toISOString() === value
                  : typeof value === 'object' && JSON.stringify(value) !== undefined;
    if (!fits) return `${record.RecordType}.${name} (${column.type}) is ${typeof value} ${String(JSON.stringify(value)).slice(0, 80)}`;
  }
  // What is sent is the JSON: no column may vanish from it (a function, or a value JSON cannot hold).
  const sent = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  const lost = Object.keys(record).filter((k) => record[k] !== undefined && !Object.hasOwn(sent, k));
  return lost.length > 0 ? `${lost.join(', ')} vanish from the JSON sent` : undefined;
}

function normalizeAll(secureScores: RawSecureScore[], profiles: RawControlProfile[]) {
  const warnings = new Warnings();
  const { records } = normalizeTenant(
    { secureScores, profiles },
    { snapshotCount: 90 },
    { now: NOW, runId: 'r', tenantId: TENANT, warnings },
  );
  return { records, warnings };
}

const SNAPSHOT_FATES = ['snapshot-quarantined', 'snapshot-in-future', 'duplicate-snapshot', 'snapshot-out-of-order'] as const;

describe('normalizers over arbitrary Graph input (fast-check)', () => {
  it('toIsoDate returns a UTC ISO date-time in range or null with a counted warning, the same in every time zone', () => {
    fc.assert(
      fc.property(fc.oneof(dateLike, anyValue), (value) => {
        const results = ZONES.map((zone) =>
          inZone(zone, () => {
            const w = new Warnings();
            return { iso: toIsoDate(value, 'x.createdDateTime', w), counts: { ...w.counts } };
          }),
        );
        for (const r of results.slice(1)) expect(r).toEqual(results[0]);
        const { iso, counts } = results[0]!;
        if (iso === null) {
          if (present(value)) expect(counts['invalid-date']).toBe(1);
        } else {
          expect(iso).toMatch(ISO_UTC);
          expect(new Date(iso).toISOString()).toBe(iso);
          expect(typeof value).toBe('string');
        }
      }),
      { seed, numRuns },
    );
  });

  it('toIsoDate reads a well-formed date-time with any zone offset as the instant it names', () => {
    const instant = fc.date({ min: new Date('0002-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.constantFrom(ZONES[1]!, ZONES[2]!),
        (at, offset, zone) => {
          const wall = new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 23);
          const sign = offset < 0 ? '-' : '+';
          const text = `${wall}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
          const w = new Warnings();
          expect(inZone(zone, () => toIsoDate(text, 'd', w))).toBe(at.toISOString());
          expect(w.total).toBe(0);
        },
      ),
      { seed, numRuns },
    );
  });

  it('toInt and toNumber give an int32 or a finite number, or null with a counted warning', () => {
    fc.assert(
      fc.property(fc.oneof(numberish, anyValue), (value) => {
        const w = new Warnings();
        const n = toInt(value, 'x.count', w);
        if (n === null) {
          if (present(value)) expect(w.total).toBeGreaterThan(0);
        } else {
          expect(Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX).toBe(true);
        }
        const r = toNumber(value, 'x.score', new Warnings());
        expect(r === null || Number.isFinite(r)).toBe(true);
      }),
      { seed, numRuns },
    );
  });

  it('normalizeTenant never throws, fits every column, counts every snapshot it does not emit, and is the same in every time zone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(secureScore, fc.jsonValue() as fc.Arbitrary<RawSecureScore>), { maxLength: 5 }),
        fc.array(profile, { maxLength: 3 }),
        (scores, profiles) => {
          const runs = ZONES.slice(1, 3).map((zone) => inZone(zone, () => normalizeAll(scores, profiles)));
          const [{ records, warnings }, other] = [runs[0]!, runs[1]!];
          expect(JSON.stringify(other.records)).toBe(JSON.stringify(records));
          expect(other.warnings.counts).toEqual(warnings.counts);
          for (const record of records) expect(misfit(record)).toBeUndefined();
          // Every snapshot is either a DailyScore or counted under one of the fates that keep it out.
          const daily = records.filter((r) => r.RecordType === 'DailyScore').length;
          const fates = SNAPSHOT_FATES.reduce((sum, code) => sum + (warnings.counts[code] ?? 0), 0);
          expect(daily + fates).toBe(scores.length);
        },
      ),
      { seed, numRuns },
    );
  });

  it('a DailyScore column left empty while Graph sent a value comes with a counted warning', () => {
    fc.assert(
      fc.property(secureScore, (raw) => {
        const { records, warnings } = normalizeAll([{ ...raw, createdDateTime: '2026-12-04T00:00:00Z' }], []);
        const daily = records.find((r) => r.RecordType === 'DailyScore')!;
        const refused = (column: string, field: keyof RawSecureScore) => daily[column] === null && present(raw[field]);
        const counted = (warnings.counts['number-out-of-range'] ?? 0) + (warnings.counts['invalid-number'] ?? 0);
        for (const [column, field] of [
          ['ActiveUserCount', 'activeUserCount'],
          ['LicensedUserCount', 'licensedUserCount'],
          ['CurrentScore', 'currentScore'],
          ['MaxScore', 'maxScore'],
        ] as const)
          if (refused(column, field)) expect(counted, `${column} from ${JSON.stringify(raw[field])}`).toBeGreaterThan(0);
        const current = daily.CurrentScore as number | null;
        const max = daily.MaxScore as number | null;
        if (current !== null && max !== null && max > 0 && daily.ScorePercent === null)
          expect(warnings.counts['number-out-of-range']).toBeGreaterThan(0);
      }),
      { seed, numRuns },
    );
  });

  it('a state update is a record with a text State and StateLabel, or counted as quarantined', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(stateUpdate, anyValue), { maxLength: 6 }), (history) => {
        const { records, warnings } = normalizeAll([], [{ id: 'A', maxScore: 10, controlStateUpdates: history }]);
        const updates = records.filter((r) => r.RecordType === 'ControlStateUpdate');
        expect(updates.length + (warnings.counts['state-update-quarantined'] ?? 0)).toBe(history.length);
        for (const u of [...updates, ...records.filter((r) => r.RecordType === 'ControlState')]) {
          expect(u.State === null || typeof u.State === 'string').toBe(true);
          expect(u.StateLabel === null || typeof u.StateLabel === 'string').toBe(true);
          expect(u.State === null).toBe(u.StateLabel === null);
        }
      }),
      { seed, numRuns },
    );
  });
});

describe('cases the generators found, kept as fixed tests', () => {
  it.each([
    ['an id that is an object with a toString key, and no date', { id: { toString: [] }, createdDateTime: {} }],
    ['a tenant id that is an object with a toString key', { azureTenantId: { toString: {} }, createdDateTime: '1970-01-01 00:00:00.000' }],
  ])('quarantines a snapshot with %s, counted, not thrown (seed 20261205)', (_, raw) => {
    const warnings = new Warnings();
    const { records } = normalizeTenant(
      { secureScores: [JSON.parse(JSON.stringify(raw)) as RawSecureScore], profiles: [] },
      { snapshotCount: 90 },
      { now: NOW, runId: 'r', tenantId: TENANT, warnings },
    );
    expect(records.filter((r) => r.RecordType === 'DailyScore')).toEqual([]);
    expect(warnings.counts['snapshot-quarantined']).toBe(1);
  });
});
