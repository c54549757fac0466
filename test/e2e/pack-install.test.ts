/**
 * No Docker engine runs here, so this proves the image's install path instead: the package as npm
 * packs it, installed with production dependencies only into an empty directory, runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--loglevel=error', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('npm pack, then install the tarball in an empty directory', () => {
  it('installs with production dependencies only and runs --help and the demo', () => {
    const packDir = tempDir('securescore-pack-');
    const tarball = npm(['pack', '--pack-destination', packDir, '--ignore-scripts'], process.cwd()).trim().split('\n').pop()!;
    const appDir = tempDir('securescore-install-');
    writeFileSync(join(appDir, 'package.json'), '{"name":"install-check","private":true}');
    npm(['install', '--omit=dev', join(packDir, tarball)], appDir);
    expect(existsSync(join(appDir, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(appDir, 'node_modules', 'typescript'))).toBe(false);

    const bin = join(appDir, 'node_modules', '.bin', 'securescore-connector');
    const help = execFileSync(bin, ['--help'], { cwd: appDir, encoding: 'utf8' });
    for (const command of ['run', 'replay', 'doctor']) expect(help).toContain(`securescore-connector ${command}`);

    const out = join(appDir, 'demo.ndjson');
    execFileSync(bin, ['run', '--demo', '--days', '3', '--output', out], {
      cwd: appDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const types = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { RecordType: string }).RecordType);
    expect(types.filter((t) => t === 'DailyScore')).toHaveLength(3);
    expect(types.filter((t) => t === 'ConnectorRun')).toHaveLength(1);
    // The package carries the content a deployment needs.
    for (const file of ['dcr-templates/securescore-dcr.json', 'kql/deploy/analytics-rules.json', 'README.md']) {
      expect(existsSync(join(appDir, 'node_modules', '@securescore-connector', 'cli', file)), file).toBe(true);
    }
  }, 180_000);
});
