import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inertText, Logger, type LogFormat } from '../../src/cli/log.js';
import { redactSecrets } from '../../src/errors.js';

/** The seed of every property here: FC_SEED to replay a failure, else a constant, so CI is repeatable. */
const SEED = Number(process.env.FC_SEED ?? 2413);
const RUNS = Number(process.env.FC_RUNS ?? 300);

// What no line may carry raw: C0 (newline included; a line's own end is checked apart), DEL, C1, the
// line and paragraph separators, bidi controls, and a lone surrogate.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;

const SECRET = '&sig=SECRET123';

/** Text that Graph, an SDK or a setting could hand a log line. */
const HOSTILE_FRAGMENTS = [
  '&sig=abc"}',
  'sig=abc\\',
  '\u001b[2J',
  '\u001b]0;title\u0007',
  '\n2026-01-01T00:00:00Z tenant x: finished Succeeded',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u009b31m',
  '\u202e',
  '\u007f',
  '\ud800',
  '"}\n{"level":"info","message":"forged"}',
  '\\u001b',
  'Bearer eyJabc.def',
];

/** Any UTF-16 code unit: C0, C1 and lone surrogates included. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) });
const untrusted = fc
  .array(fc.oneof(fc.string({ unit: 'binary' }), codeUnits, fc.constantFrom(...HOSTILE_FRAGMENTS)), { maxLength: 8 })
  .map((parts) => parts.join(''));
/** Untrusted text with a secret somewhere in it. */
const withSecret = fc.tuple(untrusted, untrusted).map(([before, after]) => `${before}${SECRET}${after}`);

/** One line written by a logger in `format`, with the message and field values given. */
function written(format: LogFormat, message: string, fields: Record<string, unknown>, stamped = false): string {
  const out: string[] = [];
  const logger = new Logger(
    (text) => out.push(text),
    () => new Date('2026-01-01T00:00:00Z'),
  );
  logger.format = format;
  logger.line('warn', message, fields, stamped);
  expect(out).toHaveLength(1);
  return out[0]!;
}

/** Exactly one line: ends with its newline and holds no other character that ends or rewrites a line. */
function expectOneInertLine(line: string): void {
  expect(line.endsWith('\n')).toBe(true);
  expect(line.slice(0, -1)).not.toMatch(UNSAFE);
  expect(line).not.toContain('SECRET123');
}

describe('log lines', () => {
  it(`json: any message and field values give one line that parses to them, secrets cut (fast-check seed ${SEED}, ${RUNS} runs)`, () => {
    console.log(`log-lines json property: fast-check seed ${SEED} (set FC_SEED to replay)`);
    fc.assert(
      fc.property(withSecret, withSecret, untrusted, withSecret, (message, tenantName, reason, note) => {
        const fields = { event: 'problem', tenantName, reason, nested: { note, list: [note, 3] } };
        const line = written('json', message, fields);
        expectOneInertLine(line);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        expect(parsed).toEqual({
          time: '2026-01-01T00:00:00.000Z',
          level: 'warn',
          event: 'problem',
          tenantName: redactSecrets(tenantName),
          reason: redactSecrets(reason),
          nested: { note: redactSecrets(note), list: [redactSecrets(note), 3] },
          message: redactSecrets(message),
        });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`text: any message gives one line with no control character, secrets cut (fast-check seed ${SEED}, ${RUNS} runs)`, () => {
    console.log(`log-lines text property: fast-check seed ${SEED} (set FC_SEED to replay)`);
    fc.assert(
      fc.property(withSecret, fc.boolean(), (message, stamped) => {
        const line = written('text', message, { tenantName: message }, stamped);
        expectOneInertLine(line);
        expect(line).toBe(`${stamped ? '2026-01-01T00:00:00.000Z ' : ''}${inertText(redactSecrets(message))}\n`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`inertText leaves text without unsafe characters as it is (fast-check seed ${SEED}, ${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        fc.pre(!UNSAFE.test(text));
        expect(inertText(text)).toBe(text);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it.each([
    ['a Graph string with a SAS signature before a quote (row 12)', 'x&sig=abc"} y', 'x&sig=REDACTED"} y'],
    ['a terminal escape and a bell (row 13)', 'a\u001b[2Jb\u0007', 'a\\u001b[2Jb\\u0007'],
    ['a newline before a forged line (row 13)', 'a\n2026-01-01T00:00:00Z t: Succeeded', 'a\\n2026-01-01T00:00:00Z t: Succeeded'],
    ['a carriage return, a tab, DEL and C1', 'a\rb\tc\u007fd\u0085e\u009bf', 'a\\rb\\tc\\u007fd\\u0085e\\u009bf'],
    ['line and paragraph separators, a bidi override', 'a\u2028b\u2029c\u202ed', 'a\\u2028b\\u2029c\\u202ed'],
    ['a lone surrogate (a pair is kept)', 'a\ud800b😀', 'a\\ud800b😀'],
  ])('text shows %s escaped on one line', (_what, message, shown) => {
    expect(written('text', message, {})).toBe(`${shown}\n`);
  });

  it.each([
    ['a Graph string with a SAS signature before a quote (row 12)', 'x&sig=abc"} y', 'x&sig=REDACTED"} y'],
    ['control characters, separators and C1', 'a\u001b[2J\n\u2028\u0085\u202e\ud800', 'a\u001b[2J\n\u2028\u0085\u202e\ud800'],
  ])('json keeps %s as data in a line that parses', (_what, message, parsedMessage) => {
    const line = written('json', message, { comment: message });
    expectOneInertLine(line);
    expect(JSON.parse(line)).toMatchObject({ message: parsedMessage, comment: parsedMessage });
  });
});
