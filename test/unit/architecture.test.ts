import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of src/, lowest first (docs/ARCHITECTURE.md draws them). A module imports only from its
 * own folder or from a lower layer: never back up.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'fixes.ts', 'lazy.ts', 'limits.ts', 'version.ts', 'http', 'schema', 'storage'],
  ['config'],
  ['auth'],
  ['normalize', 'sentinel', 'report'],
  ['source', 'sink', 'state'],
  ['run'],
  ['cli'],
];

function layerOf(path: string): number {
  const top = path.split('/')[0]!;
  const layer = LAYERS.findIndex((names) => names.includes(top));
  if (layer < 0) throw new Error(`${path} is in no layer: add its folder to LAYERS and to docs/ARCHITECTURE.md`);
  return layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of src/, as [importer, imported] paths relative to src/. */
function imports(): Array<[string, string]> {
  return sourceFiles('src').flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m): [string, string] => [
      relative('src', file),
      relative('src', join(file, '..', m[1]!)).replace(/\.js$/, '.ts'),
    ]);
  });
}

describe('architecture', () => {
  it('has no import from a lower layer back up to a higher one', () => {
    const backwards = imports().filter(([from, to]) => from.split('/')[0] !== to.split('/')[0] && layerOf(to) > layerOf(from));
    expect(backwards).toEqual([]);
  });

  it('keeps build-time code out of src/ (it ships in the package)', () => {
    const buildTime = sourceFiles('src').filter((f) => /write-templates|content\/|dcr-template/.test(f));
    expect(buildTime).toEqual([]);
  });
});
