import { describe, expect, it } from 'vitest';
import {
  fitField,
  htmlToText,
  MAX_FIELD_BYTES,
  toBoolean,
  toCategory,
  toIsoDate,
  toLevel,
  toNumber,
  toText,
} from '../../src/normalize/coerce.js';
import { Warnings } from '../../src/normalize/warnings.js';

describe('coercion of real Graph values', () => {
  it.each([
    [5, 5, undefined],
    ['12', 12, 'number-as-string'],
    [' 3.5 ', 3.5, 'number-as-string'],
    [null, null, undefined],
    ['', null, undefined],
    ['n/a', null, 'invalid-number'],
    [{}, null, 'invalid-number'],
    [Number.NaN, null, 'number-out-of-range'],
    ['0x10', null, 'invalid-number'],
  ])('toNumber(%j) is %j with warning %s', (input, expected, warning) => {
    const w = new Warnings();
    expect(toNumber(input, 'x', w)).toBe(expected);
    expect(Object.keys(w.counts)).toEqual(warning ? [warning] : []);
  });

  it('does not count numeric strings where Graph always sends strings', () => {
    const w = new Warnings();
    expect(toNumber('7', 'count', w, true)).toBe(7);
    expect(w.total).toBe(0);
  });

  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['False', false],
    [' TRUE ', true],
    ['yes', null],
    [1, null],
    [null, null],
  ])('toBoolean(%j) is %j', (input, expected) => {
    expect(toBoolean(input, 'on', new Warnings())).toBe(expected);
  });

  it.each([
    ['Low', 'Low'],
    ['low', 'Low'],
    ['Moderate', 'Moderate'],
    ['medium', 'Moderate'],
    ['MEDIUM', 'Moderate'],
    ['high', 'High'],
    [null, null],
    ['', null],
    ['Unknown', 'Unknown'],
  ])('toLevel(%j) is %j', (input, expected) => {
    expect(toLevel(input)).toBe(expected);
  });

  it.each([
    ['identity', 'Identity'],
    ['DATA', 'Data'],
    ['Device', 'Device'],
    ['apps', 'Apps'],
    ['infrastructure', 'Infrastructure'],
    ['Account', 'Account'],
  ])('toCategory(%j) is %j', (input, expected) => {
    expect(toCategory(input)).toBe(expected);
  });

  it('turns HTML descriptions into readable text', () => {
    expect(htmlToText('<p>Block <b>legacy</b> auth &amp; POP.</p><ul><li>Step&nbsp;1</li><li>Step 2</li></ul>')).toBe(
      'Block legacy auth & POP.\nStep 1\nStep 2',
    );
  });

  it('removes control characters and counts them, keeping tabs, newlines and unicode', () => {
    const w = new Warnings();
    expect(toText('a\u0000b\u0007c\td\ne – ✓ 日本', 'comment', w)).toBe('abc\td\ne – ✓ 日本');
    expect(w.counts['control-characters-removed']).toBe(1);
    expect(toText('plain', 'comment', w)).toBe('plain');
    expect(w.counts['control-characters-removed']).toBe(1);
  });

  it('cuts fields over 64 KB on a character boundary, marks them and counts a warning', () => {
    const w = new Warnings();
    const long = '✓'.repeat(30_000); // 3 bytes each: 90,000 bytes
    const cut = fitField(long, 'comment', w);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(cut).toMatch(/^✓+ …\[truncated by securescore-connector\]$/);
    expect(w.counts['field-truncated']).toBe(1);
    expect(fitField('short', 'comment', w)).toBe('short');
  });

  it.each([
    ['2026-10-11T14:03:27.123Z', '2026-10-11T14:03:27.123Z'],
    ['2026-10-11T14:03:27+02:00', '2026-10-11T12:03:27.000Z'],
    ['2026-10-11', '2026-10-11T00:00:00.000Z'],
  ])('toIsoDate(%j) is %j', (input, expected) => {
    expect(toIsoDate(input, 'd', new Warnings())).toBe(expected);
  });

  it('rejects dates that are not dates with a warning', () => {
    const w = new Warnings();
    expect(toIsoDate('yesterday', 'd', w)).toBeNull();
    expect(w.counts['invalid-date']).toBe(1);
  });
});
