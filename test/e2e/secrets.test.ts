import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SECRET, startWorld, type World } from '../support/fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';
import { makeSelfSignedCertificate } from '../support/tls.js';

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no secret or token in any output', () => {
  let world: World;
  let cwd: string;
  let certificatePem: string;
  let certificatePath: string;
  const outputs: Array<{ scenario: string; text: string }> = [];

  beforeAll(async () => {
    world = await startWorld();
    cwd = tempDir('securescore-secrets-');
    certificatePath = join(cwd, 'client.pem');
    makeSelfSignedCertificate(certificatePath, join(cwd, 'cert-only.pem'), '/CN=securescore-test');
    certificatePem = readFileSync(certificatePath, 'utf8') + readFileSync(join(cwd, 'cert-only.pem'), 'utf8');
    execFileSync('sh', ['-c', `cat ${join(cwd, 'cert-only.pem')} >> ${certificatePath}`]);
  });
  afterAll(async () => world.close());

  const record = (scenario: string, result: CliResult) => outputs.push({ scenario, text: `${result.stdout}\n${result.stderr}` });

  it('runs failing scenarios with known secrets, each ending as it should', async () => {
    // 1. a good secret, but ingestion refuses (403): records are dead-lettered to disk
    world.ingestion.denyAll = true;
    const denied = await runCli(['run', ...world.flags], world.env, { cwd });
    record('ingestion 403', denied);
    expect(denied.code).toBe(1);
    world.ingestion.denyAll = false;
    // 2. Graph rejects the token
    world.graph.faults.add({
      match: /secureScores/,
      status: 401,
      body: { error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' } },
    });
    const rejected = await runCli(
      ['run', ...world.flags, '--output', join(cwd, 'out.ndjson'), '--ingestion-endpoint', '', '--dcr-immutable-id', ''],
      world.env,
      { cwd },
    );
    record('Graph 401', rejected);
    expect(rejected.code, rejected.stderr).toBe(2);
    // 3. a wrong secret
    const wrong = await runCli(['run', ...world.flags], { ...world.env, AZURE_CLIENT_SECRET: `${CLIENT_SECRET}x` }, { cwd });
    record('wrong secret', wrong);
    expect(wrong.code).toBe(2);
    // 4. a certificate the authority does not accept
    const cert = await runCli(
      ['run', ...world.flags],
      {
        AZURE_TENANT_ID: world.env.AZURE_TENANT_ID!,
        AZURE_CLIENT_ID: world.env.AZURE_CLIENT_ID!,
        AZURE_CLIENT_CERTIFICATE_PATH: certificatePath,
      },
      { cwd },
    );
    record('certificate refused', cert);
    expect(cert.code).toBe(2);
    // 5. a usage error with the secret in the environment
    const usage = await runCli(['run', '--days', '0'], world.env, { cwd });
    record('usage error', usage);
    expect(usage.code).toBe(2);
    // 6. a successful run
    const ok = await runCli(['run', ...world.flags], world.env, { cwd });
    record('success', ok);
    expect(ok.code, ok.stderr).toBe(0);
    expect(world.entra.tokens.length).toBeGreaterThanOrEqual(4);
  });

  it('prints, writes and sends none of them', () => {
    const files = filesUnder(cwd).filter((f) => !f.endsWith('.pem'));
    expect(files.some((f) => f.includes('dead-letter'))).toBe(true);
    const haystacks = [
      ...outputs,
      ...files.map((f) => ({ scenario: f, text: readFileSync(f, 'utf8') })),
      { scenario: 'ingested records', text: JSON.stringify(world.ingestion.accepted) },
    ];
    const pemLines = certificatePem.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----'));
    const needles = [
      CLIENT_SECRET,
      `${CLIENT_SECRET}x`,
      ...pemLines,
      ...world.entra.tokens,
      ...world.entra.tokens.map((t) => t.split('.')[1]!),
    ];
    const leaks = haystacks.flatMap((h) => needles.filter((n) => h.text.includes(n)).map((n) => `${h.scenario}: ${n.slice(0, 12)}…`));
    expect(leaks).toEqual([]);
    expect(outputs.map((o) => o.text).join('\n')).not.toMatch(/Bearer\s+ey/);
  });
});
