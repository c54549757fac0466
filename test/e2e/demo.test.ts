import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_EVENTS, DEMO_SNAPSHOT_COUNT, demoNewestDay } from '../../src/source/demo-data.js';
import { dayPlus } from '../support/clock.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

describe('run --demo', () => {
  it('runs the whole pipeline on the bundled tenant with no Azure and says what it found', async () => {
    const dir = tempDir('securescore-demo-');
    const file = join(dir, 'out.ndjson');
    const before = new Date();
    const result = await runCli(['run', '--demo', '--output', file]);
    const after = new Date();
    expect(result.code).toBe(0);
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(2026);
    const controls = new Set(records.filter((r) => r.RecordType === 'ControlScore').map((r) => r.ControlName));
    const categories = new Set(records.filter((r) => r.RecordType === 'ControlScore').map((r) => r.ControlCategory));
    expect(controls.size).toBeGreaterThanOrEqual(60);
    expect([...categories].sort()).toEqual(['Apps', 'Data', 'Device', 'Identity', 'Infrastructure']);
    // The demo looks current: its history ends yesterday, by the clock it ran under.
    const newest = records
      .filter((r) => r.RecordType === 'DailyScore')
      .map((r) => String(r.SnapshotDate).slice(0, 10))
      .sort()
      .at(-1)!;
    expect([demoNewestDay(before), demoNewestDay(after)]).toContain(newest);
    const dayOf = (index: number) => dayPlus(newest, index - (DEMO_SNAPSHOT_COUNT - 1));
    expect(result.stderr).toContain(`score regression on ${dayOf(DEMO_EVENTS.regressedOnDay)}: 168 -> 158 (-10)`);
    expect(result.stderr).toContain('BlockLegacyAuthentication set to Ignored ("Risk accepted") by secops.admin@contoso.com');
    expect(result.stderr).toContain('MDE_TamperProtection set to ThirdParty ("Resolved through third party")');
    expect(result.stderr).toContain(`control MDO_SafeAttachmentsPolicyV2 added on ${dayOf(DEMO_EVENTS.addedOnDay)}`);
    expect(result.stderr).toContain(`control LegacyExchangeAuditLogSearch removed on ${dayOf(DEMO_EVENTS.removedOnDay)}`);
    expect(result.stderr).toMatch(/NDJSON to .*out\.ndjson: 0 request\(s\), 1\.\d+ MB/);
  });

  it('writes NDJSON to stdout and the report to stderr when no output is named', async () => {
    const result = await runCli(['run', '--demo', '--days', '2']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { RecordType: string }).RecordType).filter((t) => t === 'DailyScore')).toHaveLength(2);
    expect(result.stdout).not.toContain('Demo tenant');
    expect(result.stderr).toContain('Demo tenant');
  });

  it('exits 2 with the flag named on a usage error', async () => {
    const result = await runCli(['run', '--demo', '--days', '365']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('--days: 365 is out of range. Use a whole number from 1 to 90');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runCli(['run', '--demo', '--dayz', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('--dayz: not an option of run. Did you mean --days?');
  });

  it('reads every flag from SECURESCORE_<FLAG> as well', async () => {
    const result = await runCli(['run'], { SECURESCORE_DEMO: 'true', SECURESCORE_DAYS: '3' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/3 DailyScore/);
  });
});
