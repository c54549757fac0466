import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../src/demo/sample-data.js';
import { runCli } from './support/run-cli.js';
import { startWorld, type World } from './support/fixture.js';

describe('run against the Entra, Graph and Logs Ingestion stand-ins', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('delivers every record exactly once with a client secret through the real SDKs', async () => {
    const result = await runCli(['run', ...world.flags], world.env);
    expect(result.stderr).toContain('Succeeded');
    expect(result.code).toBe(0);
    const counts: Record<string, number> = {};
    for (const r of world.ingestion.accepted) counts[r.RecordType as string] = (counts[r.RecordType as string] ?? 0) + 1;
    expect(counts).toEqual({ DailyScore: 30, ControlScore: 1926, ControlStateUpdate: 4, ConnectorRun: 1 });
    const ids = world.ingestion.accepted.map((r) => r.RecordId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(world.ingestion.violations).toEqual([]);
    expect(world.entra.issued).toEqual([`${world.graph.url}/.default`, 'https://monitor.azure.com/.default']);
    expect(world.ingestion.accepted.every((r) => r.AzureTenantId === DEMO_TENANT_ID)).toBe(true);
  });
});
