import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('usage errors', () => {
  it('names a flag given without its value and exits 2, as for any other usage error', async () => {
    const result = await runCli(['run', '--demo', '--output']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('--output: no value given. Give a file name, or - for stdout');
    expect(result.stderr).not.toContain('unexpected error');
  });
});
