/**
 * Offboarding a customer (issue 26 row 7): deploying the expected-tenants watchlist again adds and
 * updates its items but never deletes one, so a departed tenant would raise "expected tenant silent"
 * for ever. `watchlist --prune-script FILE` writes the script that deletes, from the deployed
 * watchlist, every tenant not in the current list. Run here against a stand-in `az`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const STAYS = ['0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b'];
const DEPARTED = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const BASE =
  'https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.OperationalInsights/workspaces/ws-1/providers/Microsoft.SecurityInsights/watchlists/SecureScoreExpectedTenants/watchlistItems';

/**
 * An `az` that answers `az rest` as Azure Resource Manager would for the watchlist's items, two per
 * page, and records every call (the deletes are what the test reads).
 */
function standInAz(dir: string): { bin: string; calls: () => string[] } {
  const items = [...STAYS, ...DEPARTED].map((tenantId, i) => ({
    name: `item-${i}`,
    properties: { itemsKeyValue: { TenantId: tenantId } },
  }));
  const log = join(dir, 'az.log');
  writeFileSync(join(dir, 'items.json'), JSON.stringify(items));
  const az = join(dir, 'az');
  writeFileSync(
    az,
    `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, args.join(' ') + '\\n');
const arg = (name) => args[args.indexOf(name) + 1];
if (args[0] !== 'rest') process.exit(3);
const url = new URL(arg('--url'));
if (arg('--method') === 'delete') process.exit(0);
const items = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, 'items.json'))}, 'utf8'));
const page = Number(url.searchParams.get('page') ?? 0);
const value = items.slice(page * 2, page * 2 + 2);
const more = (page + 1) * 2 < items.length;
const next = new URL(url); next.searchParams.set('page', String(page + 1));
const query = arg('--query');
if (query === 'nextLink') process.stdout.write(more ? next.toString() + '\\n' : '\\n');
else process.stdout.write(value.map((i) => i.name + '\\t' + i.properties.itemsKeyValue.TenantId).join('\\n') + '\\n');
`,
  );
  chmodSync(az, 0o755);
  return { bin: dir, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

describe('watchlist --prune-script', () => {
  let dir: string;
  let script: string;

  beforeAll(async () => {
    dir = tempDir('securescore-offboard-');
    writeFileSync(join(dir, 'tenants.yaml'), `tenants:\n${STAYS.map((t) => `  - tenantId: ${t.toUpperCase()}\n`).join('')}`);
    const result = await runCli(
      ['watchlist', '--tenants', 'tenants.yaml', '-o', 'expected-tenants.json', '--prune-script', 'prune.sh'],
      {},
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('watchlist: prune.sh removes every tenant not among these 2 from SecureScoreExpectedTenants');
    script = join(dir, 'prune.sh');
  });

  it('writes a script bash can run', () => {
    execFileSync('bash', ['-n', script]);
  });

  it('deletes the departed tenants from the deployed watchlist, every page of it, and keeps the others', () => {
    const fake = standInAz(dir);
    const out = execFileSync('bash', [script, 'sub-1', 'rg-1', 'ws-1'], {
      env: { PATH: `${fake.bin}:${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    });
    const deletes = fake.calls().filter((c) => c.includes('--method delete'));
    expect(deletes).toEqual([
      `rest --method delete --url ${BASE}/item-2?api-version=2023-02-01`,
      `rest --method delete --url ${BASE}/item-3?api-version=2023-02-01`,
    ]);
    expect(out).toContain(`removed ${DEPARTED[0]}`);
    expect(out).toContain('2 departed tenant(s) removed from SecureScoreExpectedTenants');
  });

  it('refuses to run without the workspace it prunes', () => {
    let code = 0;
    try {
      execFileSync('bash', [script], { stdio: 'pipe' });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});
