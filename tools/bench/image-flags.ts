import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's Dockerfile: beside the package.json above this file (tools/bench/ or .build/tools/bench/). */
function projectDockerfile(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'Dockerfile');
    if (dirname(dir) === dir) throw new Error('bench: no package.json above tools/bench; run it from the project');
  }
}

/**
 * The node flags of the image's ENTRYPOINT (`["node", "--max-old-space-size=384", "/app/dist/..."]`),
 * so the bench measures the CLI as it is shipped: without the heap cap V8 collects lazily and peak
 * RSS shows garbage, not what the run holds. Empty when the Dockerfile has no such ENTRYPOINT.
 */
export function imageNodeFlags(dockerfile = readFileSync(projectDockerfile(), 'utf8')): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (!line) return [];
  const argv = JSON.parse(line) as unknown;
  if (!Array.isArray(argv) || argv[0] !== 'node') return [];
  return argv.slice(1).filter((a): a is string => typeof a === 'string' && a.startsWith('--'));
}

/** The NODE_OPTIONS the CLI runs with here: BENCH_CHILD_NODE_OPTIONS when set (even empty), else the image's flags. */
export function childNodeOptions(env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_CHILD_NODE_OPTIONS ?? imageNodeFlags().join(' ');
}
