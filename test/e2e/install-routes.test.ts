/**
 * The README's install routes, as users type them (issue 26 row 2): none fetches a package by a name
 * someone else could claim.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const npmFlags = ['--loglevel=error', '--no-audit', '--no-fund', '--prefer-offline'];

describe('installing as the README says', () => {
  it('builds the command executable, so npx runs it from a cache that already knows the clone', () => {
    // npx makes the bin executable only when it links the clone into its cache. With the cache warm
    // from an earlier clone at the same path, it links nothing, and a fresh build left at 0644 was
    // refused (CI of stop 30). The build itself sets the mode now.
    expect(statSync('dist/cli/index.js').mode & 0o111).toBe(0o111);
  });

  it('runs the clone’s own command with npx --no-install in the clone', () => {
    // npx links the clone into its own cache the first time and runs its `prepare` (the build), which
    // would rewrite dist/ under the tests running beside this one. npm test has built dist/ already,
    // so the child skips scripts, and it gets a cache of its own and no network: it finds the clone.
    const env = {
      ...process.env,
      npm_config_cache: tempDir('securescore-npx-cache-'),
      npm_config_ignore_scripts: 'true',
      npm_config_offline: 'true',
    };
    expect(run('npx', ['--no-install', 'securescore-connector', '--version'], process.cwd(), env).trim()).toBe(version);
  });

  it('installs the packed tarball globally, under the scoped name, as the command securescore-connector', () => {
    const packDir = tempDir('securescore-pack-');
    run('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts', ...npmFlags], process.cwd());
    const tarball = join(packDir, `securescore-connector-cli-${version}.tgz`);
    const prefix = tempDir('securescore-global-');
    run('npm', ['install', '-g', '--prefix', prefix, tarball, ...npmFlags], packDir);
    expect(readFileSync(join(prefix, 'lib', 'node_modules', '@securescore-connector', 'cli', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    expect(run('securescore-connector', ['--version'], packDir, env).trim()).toBe(version);
    expect(run('securescore-connector', ['report', '--help'], packDir, env)).toMatch(/-o, --output/);
  }, 180_000);
});
