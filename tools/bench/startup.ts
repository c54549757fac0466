import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureChild, type ChildMeasure } from './measure-child.js';
import { CLI_PATH } from './run-case.js';

/** `securescore-connector --version` and `node -e 0`, run alternately. */
export interface StartupResult {
  readonly cli: ChildMeasure[];
  readonly bareNode: ChildMeasure[];
}

/** What starting the CLI costs over starting Node: both with the same probe and environment. */
export async function measureStartup(repeats: number): Promise<StartupResult> {
  const dir = mkdtempSync(join(tmpdir(), 'securescore-bench-'));
  const options = { cwd: dir, probeFile: join(dir, 'probe.json') };
  const result: StartupResult = { cli: [], bareNode: [] };
  try {
    for (let i = 0; i < repeats; i++) {
      result.bareNode.push(await measureChild(['-e', '0'], {}, options));
      result.cli.push(await measureChild([CLI_PATH, '--version'], {}, options));
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
