import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { startWorld, tenantData, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/**
 * A Graph string built to break a log: a SAS-like `&sig=` followed by a quote and a brace (redaction
 * run over serialized JSON ate the escape before the quote), a terminal escape that clears the screen,
 * a bell, a newline followed by a forged line of a run that succeeded, a line separator and a C1 CSI.
 * Short enough to be quoted whole where Graph's error code is (80 characters).
 */
const FORGED = '2026-01-01T00:00:00.000Z t: finished Succeeded';
const HOSTILE = `x&sig=abc"}\u001b[2J\u0007\n${FORGED}\u2028\u009b31m`;

// C0 but the newline that ends each line, DEL, C1, the Unicode line and paragraph separators, bidi controls.
// eslint-disable-next-line no-control-regex
const LINE_BREAKERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The demo tenant, with a state update Graph sent without a usable date: a warning quotes its state. */
function hostileTenant() {
  const data = tenantData(DEMO_TENANT_ID);
  const profile = data.profiles[0]!;
  profile.controlStateUpdates = [
    ...(Array.isArray(profile.controlStateUpdates) ? profile.controlStateUpdates : []),
    { state: HOSTILE, updatedBy: 'admin@contoso.com', updatedDateTime: 'never', comment: HOSTILE },
  ];
  return data;
}

/** stderr as lines without their newlines; the last line must end with one. */
function linesOf(stderr: string): string[] {
  expect(stderr.endsWith('\n')).toBe(true);
  return stderr.slice(0, -1).split('\n');
}

describe('untrusted text from Graph stays inert in every log line (issue 24 rows 12 and 13)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(hostileTenant());
  });
  afterAll(async () => world.close());

  const scenarios = {
    'a state update without a date, whose state a warning quotes': () => {},
    'a Graph error whose code a problem line quotes': () =>
      world.graph.faults.add({ match: /secureScores/, status: 403, body: { error: { code: HOSTILE, message: 'denied' } } }),
  };
  const cases = Object.keys(scenarios).flatMap((scenario) => (['json', 'text'] as const).map((format) => [format, scenario] as const));

  it.each(cases)('%s: %s', async (format, scenario) => {
    world.graph.faults.clear();
    scenarios[scenario as keyof typeof scenarios]();
    const result = await runCli(['run', ...world.flags, '--days', '3', '--log-format', format], world.env, {
      cwd: tempDir('securescore-inert-'),
    });
    expect(result.code, result.stderr).not.toBeNull();
    const lines = linesOf(result.stderr);
    // Nothing raw that ends a line, moves the cursor or drives the terminal; no secret.
    expect(result.stderr).not.toMatch(LINE_BREAKERS);
    expect(result.stderr).not.toContain('sig=abc');
    if (format === 'json') {
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
      const messages = lines.map((l) => (JSON.parse(l) as { message: string }).message);
      // The hostile string did reach a line, redacted, its quote kept as data.
      expect(messages.filter((m) => m.includes('&sig=REDACTED"}')).length, result.stderr).toBeGreaterThan(0);
    } else {
      expect(lines.filter((l) => l.includes('&sig=REDACTED"}')).length, result.stderr).toBeGreaterThan(0);
      expect(lines.filter((l) => l.startsWith(FORGED))).toEqual([]);
    }
  });
});
