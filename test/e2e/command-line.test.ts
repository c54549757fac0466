/**
 * The command line as users type it (issue 26 rows 1, 4, 8 and 9): the built CLI in its own process,
 * several files and shell-expanded globs, one spelling per idea across commands, misspellings, and
 * every usage error as the project's own one line with exit 2.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { CLI_PATH, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const OTHER_TENANT = '33333333-3333-4333-8333-333333333333';
const THIRD_TENANT = '44444444-4444-4444-8444-444444444444';

/** A command line given to sh, as typed at a prompt: the shell expands the globs, not the CLI. */
async function shell(line: string, cwd: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)('sh', ['-c', line], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CLI: CLI_PATH },
    });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

/** The lines a failed command printed; a usage error is exactly one. */
const stderrLines = (stderr: string) => stderr.trim().split('\n').filter(Boolean);

describe('report reads every file it is given', () => {
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('securescore-cli-');
    const demo = await runCli(['run', '--demo', '--days', '3', '--quiet', '--output', join(dir, 'scores-1.ndjson')]);
    expect(demo.code, demo.stderr).toBe(0);
    // The same records as other tenants' runs, so each file adds a tenant to the report.
    const text = readFileSync(join(dir, 'scores-1.ndjson'), 'utf8');
    writeFileSync(join(dir, 'scores-2.ndjson'), text.replaceAll(DEMO_TENANT_ID, OTHER_TENANT));
    writeFileSync(join(dir, 'scores-3.ndjson'), text.replaceAll(DEMO_TENANT_ID, THIRD_TENANT));
  });

  it('reads two files named on the command line, --output after them', async () => {
    const result = await runCli(['report', 'scores-1.ndjson', 'scores-2.ndjson', '--output', 'r.html'], {}, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/report: wrote r\.html: 2 tenant\(s\), \d+ record\(s\) from 2 file\(s\)/);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain(OTHER_TENANT);
    expect(html).toContain(DEMO_TENANT_ID);
  });

  it('reads every file a shell glob expands to (the README: report scores*.ndjson)', async () => {
    const result = await shell('node "$CLI" report scores-*.ndjson -o glob.html', dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/wrote glob\.html: 3 tenant\(s\), \d+ record\(s\) from 3 file\(s\)/);
  });

  it('accepts the old --out with a one-line note naming --output', async () => {
    const result = await runCli(['report', 'scores-1.ndjson', 'scores-2.ndjson', '--out', 'old.html'], {}, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'old.html'))).toBe(true);
    expect(result.stderr).toContain('--out: renamed --output (-o), one spelling in every command. Write --output; --out still works');
    expect(result.stderr).toContain('from 2 file(s)');
  });

  it('says so when a glob matched no file (the shell passes it on as it is)', async () => {
    const result = await shell('node "$CLI" report nothing-*.ndjson', dir);
    expect(result.code).toBe(2);
    expect(stderrLines(result.stderr)).toEqual([
      'report: nothing-*.ndjson matches no file. Check the folder and the pattern; the files are those run --output wrote',
    ]);
  });
});

describe('one spelling for one idea across commands', () => {
  it.each([
    ['run', ['run', '--help']],
    ['doctor', ['doctor', '--help']],
    ['report', ['report', '--help']],
    ['watchlist', ['watchlist', '--help']],
  ])('%s offers -o, --output', async (_, args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/-o, --output/);
    expect(result.stdout).not.toMatch(/--out\b(?!put)/);
  });

  it('writes the watchlist with -o, and with the old --out and --approvers-out after a note', async () => {
    const dir = tempDir('securescore-cli-');
    writeFileSync(join(dir, 'approvers.txt'), 'alice@contoso.com\n');
    const tenant = ['watchlist', '--tenant-id', DEMO_TENANT_ID, '--display-name', 'Contoso'];
    const now = await runCli([...tenant, '-o', 'a.json', '--approvers', 'approvers.txt', '--approvers-output', 'b.json'], {}, { cwd: dir });
    expect(now.code, now.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'))).toHaveProperty('resources');
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'))).toHaveProperty('resources');
    const old = await runCli([...tenant, '--out', 'c.json', '--approvers', 'approvers.txt', '--approvers-out', 'd.json'], {}, { cwd: dir });
    expect(old.code, old.stderr).toBe(0);
    expect(existsSync(join(dir, 'c.json')) && existsSync(join(dir, 'd.json'))).toBe(true);
    expect(old.stderr).toContain('--approvers-out: renamed --approvers-output');
  });

  it('takes -o for run as for report', async () => {
    const dir = tempDir('securescore-cli-');
    const result = await runCli(['run', '--demo', '--days', '2', '-q', '-o', 'x.ndjson'], {}, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'x.ndjson'), 'utf8')).toContain('"RecordType":"DailyScore"');
  });
});

describe('misspellings get the closest spelling, in one line, exit 2', () => {
  it.each([
    [
      'a long option one letter off',
      ['report', 'a.ndjson', '--outptu', 'r.html'],
      '--outptu: not an option of report. Did you mean --output?',
    ],
    [
      'a long option with one dash',
      ['run', '--demo', '-out', 'x.ndjson'],
      '-out: one dash takes a one-letter option. Did you mean --output?',
    ],
    ['a long option written -days', ['run', '--demo', '-days', '3'], '-days: one dash takes a one-letter option. Did you mean --days?'],
    [
      'an option with a letter too many',
      ['run', '--demo', '--dcr-immutable-idd', 'x'],
      '--dcr-immutable-idd: not an option of run. Did you mean --dcr-immutable-id?',
    ],
    ['the singular of --tenants', ['doctor', '--tenant', 't.yaml'], '--tenant: not an option of doctor. Did you mean --tenants?'],
    [
      'an option of another command',
      ['report', 'a.ndjson', '--days', '3'],
      '--days: not an option of report. See securescore-connector report --help',
    ],
    ['nothing close', ['run', '--demo', '--frobnicate'], '--frobnicate: not an option of run. See securescore-connector run --help'],
    ['a command', ['runn', '--demo'], 'runn: not a command. Did you mean run? Commands: run, doctor, replay, report, watchlist'],
    ['no command', ['--demo'], 'securescore-connector: no command. Name one: run, doctor, replay, report or watchlist (see --help)'],
    [
      'a word run does not take',
      ['run', '--demo', 'extra'],
      'run: "extra" is not an option. Options start with -- (see securescore-connector run --help)',
    ],
    ['a flag without its value', ['run', '--demo', '--output'], '--output: no value given. Give a file name, or - for stdout'],
    [
      'a flag followed by another flag',
      ['run', '--demo', '--days', '--quiet'],
      '--days: no value given. See securescore-connector run --help',
    ],
  ])('%s', async (_, args, message) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(stderrLines(result.stderr)).toEqual([message]);
    expect(result.stdout).toBe('');
  });
});

describe('every usage error is the project’s own line with exit 2', () => {
  it('report without a file', async () => {
    const result = await runCli(['report']);
    expect(result.code).toBe(2);
    expect(stderrLines(result.stderr)).toEqual([
      'report: no NDJSON file named. Name the files written by "run --output FILE" (for a pipe, use /dev/stdin)',
    ]);
  });

  it('replay of a file that does not exist', async () => {
    const dir = tempDir('securescore-cli-');
    const result = await runCli(
      [
        'replay',
        'missing.ndjson',
        '--ingestion-endpoint',
        'https://dce.westeurope-1.ingest.monitor.azure.com',
        '--dcr-immutable-id',
        'dcr-0123456789abcdef0123456789abcdef',
      ],
      {},
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(stderrLines(result.stderr)).toEqual([
      'replay: missing.ndjson does not exist. Give the path printed by run after "Dead letter:", or --all for every dead letter in --dead-letter',
    ]);
  });

  it('run --demo with a tenants file', async () => {
    const result = await runCli(['run', '--demo', '--tenants', 't.yaml']);
    expect(result.code).toBe(2);
    expect(stderrLines(result.stderr)).toEqual([
      '--tenants: set together with --demo. The demo reads only the bundled sample tenant; leave out --demo to read the tenants of t.yaml',
    ]);
  });

  it('doctor --demo checks the demo without asking Entra for a Graph token', async () => {
    const result = await runCli(['doctor', '--demo'], { AZURE_TENANT_ID: DEMO_TENANT_ID, AZURE_CLIENT_ID: 'x', AZURE_CLIENT_SECRET: 'y' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('graph-token');
    expect(result.stderr).toContain('PASS graph: the demo reads the bundled sample tenant; no Graph token is needed');
  });
});

describe('sharding is explicit (issue 26 row 4)', () => {
  it('refuses --shard-count above 1 without JOB_COMPLETION_INDEX, before reading anything', async () => {
    const result = await runCli(['run', '--demo', '--shard-count', '3', '--output', '-']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(stderrLines(result.stderr)).toEqual([
      '--shard-count: 3 without JOB_COMPLETION_INDEX, so this replica would read only 1 in 3 of the tenants. Run it in a Kubernetes Indexed Job (which sets JOB_COMPLETION_INDEX), or leave out --shard-count',
    ]);
  });

  it('names the variable when the count comes from the environment', async () => {
    const result = await runCli(['run', '--demo', '--output', '-'], { SECURESCORE_SHARD_COUNT: '2' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SECURESCORE_SHARD_COUNT: 2 without JOB_COMPLETION_INDEX');
  });

  it('runs with --shard-count 1 alone, and with an index', async () => {
    const one = await runCli(['run', '--demo', '--days', '2', '-q', '--shard-count', '1', '--output', '-']);
    expect(one.code, one.stderr).toBe(0);
    const indexed = await runCli(['run', '--demo', '--days', '2', '-q', '--shard-count', '3', '--output', '-'], {
      JOB_COMPLETION_INDEX: '0',
    });
    expect(indexed.code, indexed.stderr).toBe(0);
  });
});
