import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useAzurite } from '../support/azurite.js';
import { DCR_ID, startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** The doctor's PASS/FAIL lines, by check name. */
function lines(stderr: string): Map<string, string> {
  return new Map(
    stderr
      .split('\n')
      .filter((l) => /^(PASS|FAIL) /.test(l))
      .map((l) => {
        const [status, rest] = [l.slice(0, 4), l.slice(5)];
        const name = rest.slice(0, rest.indexOf(':'));
        return [name, `${status} ${rest.slice(name.length + 2)}`];
      }),
  );
}

describe('doctor against the stand-ins', () => {
  let world: World;
  let cwd: string;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());
  afterEach(() => {
    world.ingestion.denyAll = false;
    world.ingestion.wrongEndpoint = false;
  });
  const doctor = (extra: string[] = [], env: Record<string, string> = world.env) => {
    cwd = tempDir('securescore-doctor-');
    return runCli(['doctor', ...world.flags, ...extra], env, { cwd });
  };

  it('passes every check on a deployment wired right, and writes no row', async () => {
    const result = await doctor();
    expect(result.code, result.stderr).toBe(0);
    const checks = lines(result.stderr);
    expect([...checks.keys()]).toEqual([
      'configuration',
      'local-files',
      'graph-token',
      'graph-secure-scores',
      'graph-control-profiles',
      'ingestion-token',
      'dcr-stream',
      'state-store',
      'dead-letter',
    ]);
    expect([...checks.values()].every((l) => l.startsWith('PASS'))).toBe(true);
    expect(checks.get('graph-secure-scores')).toBe(
      `PASS latest snapshot ${String(world.graph.data.secureScores[0]!.createdDateTime).slice(0, 10)}: 158 of 314`,
    );
    expect(checks.get('dcr-stream')).toBe(`PASS an empty batch was accepted by ${DCR_ID}/Custom-MicrosoftSecureScore`);
    expect(world.ingestion.log.some((l) => l.startsWith('204'))).toBe(true);
    expect(world.ingestion.accepted).toEqual([]);
    expect(result.stderr).toContain('doctor: all 9 checks passed');
  });

  it('proves the DCR through one throttled answer: a check retries once, as its Graph checks do', async () => {
    world.ingestion.faults.add({ match: /streams/, status: 429 });
    const result = await doctor();
    expect(result.code, result.stderr).toBe(0);
    expect(world.ingestion.faults.served).toHaveLength(1);
    expect(lines(result.stderr).get('dcr-stream')).toBe(`PASS an empty batch was accepted by ${DCR_ID}/Custom-MicrosoftSecureScore`);
  });

  it('names the missing Graph permission and consent when Graph answers 403', async () => {
    world.graph.faults.add({
      match: /secureScores\?/,
      status: 403,
      body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } },
    });
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(lines(result.stderr).get('graph-secure-scores')).toMatch(
      /^FAIL Graph .*HTTP 403 \(Authorization_RequestDenied\).*Grant the Microsoft Graph application permission SecurityEvents\.Read\.All .* admin consent/,
    );
    expect(lines(result.stderr).get('graph-control-profiles')).toMatch(/^PASS/);
  });

  it('names the missing role when the DCR refuses the identity', async () => {
    world.ingestion.denyAll = true;
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(lines(result.stderr).get('dcr-stream')).toMatch(
      /^FAIL HTTP 403: .*"Monitoring Metrics Publisher" role on the data collection rule/,
    );
  });

  it('tells an endpoint of another region or DCE apart from a missing role', async () => {
    world.ingestion.wrongEndpoint = true;
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(lines(result.stderr).get('dcr-stream')).toMatch(
      /^FAIL HTTP 403: .*The endpoint is not this DCR's \(another data collection endpoint, or another region\)/,
    );
    expect(lines(result.stderr).get('dcr-stream')).not.toContain('Monitoring Metrics Publisher" role');
  });

  it.each([
    [
      'a wrong DCR immutable id',
      ['--dcr-immutable-id', 'dcr-ffffffffffffffffffffffffffffffff'],
      /^FAIL HTTP 404: .*No DCR with that immutable id behind this endpoint\. Check --dcr-immutable-id/,
    ],
    [
      'a wrong stream',
      ['--stream-name', 'Custom-SecureScore'],
      /^FAIL HTTP 404: .*The stream is not declared in this DCR\. Check --stream-name/,
    ],
    [
      'an endpoint nobody answers',
      ['--ingestion-endpoint', 'https://127.0.0.1:9'],
      /^FAIL no answer from https:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)\. Check --ingestion-endpoint/,
    ],
  ])('names %s', async (_name, flags, message) => {
    const result = await doctor(flags);
    expect(result.code).toBe(1);
    expect(lines(result.stderr).get('dcr-stream')).toMatch(message);
  });

  it('fails the token checks with the reason when the secret is wrong', async () => {
    const result = await doctor([], { ...world.env, AZURE_CLIENT_SECRET: 'wrong' });
    expect(result.code).toBe(1);
    const checks = lines(result.stderr);
    expect(checks.get('graph-token')).toMatch(/^FAIL Authentication: no token for Microsoft Graph .*AADSTS7000215/);
    expect(checks.get('ingestion-token')).toMatch(/^FAIL /);
    expect(checks.has('graph-secure-scores')).toBe(false);
  });

  it('fails the state check when the checkpoint file cannot be written', async () => {
    const dir = tempDir('securescore-doctor-');
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const result = await doctor(['--state', join(dir, 'not-a-folder', 'checkpoint.json')]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr).get('state-store')).toMatch(
      /^FAIL State: cannot write next to .*checkpoint\.json \((ENOTDIR|EEXIST)\)\. Point --state at a writable path/,
    );
  });

  it('stops at the configuration check with exit 2 when the flags are wrong', async () => {
    const result = await doctor(['--days', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('FAIL configuration: --days: 0 is out of range. Use a whole number from 1 to 90');
  });

  describe('with blob state (Azurite)', () => {
    const azurite = useAzurite();

    it('passes when the container is writable and names the fix when it does not exist', async () => {
      const env = { ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite().connectionString };
      const ok = await doctor(['--state', azurite().blobUrl('state', 'checkpoints')], env);
      expect(lines(ok.stderr).get('state-store')).toBe('PASS checkpoint blobs state/checkpoints/ is writable');
      const missing = await doctor(['--state', azurite().blobUrl('nope', 'checkpoints')], env);
      expect(lines(missing.stderr).get('state-store')).toMatch(
        /^FAIL State: could not write checkpoint blob nope\/checkpoints\/\.doctor-probe \(HTTP 404 ContainerNotFound: the container does not exist\)\. Create the container named in the URL/,
      );
    });
  });
});
