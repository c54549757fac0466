import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_EVENTS, DEMO_SNAPSHOT_COUNT, DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { dayPlus } from '../support/clock.js';
import { countByType } from '../support/records.js';
import { runCli } from '../support/run-cli.js';
import { CLIENT_SECRET, DCR_ID, startWorld, STREAM, type World } from '../support/fixture.js';
import { startIngestionStandIn } from '../support/ingestion-stand-in.js';
import { tempDir } from '../support/temp.js';

const PROFILES = /secureScoreControlProfiles/;
const SCORES = /secureScores/;

/** Records without the per-run columns, keyed by RecordId, for comparing two runs. */
function byId(records: Array<Record<string, unknown>>): Map<string, Record<string, unknown>> {
  return new Map(
    records
      .filter((r) => r.RecordType !== 'ConnectorRun')
      .map(({ TimeGenerated: _t, RunId: _r, ...rest }) => [rest.RecordId as string, rest]),
  );
}

const EXPECTED_COUNTS = { DailyScore: 30, ControlScore: 1926, ControlStateUpdate: 4, ControlState: 65, ConnectorRun: 1 };

describe('run against the Entra, Graph and Logs Ingestion stand-ins', () => {
  let world: World;
  let workdir: string;
  beforeEach(async () => {
    world = await startWorld();
    workdir = tempDir('securescore-e2e-');
  });
  afterEach(async () => world.close());

  it('delivers every record exactly once with a client secret through the real SDKs', async () => {
    const result = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /Succeeded; 30 DailyScore, 1926 ControlScore, 4 ControlStateUpdate, 65 ControlState, 1 ConnectorRun; 2026\/2026 delivered/,
    );
    expect(countByType(world.ingestion.accepted)).toEqual(EXPECTED_COUNTS);
    const ids = world.ingestion.accepted.map((r) => r.RecordId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(world.ingestion.violations).toEqual([]);
    expect(world.entra.issued).toEqual([`${world.graph.url}/.default`, 'https://monitor.azure.com/.default']);
    expect(world.ingestion.accepted.every((r) => r.AzureTenantId === DEMO_TENANT_ID)).toBe(true);
    // 2026 records are over 1 MB of JSON: the SDK must have split them into several requests.
    expect(world.ingestion.log.filter((l) => l.startsWith('204')).length).toBeGreaterThan(1);
  });

  it('sends full requests, then the ConnectorRun alone, once the checkpoint is saved', async () => {
    const result = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(result.code).toBe(0);
    const requests = world.ingestion.log.filter((l) => l.startsWith('204')).length;
    const data = world.ingestion.accepted.filter((r) => r.RecordType !== 'ConnectorRun');
    const json = data.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)) + 1, 0);
    // As few requests as 1 MB each allows, and one more: the ConnectorRun says the status decided
    // after every answer and the checkpoint's save, so it cannot travel with the records it reports on.
    expect(requests).toBe(Math.ceil(json / 1_000_000) + 1);
    expect(world.ingestion.accepted.at(-1)?.RecordType).toBe('ConnectorRun');
    expect(world.ingestion.accepted.at(-1)?.RunStatus).toBe('Succeeded');
  });

  it('sends the same records to the DCR as the demo writes to NDJSON', async () => {
    const uploaded = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(uploaded.code).toBe(0);
    const file = join(workdir, 'demo.ndjson');
    const demo = await runCli(['run', '--demo', '--output', file], {}, { cwd: workdir });
    expect(demo.code).toBe(0);
    const fromFile = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(byId(world.ingestion.accepted)).toEqual(byId(fromFile));
  });

  it('carries the hand-computed values of the regression, the removal and the risk acceptance', async () => {
    await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    const records = world.ingestion.accepted;
    // Day index (0 = oldest of the demo's 40) as a SnapshotDate of the history the stand-in serves.
    const newest = String(world.graph.data.secureScores[0]!.createdDateTime).slice(0, 10);
    const eventDate = (index: number) => `${dayPlus(newest, index - (DEMO_SNAPSHOT_COUNT - 1))}T00:00:00.000Z`;
    const drop = records.find(
      (r) => r.RecordType === 'ControlScore' && r.ControlName === DEMO_EVENTS.regressedControl && r.ChangeType === 'Decreased',
    );
    expect(drop).toMatchObject({
      SnapshotDate: eventDate(DEMO_EVENTS.regressedOnDay),
      CurrentScore: 0,
      PreviousScore: 10,
      ScoreChange: -10,
      MaxScore: 10,
      ScorePercent: 0,
      ControlCategory: 'Identity',
    });
    const day = records.find((r) => r.RecordType === 'DailyScore' && r.SnapshotDate === eventDate(DEMO_EVENTS.regressedOnDay));
    expect(day).toMatchObject({ ScoreChange: -10 });
    expect((day!.PreviousScore as number) - (day!.CurrentScore as number)).toBe(10);
    const removed = records.filter((r) => r.ChangeType === 'Removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({
      ControlName: DEMO_EVENTS.removedControl,
      SnapshotDate: eventDate(DEMO_EVENTS.removedOnDay),
      CurrentScore: null,
    });
    const added = records.filter((r) => r.ChangeType === 'New');
    expect(added.map((r) => r.ControlName)).toEqual([DEMO_EVENTS.addedControl]);
    const ignored = records.find((r) => r.RecordType === 'ControlStateUpdate' && r.ControlName === DEMO_EVENTS.ignoredControl);
    expect(ignored).toMatchObject({
      State: 'Ignored',
      StateLabel: 'Risk accepted',
      PreviousState: null,
      UpdatedBy: 'secops.admin@contoso.com',
      UpdatedDateTime: eventDate(DEMO_EVENTS.ignoredOnDay).replace('T00:00:00.000Z', 'T14:03:27.123Z'),
    });
    const revoked = records.find((r) => r.RecordType === 'ControlStateUpdate' && r.State === 'Default');
    expect(revoked).toMatchObject({ ControlName: 'SPO_SharingLinks', PreviousState: 'Ignored', StateLabel: 'To address' });
  });

  it('asks for US Government tokens with --cloud AzureUSGovernment', async () => {
    const gov = await startIngestionStandIn({ dcrImmutableId: DCR_ID, streamName: STREAM, audience: 'https://monitor.azure.us' });
    try {
      const flags = world.flags.map((f) => (f === world.ingestion.url ? gov.url : f));
      const result = await runCli(['run', ...flags, '--cloud', 'AzureUSGovernment'], world.env, { cwd: workdir });
      expect(result.code, result.stderr).toBe(0);
      expect(world.entra.issued).toEqual([`${world.graph.url}/.default`, 'https://monitor.azure.us/.default']);
      expect(countByType(gov.accepted)).toEqual(EXPECTED_COUNTS);
    } finally {
      await gov.close();
    }
  });

  it('refuses the China cloud, where Secure Score is not offered', async () => {
    const result = await runCli(['run', ...world.flags, '--cloud', 'AzureChina'], world.env, { cwd: workdir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the Secure Score APIs are not offered in the Microsoft Azure operated by 21Vianet (China) cloud');
  });

  it('follows every profile page, sending each nextLink back byte for byte', async () => {
    const result = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(result.code).toBe(0);
    // 65 profiles at 20 per page: 4 pages, 3 nextLinks.
    expect(world.graph.nextLinks).toHaveLength(3);
    for (const link of world.graph.nextLinks) {
      const { pathname, search } = new URL(link);
      expect(world.graph.requests).toContain(`${pathname}${search}`);
    }
    expect(world.graph.requests.filter((r) => PROFILES.test(r))).toHaveLength(4);
    // Snapshots in chunks: eight first, then as many as keep one answer small ($top with $skip, as documented).
    expect(world.graph.requests.filter((r) => SCORES.test(r))).toEqual([
      '/v1.0/security/secureScores?$top=8',
      '/v1.0/security/secureScores?$top=23&$skip=8',
    ]);
  });

  it('waits out Graph throttling and server errors, then delivers everything', async () => {
    world.graph.faults
      .add({ match: SCORES, status: 429, headers: { 'Retry-After': '1' } })
      .add({ match: /skiptoken/, status: 503 })
      .add({ match: /skiptoken/, status: 504 })
      .add({ match: PROFILES, status: 429 });
    const started = Date.now();
    const result = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(result.code).toBe(0);
    expect(world.graph.faults.served).toHaveLength(4);
    // Retry-After: 1 was honoured.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.stderr).toMatch(/Graph 10 request\(s\), 4 retried/);
    expect(countByType(world.ingestion.accepted)).toEqual(EXPECTED_COUNTS);
  });

  it('treats 206 Partial Content as a failure of that call, never as data', async () => {
    world.graph.faults.add({ match: /skiptoken/, kind: 'partial-content' }, 3);
    const result = await runCli(['run', ...world.flags, '--max-retries', '2'], world.env, { cwd: workdir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Graph https:\/\/127\.0\.0\.1:\d+\/v1\.0\/security\/secureScoreControlProfiles: HTTP 206 Partial Content .*still failing after 3 attempts/,
    );
    // No half-enriched records: only the Failed run record reaches the table.
    expect(world.ingestion.accepted.map((r) => [r.RecordType, r.RunStatus])).toEqual([['ConnectorRun', 'Failed']]);
  });

  it('retries ingestion 429 with and without Retry-After and 503, delivering each record once', async () => {
    world.ingestion.faults
      .add({ match: /streams/, status: 429, headers: { 'Retry-After': '1' } })
      .add({ match: /streams/, status: 503, headers: { 'Retry-After': '0' } })
      .add({ match: /streams/, status: 429 });
    const result = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(result.code).toBe(0);
    expect(world.ingestion.faults.served).toHaveLength(3);
    expect(countByType(world.ingestion.accepted)).toEqual(EXPECTED_COUNTS);
    const ids = world.ingestion.accepted.map((r) => r.RecordId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ends with exit 1, the missing role named and every record dead-lettered when ingestion answers 403', async () => {
    world.ingestion.denyAll = true;
    const result = await runCli(['run', ...world.flags], world.env, { cwd: workdir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 403');
    expect(result.stderr).toContain('"Monitoring Metrics Publisher" role on the data collection rule');
    expect(result.stderr).not.toContain('undefined\n}');
    const dir = join(workdir, 'dead-letter');
    expect(existsSync(dir)).toBe(true);
    const [file] = readdirSync(dir);
    const lines = readFileSync(join(dir, file!), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2026);
    expect(result.stderr).toContain(`securescore-connector replay ${join('./dead-letter', file!)}`);
  });

  it('stops with exit 2 and one clear message when the client secret is wrong, printing no secret', async () => {
    const wrong = 'Wr0ng~Secret.Value-1234567890abcdefghijk';
    const result = await runCli(['run', ...world.flags], { ...world.env, AZURE_CLIENT_SECRET: wrong }, { cwd: workdir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^Authentication: no token for Microsoft Graph .*AADSTS7000215.*wrong client secret.*Copy the secret value into AZURE_CLIENT_SECRET/m,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(CLIENT_SECRET);
    }
    expect(world.graph.requests).toEqual([]);
  });
});
