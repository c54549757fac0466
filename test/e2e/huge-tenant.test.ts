import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticTenant } from '../../tools/bench/synthetic-tenant.js';
import { startBenchWorld } from '../../tools/bench/world.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const DAY_MS = 86_400_000;
const CONTROLS = 10_000;
const SNAPSHOTS = 30;

describe('a tenant of 10,000 controls (row 5)', () => {
  it('is read and sent in bounded pieces: a 30-day backfill fits a 256 MB heap and delivers every record', async () => {
    const newest = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const world = await startBenchWorld(1, { controls: CONTROLS, snapshots: SNAPSHOTS, newest });
    try {
      const cwd = tempDir('securescore-huge-');
      // A version that held the tenant's records peaked at 1.5 GB here and died with exit 134.
      const env = { ...world.env, NODE_OPTIONS: '--max-old-space-size=256' };
      const result = await runCli(['run', ...world.flags, '--days', String(SNAPSHOTS)], env, { cwd, timeoutMs: 240_000 });
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      expect(existsSync(join(cwd, 'dead-letter'))).toBe(false);
      const tenant = syntheticTenant(world.tenantIds[0]!, world.shape);
      let updates = 0;
      for (let i = 0; i < CONTROLS; i++) updates += (tenant.profile(i).controlStateUpdates as unknown[] | undefined)?.length ?? 0;
      // Each day's DailyScore and ControlScores, each control's ControlState and state updates, the ConnectorRun.
      expect(world.ingestion.received.records).toBe(SNAPSHOTS * (1 + CONTROLS) + CONTROLS + updates + 1);
    } finally {
      await world.close();
    }
  }, 300_000);
});
