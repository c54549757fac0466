import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { demoNewestDay } from '../../src/source/demo-data.js';

/**
 * The tests' one clock: every date-sensitive fixture is dated from the clock the tests run under, never
 * from a date written in a test, so the suite passes on any day (CI also runs it under faketime with
 * the clock moved). Pure unit tests pass their own fixed `now` instead and do not read this.
 */

/** The newest snapshot day the Graph stand-in serves: yesterday by the tests' clock, as Graph would. */
export function fixtureNewestDay(): string {
  return demoNewestDay(new Date());
}

/** The day `n` days after `day` (before, for a negative `n`). */
export function dayPlus(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The variables that put a child process on the tests' clock: under `npm run test:clocks` (faketime),
 * LD_PRELOAD and FAKETIME*, so the CLI and the stand-ins' certificate agree on the moved date. Every
 * child that is given its own environment passes these on; empty on an unmoved clock.
 */
export function childClockEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME')),
    ),
  );
}

/**
 * Makes `path` look last written `minutes` ago by the filesystem's own clock (what lock ages are judged
 * by): a probe written beside it says what "now" is there, whatever clock this process runs under.
 */
export function ageFile(path: string, minutes: number): void {
  const probe = `${path}.now-probe`;
  writeFileSync(probe, '');
  const now = statSync(probe).mtimeMs;
  rmSync(probe);
  const then = new Date(now - minutes * 60_000);
  utimesSync(path, then, then);
}
