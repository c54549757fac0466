import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { useAzurite } from '../support/azurite.js';
import { DCR_ID, startWorld, type World } from '../support/fixture.js';
import { CLI_PATH, cliEnv, runCli, type CliResult } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** Records of one demo backfill: every one is refused when the DCR answers 403. */
const BACKFILL_RECORDS = 2026;

/** The blob URL run printed after "replay". */
function replayTarget(stderr: string): string {
  const match = /securescore-connector replay (\S+)/.exec(stderr);
  if (!match) throw new Error(`no replay command in:\n${stderr}`);
  return match[1]!;
}

const ndjsonLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('dead letters that survive the job', () => {
  let world: World;
  const azurite = useAzurite();
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());
  afterEach(() => {
    world.ingestion.denyAll = false;
  });

  const blobEnv = () => ({ ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString });
  const replayFlags = () => [
    '--authority-host',
    world.entra.url,
    '--ingestion-endpoint',
    world.ingestion.url,
    '--dcr-immutable-id',
    DCR_ID,
  ];
  const blobNames = async (prefix: string) => {
    const names: string[] = [];
    for await (const b of azurite().service.getContainerClient('state').listBlobsFlat({ prefix })) names.push(b.name);
    return names;
  };
  const blobText = async (name: string) =>
    (await azurite().service.getContainerClient('state').getBlobClient(name).downloadToBuffer()).toString('utf8');

  it('keeps the dead letter of a run with blob state in <container>/dead-letter/, and replay <blob url> re-sends and deletes it', async () => {
    const cwd = tempDir('securescore-dead-letter-');
    world.ingestion.denyAll = true;
    const run = await runCli(['run', ...world.flags, '--state', azurite().blobUrl('state', 'checkpoints')], blobEnv(), { cwd });
    expect(run.code, run.stderr).toBe(1);

    const [name, ...others] = await blobNames('dead-letter/');
    expect(others).toEqual([]);
    expect(name).toMatch(new RegExp(`^dead-letter/${DEMO_TENANT_ID}-[0-9a-f-]{36}\\.ndjson$`));
    expect(ndjsonLines(await blobText(name!))).toHaveLength(BACKFILL_RECORDS);
    const url = replayTarget(run.stderr);
    expect(url).toBe(azurite().blobUrl('state', name!));
    expect(run.stderr).toContain(`Dead letter: ${BACKFILL_RECORDS} refused record(s) saved to ${url}.`);
    // Nothing on the replica's disk: it would be gone with it.
    expect(readdirSync(cwd)).toEqual([]);

    world.ingestion.denyAll = false;
    const before = world.ingestion.accepted.length;
    const replay = await runCli(['replay', url, ...replayFlags()], blobEnv(), { cwd });
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toContain(`replay: ${url}: ${BACKFILL_RECORDS} of ${BACKFILL_RECORDS} record(s) accepted; removed`);
    expect(world.ingestion.accepted.length - before).toBe(BACKFILL_RECORDS);
    expect(await blobNames('dead-letter/')).toEqual([]);
  });

  it('replay --all over a blob folder deletes the dead letter that was accepted and keeps, unchanged, the one still refused', async () => {
    const cwd = tempDir('securescore-dead-letter-');
    const folder = azurite().blobUrl('state', 'replay-all');
    world.ingestion.denyAll = true;
    const run = await runCli(
      ['run', ...world.flags, '--state', azurite().blobUrl('state', 'checkpoints-all'), '--dead-letter', folder],
      blobEnv(),
      { cwd },
    );
    expect(run.code, run.stderr).toBe(1);
    const [accepted] = await blobNames('replay-all/');
    // A second dead letter the DCR refuses again (a column it does not declare), and a line that is no record.
    const refused = '{"RecordType":"DailyScore","RecordId":"r-1","NotAColumn":1}\nnot json at all\n';
    await azurite().service.getContainerClient('state').getBlockBlobClient('replay-all/zz-refused.ndjson').upload(refused, refused.length);

    world.ingestion.denyAll = false;
    const replay = await runCli(['replay', '--all', folder, ...replayFlags()], blobEnv(), { cwd });
    expect(replay.code, replay.stderr).toBe(1);
    const refusedUrl = azurite().blobUrl('state', 'replay-all/zz-refused.ndjson');
    expect(replay.stderr).toContain(
      `replay: ${azurite().blobUrl('state', accepted!)}: ${BACKFILL_RECORDS} of ${BACKFILL_RECORDS} record(s) accepted; removed`,
    );
    expect(replay.stderr).toContain(`replay: ${refusedUrl}: 0 of 1 record(s) accepted; 2 line(s) kept (1 line(s) are not records`);
    expect(replay.stderr).toContain(
      `replay: 2 dead letter(s): ${BACKFILL_RECORDS} of ${BACKFILL_RECORDS + 1} record(s) accepted; 1 removed, 1 kept`,
    );
    expect(await blobNames('replay-all/')).toEqual(['replay-all/zz-refused.ndjson']);
    expect(await blobText('replay-all/zz-refused.ndjson')).toBe(refused);
  });

  it('doctor checks that the dead-letter blob folder is writable and names the fix when its container does not exist', async () => {
    const doctor = (folder: string) =>
      runCli(['doctor', ...world.flags, '--state', azurite().blobUrl('state', 'checkpoints'), '--dead-letter', folder], blobEnv(), {
        cwd: tempDir('securescore-dead-letter-'),
      });
    const ok = await doctor(azurite().blobUrl('state', 'dead-letter'));
    expect(ok.stderr).toMatch(/^PASS dead-letter: blob folder state\/dead-letter\/ is writable$/m);
    const missing = await doctor(azurite().blobUrl('nope', 'dead-letter'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^FAIL dead-letter: Dead letter: could not write dead-letter blob nope\/dead-letter\/\.doctor-probe \(HTTP 404 ContainerNotFound: the container does not exist\)\. Create the container named in the URL/m,
    );
    expect(await blobNames('dead-letter/.doctor-probe')).toEqual([]);
  });
});

/** Runs the CLI with a file size limit of 1 KiB: writes past it fail with EFBIG, as on a full disk. */
function runCliOnFullDisk(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'ulimit -f 1 && exec "$0" "$@"', process.execPath, CLI_PATH, ...args], {
      cwd,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('replaying a dead-letter file', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());

  it('leaves the file whole when the disk is full during the rewrite, and rewrites it 0600 once there is room', async () => {
    const cwd = tempDir('securescore-dead-letter-');
    world.ingestion.denyAll = true;
    const run = await runCli(['run', ...world.flags], world.env, { cwd });
    world.ingestion.denyAll = false;
    expect(run.code, run.stderr).toBe(1);
    const file = join(cwd, replayTarget(run.stderr));
    // A line that is no record stays after the replay, so the file must be rewritten, and it is over the limit.
    const garbage = `not a record ${'x'.repeat(4000)}`;
    writeFileSync(file, `${readFileSync(file, 'utf8')}${garbage}\n`);
    const original = readFileSync(file, 'utf8');
    const flags = ['--authority-host', world.entra.url, '--ingestion-endpoint', world.ingestion.url, '--dcr-immutable-id', DCR_ID];

    const full = await runCliOnFullDisk(['replay', file, ...flags], world.env, cwd);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toMatch(
      new RegExp(
        `Dead letter: could not update .*\\.ndjson \\(EFBIG\\); it is unchanged\\. .* Its ${BACKFILL_RECORDS} accepted record\\(s\\) are still in it: replaying it again sends them twice`,
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(readdirSync(join(cwd, 'dead-letter'))).toEqual([file.split('/').pop()]);

    const roomy = await runCli(['replay', file, ...flags], world.env, { cwd });
    expect(roomy.code, roomy.stderr).toBe(1);
    expect(roomy.stderr).toContain(`of ${BACKFILL_RECORDS} record(s) accepted; 1 line(s) kept (1 line(s) are not records`);
    expect(readFileSync(file, 'utf8')).toBe(`${garbage}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replay --all over a folder removes every file that was accepted and exits 0', async () => {
    const cwd = tempDir('securescore-dead-letter-');
    const folder = join(cwd, 'kept');
    world.ingestion.denyAll = true;
    for (const days of ['3', '5']) {
      const state = join(cwd, `state-${days}.json`);
      const run = await runCli(['run', ...world.flags, '--days', days, '--state', state, '--dead-letter', folder], world.env, { cwd });
      expect(run.code, run.stderr).toBe(1);
    }
    world.ingestion.denyAll = false;
    expect(readdirSync(folder)).toHaveLength(2);
    const replay = await runCli(
      [
        'replay',
        '--all',
        folder,
        ...['--authority-host', world.entra.url],
        ...['--ingestion-endpoint', world.ingestion.url],
        '--dcr-immutable-id',
        DCR_ID,
      ],
      world.env,
      { cwd },
    );
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(/replay: 2 dead letter\(s\): (\d+) of \1 record\(s\) accepted; 2 removed, 0 kept/);
    expect(existsSync(folder) && readdirSync(folder)).toEqual([]);
  });
});
