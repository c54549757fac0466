/**
 * Settings errors name what the user typed: the flag, or the variable, with the value and the fix.
 * These were CLI spawns in test/e2e/operator.test.ts; the messages come from buildConfig (and, for
 * doctor and replay, from the command reading it), so they are checked here without a process. The
 * flags go through the same yargs declaration the CLI uses (withOptions), so a flag's value reaches
 * buildConfig as the CLI would pass it; operator.test.ts keeps one spawn for the wiring (exit 2, one
 * line on stderr).
 */
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { doctorCommand } from '../../src/cli/doctor-command.js';
import { withOptions } from '../../src/cli/options.js';
import { replayCommand } from '../../src/cli/replay-command.js';
import { buildConfig, type CliArgs } from '../../src/config/config.js';
import type { CommandName } from '../../src/config/options.js';
import { ConnectorError, exitCodeFor } from '../../src/errors.js';

/** The flags as the CLI's yargs declaration of `command` parses them (the command word left out). */
function typed(command: CommandName, words: string[]): CliArgs {
  return withOptions(yargs(words), command).strict().exitProcess(false).parseSync();
}

/** The lines of the CONFIG error buildConfig throws; fails the test when it throws something else or nothing. */
function refusal(args: CliArgs, env: NodeJS.ProcessEnv, command: CommandName = 'run'): string[] {
  let error: unknown;
  try {
    buildConfig(args, env, command);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).code).toBe('CONFIG');
  expect(exitCodeFor((error as ConnectorError).code)).toBe(2);
  return (error as ConnectorError).message.split('\n');
}

describe('settings errors name what the user typed', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    [
      'a boolean variable that is not true/false/1/0',
      [],
      { SECURESCORE_DEMO: 'yes' },
      'SECURESCORE_DEMO: "yes" is not a boolean. Use true, false, 1 or 0',
    ],
    [
      'a number variable that is not a number',
      ['--demo'],
      { SECURESCORE_DAYS: 'abc' },
      'SECURESCORE_DAYS: "abc" is not a number. Use a whole number from 1 to 90',
    ],
    [
      'a number flag that is not a number',
      ['--demo', '--days', 'abc'],
      {},
      '--days: "abc" is not a number. Use a whole number from 1 to 90',
    ],
    ['--quiet with --verbose', ['--demo', '-q', '-v'], {}, '--quiet: set together with --verbose. Choose one of them'],
  ])('refuses %s as a CONFIG error (exit 2), in those words', (_, words, env, message) => {
    expect(refusal(typed('run', words), env)).toContain(message);
  });

  it('names the flag, not the variable, when both are set', () => {
    expect(refusal(typed('run', ['--demo', '--days', 'abc']), { SECURESCORE_DAYS: '7' })).toEqual([
      '--days: "abc" is not a number. Use a whole number from 1 to 90',
    ]);
  });

  it('refuses doctor without a destination as run judges it: one FAIL line and exit 2, before any check', async () => {
    const lines: string[] = [];
    const code = await doctorCommand(typed('doctor', []), { log: (line) => lines.push(line), env: {} });
    expect(code).toBe(2);
    expect(lines).toEqual([expect.stringMatching(/^FAIL configuration: doctor: no destination\. Set --ingestion-endpoint/)]);
  });

  it('refuses replay without an endpoint in its own words, naming neither run nor --output', async () => {
    const error = await replayCommand({ ...typed('replay', []), file: 'f.ndjson' }, { log: () => {}, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect(exitCodeFor((error as ConnectorError).code)).toBe(2);
    expect((error as ConnectorError).message).toMatch(/^replay: no destination\. Set --ingestion-endpoint and --dcr-immutable-id/);
    expect((error as ConnectorError).message).not.toMatch(/--output|\brun\b/);
  });
});
