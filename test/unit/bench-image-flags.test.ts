import { describe, expect, it } from 'vitest';
import { childNodeOptions, imageNodeFlags } from '../../tools/bench/image-flags.js';

describe('the bench runs the CLI as the image does', () => {
  it.each([
    ['ENTRYPOINT ["node", "--max-old-space-size=384", "/app/dist/cli/index.js"]\nCMD ["run"]', ['--max-old-space-size=384']],
    [
      'ENTRYPOINT ["node", "--max-old-space-size=384", "--max-semi-space-size=8", "/app/dist/cli/index.js"]',
      ['--max-old-space-size=384', '--max-semi-space-size=8'],
    ],
    ['ENTRYPOINT ["node", "/app/dist/cli/index.js"]', []],
    ['ENTRYPOINT ["/bin/sh", "-c", "node --x /app"]', []],
    ['FROM node:22', []],
  ])('reads the node flags of %j', (dockerfile, flags) => {
    expect(imageNodeFlags(dockerfile)).toEqual(flags);
  });

  it("uses the project Dockerfile's flags unless BENCH_CHILD_NODE_OPTIONS is set, even to nothing", () => {
    expect(childNodeOptions({})).toMatch(/^--max-old-space-size=\d+ --max-semi-space-size=\d+$/);
    expect(childNodeOptions({ BENCH_CHILD_NODE_OPTIONS: '' })).toBe('');
    expect(childNodeOptions({ BENCH_CHILD_NODE_OPTIONS: '--stack-size=2000' })).toBe('--stack-size=2000');
  });
});
