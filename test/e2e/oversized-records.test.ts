import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import type { RawSecureScore } from '../../src/normalize/graph-types.js';
import { DCR_ID, startWorld, tenantData, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** Logs Ingestion's limits: a field over 64 KB is cut by the service, a request over 1 MB refused (413). */
const FIELD_LIMIT = 64 * 1024;
const REQUEST_LIMIT = 1024 * 1024;

const text = (bytes: number, seed: string) => seed.repeat(Math.ceil(bytes / seed.length)).slice(0, bytes);

/** The demo tenant with its newest snapshot and one control grown past every limit (rows 8 and 9). */
function oversizedTenant() {
  const data = tenantData(DEMO_TENANT_ID);
  const newest = [...data.secureScores].sort((a, b) => String(b.createdDateTime).localeCompare(String(a.createdDateTime)))[0]!;
  const control = (newest.controlScores as Array<Record<string, unknown>>)[0]!;
  // 20 extra properties of 60 KB each: every field under 64 KB, the record 1.2 MB (row 8).
  for (let i = 0; i < 20; i++) control[`extraProperty${i}`] = text(60_000, `p${i}-`);
  const grown = newest as RawSecureScore & Record<string, unknown>;
  grown.enabledServices = Array.from({ length: 4000 }, (_, i) => `HasService${i}`); // ~70 KB (row 9)
  grown.averageComparativeScores = Array.from({ length: 2000 }, (_, i) => ({ basis: `Basis${i}`, averageScore: i })); // ~80 KB
  const profile = data.profiles.find((p) => p.id === control.controlName)!;
  profile.threats = Array.from({ length: 5000 }, (_, i) => `Threat ${i}`); // ~70 KB
  return { data, controlName: String(control.controlName) };
}

const isMarker = (value: unknown) => typeof value === 'object' && value !== null && (value as { truncated?: unknown }).truncated === true;

describe('a record too big for Logs Ingestion (rows 8 and 9)', () => {
  let world: World;
  let cwd: string;
  let controlName: string;
  beforeEach(async () => {
    const tenant = oversizedTenant();
    controlName = tenant.controlName;
    world = await startWorld(tenant.data);
    cwd = tempDir('securescore-oversized-');
  });
  afterEach(async () => world.close());

  it('is cut to fit with a marker and a counted warning, delivered, and the checkpoint moves: no 413, no dead letter', async () => {
    const result = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(cwd, 'dead-letter'))).toBe(false);
    expect(world.ingestion.violations).toEqual([]);
    const grown = world.ingestion.accepted.filter(
      (r) => r.RecordType === 'ControlScore' && r.ControlName === controlName && isMarker(r.ControlProperties),
    );
    expect(grown).toHaveLength(1);
    expect(grown[0]!.ControlProperties).toMatchObject({ truncated: true, bytes: expect.any(Number) });
    expect((grown[0]!.ControlProperties as { bytes: number }).bytes).toBeGreaterThan(REQUEST_LIMIT);
    expect(isMarker(grown[0]!.Threats)).toBe(true);
    const daily = world.ingestion.accepted.filter((r) => r.RecordType === 'DailyScore' && isMarker(r.EnabledServices));
    expect(daily).toHaveLength(1);
    expect(isMarker(daily[0]!.ComparativeScores)).toBe(true);
    for (const record of world.ingestion.accepted) {
      expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(REQUEST_LIMIT);
      for (const value of Object.values(record))
        if (value !== null) expect(Buffer.byteLength(JSON.stringify(value))).toBeLessThanOrEqual(FIELD_LIMIT + 2);
    }
    expect(result.stderr).toMatch(/cut to fit the Logs Ingestion limits/);
    // The checkpoint moved past the grown day: the next run sends none of its scores again.
    const before = world.ingestion.accepted.length;
    const again = await runCli(['run', ...world.flags], world.env, { cwd });
    expect(again.code, again.stderr).toBe(0);
    const scores = (r: Record<string, unknown>) => r.RecordType === 'DailyScore' || r.RecordType === 'ControlScore';
    expect(world.ingestion.accepted.slice(before).filter(scores)).toEqual([]);
  });

  it('is cut by replay too, so a dead letter an older version left with it is accepted', async () => {
    const oversized = {
      RecordType: 'ControlScore',
      RecordId: 'oversized-1',
      AzureTenantId: DEMO_TENANT_ID,
      TimeGenerated: '2026-11-04T00:00:00Z',
      ControlName: controlName,
      ControlProperties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`extraProperty${i}`, text(60_000, `p${i}-`)])),
    };
    const folder = join(cwd, 'dead-letter');
    mkdirSync(folder, { mode: 0o700 });
    const file = join(folder, `${DEMO_TENANT_ID}-old-run.ndjson`);
    writeFileSync(file, `${JSON.stringify(oversized)}\n`, { mode: 0o600 });
    const replay = await runCli(
      ['replay', file, '--authority-host', world.entra.url, '--ingestion-endpoint', world.ingestion.url, '--dcr-immutable-id', DCR_ID],
      world.env,
      { cwd },
    );
    expect(replay.code, replay.stderr).toBe(0);
    expect(world.ingestion.violations).toEqual([]);
    expect(world.ingestion.accepted).toEqual([
      expect.objectContaining({ RecordId: 'oversized-1', ControlProperties: expect.objectContaining({ truncated: true }) }),
    ]);
    expect(readdirSync(folder)).toEqual([]);
  });
});
