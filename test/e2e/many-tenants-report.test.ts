/**
 * 200 tenants with the authority's name not resolving (issue 26 row 6): the run recognises early that
 * nothing can be reached, says it once, and its output reads like one report, in text and in json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const TENANTS = Array.from({ length: 200 }, (_, i) => ({
  tenantId: `aaaaaaaa-aaaa-4aaa-8aaa-${(i + 1).toString(16).padStart(12, '0')}`,
  displayName: `Customer ${String(i + 1).padStart(3, '0')}`,
}));
/** RFC 6761: names under .invalid never resolve. */
const UNRESOLVABLE = 'https://login.invalid';
const longest = (lines: string[]) => Math.max(...lines.map((l) => l.length));

describe('200 tenants while DNS cannot resolve the authority', () => {
  let world: World;
  let cwd: string;
  beforeAll(async () => {
    world = await startWorld();
    cwd = tempDir('securescore-dns-');
    writeFileSync(join(cwd, 'tenants.json'), JSON.stringify(TENANTS));
  });
  afterAll(async () => world.close());

  const run = (name: string, env: Record<string, string> = {}) =>
    runCli(
      [
        'run',
        '--authority-host',
        UNRESOLVABLE,
        '--graph-endpoint',
        world.graph.url,
        '--tenants',
        'tenants.json',
        '--output',
        `${name}.ndjson`,
        '--state',
        `${name}-state.json`,
      ],
      { AZURE_TENANT_ID: TENANTS[0]!.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET, ...env },
      { cwd, timeoutMs: 120_000 },
    );

  it('says the problem once, grouped over the tenants, in short lines, and stops asking after the first tenants', async () => {
    const started = Date.now();
    const result = await run('text');
    const seconds = (Date.now() - started) / 1000;
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    console.log(`text: ${lines.length} lines, longest ${longest(lines)} characters, ${seconds.toFixed(1)} s\n${result.stderr}`);
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(longest(lines)).toBeLessThanOrEqual(500);
    expect(lines.filter((l) => l.includes('ENOTFOUND')).length).toBeLessThanOrEqual(5);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}Network: cannot reach login\.invalid \(ENOTFOUND\).* — 200 tenant\(s\): Customer 001, Customer 002, Customer 003, … \(\+197\)/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^200 of 200 tenant\(s\) not fully delivered: .*… \(\+19\d\)$/));
    // Said once in the summary: the run stopped asking the authority once the first tenants all met it. (The
    // run log's first three problems may include a tenant not asked, when it finishes before the third asked one.)
    expect(lines.filter((l) => /not asked once the first 3 tenants could not reach it/.test(l))).toHaveLength(1);
    expect(seconds).toBeLessThan(60);
    expect(result.stderr).not.toContain(CLIENT_SECRET);
  }, 120_000);

  it('prints json lines with the tenant fields and the level of what each summary line reports', async () => {
    const result = await run('json', { SECURESCORE_LOG_FORMAT: 'json' });
    expect(result.code).toBe(1);
    const raw = result.stderr.trim().split('\n');
    console.log(`json: ${raw.length} lines, longest ${longest(raw)} characters`);
    expect(longest(raw)).toBeLessThanOrEqual(800);
    const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.event === 'tenant-finished')).toHaveLength(200);
    const group = lines.find((l) => l.event === 'summary-problem');
    expect(group).toMatchObject({
      level: 'error',
      tenantCount: 200,
      tenantIds: TENANTS.slice(0, 3).map((t) => t.tenantId),
      tenantNames: ['Customer 001', 'Customer 002', 'Customer 003'],
      status: 'Failed',
    });
    expect(String(group!.message)).toMatch(/^ {2}Network: cannot reach login\.invalid \(ENOTFOUND\)/);
    const summary = lines.filter((l) => String(l.event).startsWith('summary'));
    expect(summary.every((l) => l.level === 'error' || l.level === 'warn')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'run-finished', level: 'error', tenants: 200, notDelivered: 200 });
  }, 120_000);
});

describe('a few tenants keep their line each', () => {
  it('lists each tenant and each problem with its tenant when few tenants run', async () => {
    const world: World = await startWorld(undefined, {});
    try {
      const cwd = tempDir('securescore-few-');
      writeFileSync(join(cwd, 'tenants.json'), JSON.stringify(TENANTS.slice(0, 2)));
      const result = await runCli(['run', ...world.flags, '--tenants', 'tenants.json', '--authority-host', UNRESOLVABLE], world.env, {
        cwd,
      });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/^tenant Customer 001 \(aaaaaaaa-.*\): Failed;/));
      expect(lines).toContainEqual(expect.stringMatching(/^tenant Customer 002 \(aaaaaaaa-.*\): Failed;/));
      expect(lines).toContainEqual(
        expect.stringMatching(/^ {2}Network: cannot reach login\.invalid \(ENOTFOUND\).* — 2 tenant\(s\): Customer 001, Customer 002$/),
      );
    } finally {
      await world.close();
    }
  }, 60_000);
});
