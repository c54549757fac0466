import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shellCommands } from '../support/markdown.js';

/**
 * Ready to publish under a name only we can publish to, and no documented command that could run a
 * stranger's package (issue 26 rows 2 and 10).
 */
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown> & {
  name: string;
  version: string;
  files: string[];
  bin: Record<string, string>;
  engines: { node: string };
  publishConfig?: { access?: string };
  scripts: Record<string, string>;
};

describe('the package', () => {
  it('has a scoped name, so only the owner of the scope can publish it, and is public once published', () => {
    expect(pkg.name).toBe('@securescore-connector/cli');
    expect(pkg.private).toBeUndefined();
    expect(pkg.publishConfig?.access).toBe('public');
    expect(pkg.bin).toEqual({ 'securescore-connector': 'dist/cli/index.js' });
  });

  it('ships what a deployment needs, and says which Node it runs on', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'kql', 'dcr-templates', 'deploy', 'LICENSE', 'CHANGELOG.md']));
    expect(pkg.engines.node).toBe('>=20.0.0');
  });

  it('carries the MIT licence its package.json names', () => {
    expect(pkg.license).toBe('MIT');
    const licence = readFileSync('LICENSE', 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(licence).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it('has a changelog whose newest entry is this version', () => {
    const changelog = readFileSync('CHANGELOG.md', 'utf8');
    const versions = [...changelog.matchAll(/^## \[?(\d+\.\d+\.\d+)\]?/gm)].map((m) => m[1]);
    expect(versions[0]).toBe(pkg.version);
  });
});

describe('the documented commands', () => {
  const documents = ['README.md', 'docs/deploy.md', 'docs/configuration.md', 'docs/sentinel-content.md'].filter((d) => existsSync(d));

  it.each(documents)('%s never runs the connector through npx without --no-install (npx would fetch whoever owns the name)', (doc) => {
    const npx = shellCommands(doc).filter((l) => /\bnpx\b/.test(l) && /securescore-connector/.test(l));
    expect(npx.filter((l) => !/\bnpx --no-install (@securescore-connector\/cli|securescore-connector)\b/.test(l))).toEqual([]);
  });

  it('README says how to install it: from the clone, from the packed tarball, and from the registry under the scoped name', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toMatch(/npm ci/);
    expect(readme).toMatch(/npm pack/);
    expect(readme).toMatch(/npm install -g \.\/securescore-connector-cli-\d+\.\d+\.\d+\.tgz/);
    expect(readme).toContain('npm install -g @securescore-connector/cli');
  });

  it('README deploys the approvers watchlist it tells how to write', () => {
    const lines = shellCommands('README.md');
    expect(lines.some((l) => /--approvers-output approvers\.json/.test(l))).toBe(true);
    expect(lines.some((l) => /az deployment group create .*--template-file approvers\.json/.test(l))).toBe(true);
  });

  it('nothing in a 0.x package tells how to upgrade from a 1.x that never existed', () => {
    for (const doc of ['README.md', 'docs/deploy.md', 'docs/configuration.md', 'CHANGELOG.md'])
      expect(readFileSync(doc, 'utf8'), doc).not.toMatch(/[Uu]pgrading from 1\.x/);
  });
});
