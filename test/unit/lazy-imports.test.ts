import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sourceFiles('src').map((file) => ({ file: relative('src', file), text: readFileSync(file, 'utf8') }));

/** The SDKs the commands load on first use (start-up.test.ts proves which command loads which). */
const LAZY = /^(@azure\/(identity|storage-blob|monitor-ingestion|core-rest-pipeline)|@microsoft\/microsoft-graph-client)(\/|$)/;

describe('lazy loading', () => {
  it('imports the Azure SDKs nowhere at module load: only types, or inside the function that first needs them', () => {
    const eager = files.flatMap(({ file, text }) =>
      [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].filter((m) => LAZY.test(m[1]!)).map((m) => `${file}: ${m[1]}`),
    );
    expect(eager).toEqual([]);
  });

  it('keeps the layers for modules imported on demand too (architecture.test.ts reads only static imports)', () => {
    const dynamic = files.flatMap(({ file, text }) =>
      [...text.matchAll(/import\('(\.{1,2}\/[^']+)'\)/g)].map((m) => [file, relative('src', join('src', file, '..', m[1]!))] as const),
    );
    // Every module loaded on demand today sits next to its importer; one from another folder would
    // need the layer check of architecture.test.ts applied here.
    expect(dynamic.length).toBeGreaterThan(0);
    expect(dynamic.filter(([from, to]) => from.split('/')[0] !== to.split('/')[0])).toEqual([]);
  });
});
