import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const RECORDER = fileURLToPath(new URL('../support/record-modules.mjs', import.meta.url));
const SDKS = ['@azure/identity', '@azure/storage-blob', '@azure/monitor-ingestion', '@microsoft/microsoft-graph-client'] as const;

/** Runs the built CLI with the module recorder preloaded; answers its result and the packages it loaded. */
async function runRecorded(args: string[], env: Record<string, string> = {}) {
  const file = join(tempDir('securescore-modules-'), 'modules.txt');
  const result = await runCli(args, { ...env, NODE_OPTIONS: `--import=${RECORDER}`, RECORD_MODULES_FILE: file });
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  return { ...result, urls, packages };
}

describe('start-up loads only what the command needs', () => {
  it('answers --version without yargs or any Azure SDK', async () => {
    const { code, stdout, urls, packages } = await runRecorded(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    // The recorder saw the entry point, so an empty package list means none was loaded.
    expect(urls.some((u) => u.endsWith('/dist/cli/index.js'))).toBe(true);
    expect([...packages]).toEqual([]);
  });

  it('prints --help through yargs without loading any Azure SDK', async () => {
    const { code, stdout, packages } = await runRecorded(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('securescore-connector run');
    expect(packages.has('yargs')).toBe(true);
    for (const sdk of SDKS) expect(packages.has(sdk), sdk).toBe(false);
    expect(packages.has('@azure/core-rest-pipeline')).toBe(false);
  });

  it('runs the demo to an NDJSON file without loading any Azure SDK', async () => {
    const out = join(tempDir('securescore-demo-'), 'out.ndjson');
    const { code, stderr, packages } = await runRecorded(['run', '--demo', '--output', out]);
    expect(code, stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBeGreaterThan(2000);
    for (const sdk of SDKS) expect(packages.has(sdk), sdk).toBe(false);
    expect(packages.has('@azure/core-rest-pipeline')).toBe(false);
  });

  describe('a real run', () => {
    let world: World;
    beforeAll(async () => {
      world = await startWorld();
    });
    afterAll(async () => {
      await world.close();
    });

    it('with a state file and NDJSON output loads identity and the Graph client, but neither blob storage nor ingestion', async () => {
      const dir = tempDir('securescore-run-');
      const flags = ['--authority-host', world.entra.url, '--graph-endpoint', world.graph.url, '--retry-base-ms', '20'];
      const { code, stderr, packages } = await runRecorded(
        ['run', ...flags, '--output', join(dir, 'out.ndjson'), '--state', join(dir, 'state.json'), '--days', '2'],
        world.env,
      );
      expect(code, stderr).toBe(0);
      expect(packages.has('@azure/identity')).toBe(true);
      expect(packages.has('@microsoft/microsoft-graph-client')).toBe(true);
      expect(packages.has('@azure/storage-blob')).toBe(false);
      expect(packages.has('@azure/monitor-ingestion')).toBe(false);
      // A JSON-free run needs no YAML parser: there is no tenants file at all.
      expect(packages.has('yaml')).toBe(false);
    });
  });
});
