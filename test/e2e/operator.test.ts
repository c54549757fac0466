import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { startWorld, tenantData, type World } from '../support/fixture.js';
import { CLI_PATH, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const HEALTHY = '11111111-1111-4111-8111-111111111111';
const BROKEN = '22222222-2222-4222-8222-222222222222';
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** Runs the CLI with stdout read up to its first line, then closed, as `| head -1` does. */
function runIntoHead(args: string[]): Promise<{ code: number | null; firstLine: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, firstLine: stdout.split('\n')[0]!, stderr }));
  });
}

describe('output that behaves like a Unix tool', () => {
  it('writes NDJSON to stdout for --output -', async () => {
    const result = await runCli(['run', '--demo', '--output', '-']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2000);
    expect(JSON.parse(lines[0]!)).toMatchObject({ AzureTenantId: DEMO_TENANT_ID });
  });

  it.each([
    ['a missing folder', ['--output', '/nonexistent/out.ndjson'], {}, '--output: the folder /nonexistent does not exist. Create it first'],
    // sysfs refuses new files even to root, so this holds whoever runs the tests.
    ['a read-only folder', ['--output', '/sys/out.ndjson'], {}, '--output: cannot create a file in /sys (EACCES)'],
    ['a full device', ['--output', '/dev/full'], {}, '--output: cannot write /dev/full (ENOSPC)'],
    ['a folder, named by its variable', [], { SECURESCORE_OUTPUT: '/tmp' }, 'SECURESCORE_OUTPUT: /tmp is a folder'],
  ])('refuses %s before reading anything, in one line with exit 2', async (_, flags, env, message) => {
    const result = await runCli(['run', '--demo', ...flags], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
  });

  it('ends quietly when the reader of stdout goes away, as in run | head -1', async () => {
    const result = await runIntoHead(['run', '--demo', '--output', '-']);
    expect(JSON.parse(result.firstLine)).toMatchObject({ AzureTenantId: DEMO_TENANT_ID });
    expect(result.stderr).not.toMatch(/EPIPE|unexpected error|Please report/);
    expect(result.code).toBe(0);
  });
});

describe('settings errors name what the user typed', () => {
  // Each message is checked against buildConfig and the commands in test/unit/build-config-errors.test.ts;
  // one spawn proves the CLI wiring: a flag through yargs to buildConfig, printed as one line, exit 2.
  it('refuses a setting in one line on stderr with exit 2, before any output', async () => {
    const result = await runCli(['run', '--demo', '--days', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('--days: "abc" is not a number. Use a whole number from 1 to 90'),
    ]);
  });

  it('answers -h with the help and exit 0', async () => {
    const result = await runCli(['run', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/-q, --quiet[\s\S]*-v, --verbose/);
  });
});

describe('logs for people and for machines', () => {
  let world: World;
  let cwd: string;
  let tenants: string;

  beforeAll(async () => {
    world = await startWorld(undefined, { otherTenants: [HEALTHY, BROKEN] });
    world.graph.tenants.set(HEALTHY, tenantData(HEALTHY));
    world.graph.tenants.set(BROKEN, { ...tenantData(BROKEN), failWith: 503 });
    cwd = tempDir('securescore-logs-');
    tenants = join(cwd, 'tenants.json');
    writeFileSync(
      tenants,
      JSON.stringify([
        { tenantId: DEMO_TENANT_ID, displayName: 'Contoso' },
        { tenantId: HEALTHY, displayName: 'Fabrikam' },
        { tenantId: BROKEN, displayName: 'Northwind' },
      ]),
    );
  });
  afterAll(async () => world.close());

  const run = (...extra: string[]) =>
    runCli(
      ['run', ...world.flags, '--tenants', tenants, '--max-retries', '1', '--state', join(cwd, `state-${extra.join('')}.json`), ...extra],
      world.env,
      {
        cwd,
      },
    );

  it('prints one stamped line per event, each naming its tenant by name and id, then the summary', async () => {
    const result = await run('--verbose');
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    const events = lines.filter((l) => ISO_TIME.test(l));
    for (const [name, id] of [
      ['Contoso', DEMO_TENANT_ID],
      ['Fabrikam', HEALTHY],
      ['Northwind', BROKEN],
    ])
      expect(events.filter((l) => l.includes(`tenant ${name} (${id}): started`))).toHaveLength(1);
    expect(events.every((l) => / tenant \S+ \([0-9a-f-]{36}\): /.test(l))).toBe(true);
    expect(events).toContainEqual(
      expect.stringMatching(/tenant Northwind \(2222.*\): Graph 127\.0\.0\.1:\d+: HTTP 503.*; retry 1 in \d+ ms$/),
    );
    expect(events).toContainEqual(expect.stringMatching(/tenant Contoso \(.*\): checkpoint moved to 20\d\d-/));
    expect(events).toContainEqual(expect.stringMatching(/tenant Northwind \(.*\): finished Failed; 1 ConnectorRun; 1\/1 delivered/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}tenant Northwind \(2222.*\): Graph .*HTTP 503/));
    expect(lines.at(-1)).toMatch(/^securescore-connector: run .*: 3 tenant\(s\)/);
    expect(result.stderr).not.toContain(world.env.AZURE_CLIENT_SECRET);
  }, 60_000);

  it('prints one JSON object per line with time, level, event and tenant for log tables', async () => {
    const result = await runCli(
      ['run', ...world.flags, '--tenants', tenants, '--max-retries', '1', '--state', join(cwd, 'state-json.json')],
      { ...world.env, SECURESCORE_LOG_FORMAT: 'json' },
      { cwd },
    );
    expect(result.code).toBe(1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string' && typeof l.message === 'string')).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'tenant-finished', level: 'error', tenantId: BROKEN, tenantName: 'Northwind', status: 'Failed' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'tenant-finished', tenantName: 'Fabrikam', status: 'Succeeded', delivered: 2026 }),
    );
    expect(lines.at(-1)).toMatchObject({ event: 'run-finished', level: 'error', tenants: 3, notDelivered: 1, exitCode: 1 });
  }, 60_000);

  it('prints only problems and the summary with --quiet', async () => {
    const result = await run('--quiet');
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(ISO_TIME);
    expect(result.stderr).not.toContain(': started');
    expect(result.stderr).toMatch(/tenant Northwind \(2222.*\): Failed/);
  }, 60_000);
});
