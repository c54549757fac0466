import type { Warnings } from './warnings.js';

/**
 * Small pure converters for the shapes real Graph data arrives in. Each takes a `where` label
 * used in the warning, so a person can find the odd value in the source.
 */

/** The Logs Ingestion API truncates any field over 64 KB; we cut first, on a character boundary, and say so. */
export const MAX_FIELD_BYTES = 64 * 1024;
const TRUNCATION_MARK = ' …[truncated by securescore-connector]';

// C0 controls other than tab, newline and carriage return, DEL, and C1 controls: they break
// some consumers of the table and never carry meaning in this data.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
// Same class without the g flag: RegExp.test on a global regex is stateful.
// eslint-disable-next-line no-control-regex
const HAS_CONTROL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * A value as a warning may show it: JSON, cut to `max` characters. Never throws: a JSON object whose
 * `toString` is not a function (`{"toString": 1}`) cannot be passed to String() or a template.
 */
export function shown(value: unknown, max = 60): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A BigInt or a cycle: never from JSON.parse, and nothing more to show than its kind.
  }
  return (text ?? (typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : typeof value)).slice(0, max);
}

/** A decimal number as JSON writes one, signs and spaces aside: not hex, binary, octal or "Infinity", which Number() also reads. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number, from a number or a numeric string; null (with a warning) when it is neither, or when it
 * is not finite (a real column holds finite numbers only). A numeric string is itself counted unless
 * `stringIsUsual` (open-type extras such as `count` always are strings).
 */
export function toNumber(value: unknown, where: string, warnings: Warnings, stringIsUsual = false): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    warnings.add('number-out-of-range', `${where} is ${value}, not a finite number; left empty`);
    return null;
  }
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    const n = Number(value);
    if (!Number.isFinite(n)) {
      warnings.add('number-out-of-range', `${where} is the string ${shown(value)}, beyond the largest number; left empty`);
      return null;
    }
    if (!stringIsUsual) warnings.add('number-as-string', `${where} was the string "${value.slice(0, 40)}"`);
    return n;
  }
  warnings.add('invalid-number', `${where} is not a number: ${shown(value)}`);
  return null;
}

/** The range of a Log Analytics `int` column: 32-bit signed. */
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * An `int` column value (rounded), or null. A value outside the column's 32-bit range is refused with
 * a counted warning: Log Analytics would not store it as sent.
 */
export function toInt(value: unknown, where: string, warnings: Warnings): number | null {
  const n = toNumber(value, where, warnings);
  if (n === null) return null;
  const rounded = Math.round(n);
  if (rounded < INT_MIN || rounded > INT_MAX) {
    warnings.add('number-out-of-range', `${where} is ${shown(value)}, outside an int column (${INT_MIN} to ${INT_MAX}); left empty`);
    return null;
  }
  return rounded;
}

/**
 * A `real` column value worked out from accepted numbers (a percentage, a difference): arithmetic on
 * extreme values can overflow, and a non-finite number is refused with a counted warning.
 */
export function toReal(n: number | null, where: string, warnings: Warnings): number | null {
  if (n === null || Number.isFinite(n)) return n;
  warnings.add('number-out-of-range', `${where} came to ${n}, outside a real column; left empty`);
  return null;
}

/**
 * A boolean from true/false or the strings "true"/"false" (any case); null otherwise, counted unless
 * `stringIsUsual` (an open-type extra that is not a boolean is kept as sent by its caller, not refused).
 */
export function toBoolean(value: unknown, where: string, warnings: Warnings, stringIsUsual = false): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
    if (!stringIsUsual) warnings.add('boolean-as-string', `${where} was the string "${value}"`);
    return value.trim().toLowerCase() === 'true';
  }
  if (!stringIsUsual && value !== null && value !== undefined && value !== '')
    warnings.add('invalid-boolean', `${where} is not a boolean: ${shown(value)}`);
  return null;
}

/** Text safe for the table: control characters removed, cut to the field limit; null for nothing. */
export function toText(value: unknown, where: string, warnings: Warnings): string | null {
  if (value === null || value === undefined) return null;
  let text = typeof value === 'string' ? value : typeof value === 'object' ? shown(value, Infinity) : String(value);
  if (HAS_CONTROL_CHAR.test(text)) {
    warnings.add('control-characters-removed', `${where} contained control characters`);
    text = text.replace(CONTROL_CHARS, '');
  }
  return fitField(text, where, warnings);
}

/** Cuts a string to MAX_FIELD_BYTES of UTF-8 with a visible mark, never splitting a character. */
export function fitField(text: string, where: string, warnings: Warnings): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: most text is short enough not to be measured.
  if (text.length * 3 <= MAX_FIELD_BYTES || Buffer.byteLength(text, 'utf8') <= MAX_FIELD_BYTES) return text;
  const cut = cutText(text, MAX_FIELD_BYTES);
  warnings.add(
    'field-truncated',
    `${where} was ${Buffer.byteLength(text, 'utf8')} bytes; kept the first ${Buffer.byteLength(cut, 'utf8')}`,
  );
  return cut;
}

/** `text` in at most `maxBytes` bytes of UTF-8, ending with a visible mark when cut; never splits a character. */
export function cutText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(TRUNCATION_MARK, 'utf8'));
  // A multi-byte character cut in half decodes to U+FFFD at the end; drop it.
  const cut = Buffer.from(text, 'utf8')
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD+$/u, '');
  return cut + TRUNCATION_MARK;
}

/**
 * The date-time forms Graph documents (RFC 3339, T and Z in either case), the same without a zone, and
 * a bare date. Nothing else: Date.parse's leniency would date a snapshot wrongly, or differently per host.
 */
const GRAPH_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?)?$/;

/** Log Analytics' datetime range: years 1 to 9999 (a zone offset can move a date across either end). */
const FIRST_MS = Date.parse('0001-01-01T00:00:00Z');
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** The instant a Graph date-time names, and whether it said its zone; undefined for anything else. */
function readGraphDate(text: string): { ms: number; zoned: boolean } | undefined {
  const m = GRAPH_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part)));
  const fraction = m[7];
  const zone = m[8];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // Milliseconds are all a Date keeps: further digits (Graph sends seven) are cut, not rounded.
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!);
  date.setUTCHours(hour, minute, second, millis);
  const ms = date.getTime() - offsetMinutes * 60_000;
  if (!(ms >= FIRST_MS && ms <= LAST_MS)) return undefined;
  return { ms, zoned: zone !== undefined };
}

/** The last zoned date-time read and its ISO form: a snapshot's controls mostly share one `lastSynced`. */
let lastDate = { text: '', iso: '' };

/**
 * An ISO 8601 UTC timestamp from a Graph date-time, or null (with a warning naming the field and the
 * value) when the value is not one of the forms Graph documents. Never depends on the host's time zone.
 */
export function toIsoDate(value: unknown, where: string, warnings: Warnings): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (value === lastDate.text) return lastDate.iso;
  const text = typeof value === 'string' ? value.trim() : '';
  const read = readGraphDate(text);
  if (!read) {
    warnings.add(
      'invalid-date',
      `${where} is not an ISO 8601 date-time (as Graph sends them) within years 1-9999: ${shown(value)}; left empty`,
    );
    return null;
  }
  const iso = new Date(read.ms).toISOString();
  // A date-time without a zone is read as UTC, never in the host's zone: the same input must give
  // the same RecordId on every host.
  if (!read.zoned)
    warnings.addOnce('date-without-zone', where.replace(/\[\d+\]/g, '[]'), `${where} "${text.slice(0, 40)}" has no time zone; read as UTC`);
  // Only a value read without a warning is remembered, so every odd value is still counted.
  else if (text === value) lastDate = { text: value, iso };
  return iso;
}

/** Canonical spellings already worked out, per list (each list always comes with the same aliases): the same few words come back on every record. */
const canonicalSpellings = new WeakMap<readonly string[], Map<string, string>>();
const CANONICAL_SPELLINGS_MAX = 1_024;

const NO_ALIASES: ReadonlyMap<string, string> = new Map();

/**
 * Maps a value onto one of `canonical` ignoring case and spacing, with aliases; else keeps the trimmed
 * text. Every lookup keyed by the value is a Map: a word such as "constructor" or "__proto__" must never
 * find a member of Object.prototype.
 */
export function canonicalWord(
  value: unknown,
  canonical: readonly string[],
  aliases: ReadonlyMap<string, string> = NO_ALIASES,
): string | null {
  if (typeof value !== 'string') return null;
  let known = canonicalSpellings.get(canonical);
  if (!known) canonicalSpellings.set(canonical, (known = new Map()));
  const seen = known.get(value);
  if (seen !== undefined) return seen;
  if (value.trim() === '') return null;
  const key = value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  const word = aliases.get(key) ?? canonical.find((c) => c.toLowerCase().replace(/[\s_-]+/g, '') === key) ?? value.trim();
  if (known.size >= CANONICAL_SPELLINGS_MAX) known.clear();
  known.set(value, word);
  return word;
}

const LEVELS = ['Low', 'Moderate', 'High'] as const;
const LEVEL_ALIASES: ReadonlyMap<string, string> = new Map([['medium', 'Moderate']]);
const CATEGORIES = ['Identity', 'Data', 'Device', 'Apps', 'Infrastructure'] as const;

/** Impact and cost levels as the portal shows them; Graph sends "low", "Moderate", "medium"... */
export function toLevel(value: unknown): string | null {
  return canonicalWord(value, LEVELS, LEVEL_ALIASES);
}

/** Control categories in their documented spelling. */
export function toCategory(value: unknown): string | null {
  return canonicalWord(value, CATEGORIES);
}

/** Descriptions already converted: a control's description repeats day after day. Bounded; cleared when full. */
const convertedHtml = new Map<string, string>();
const CONVERTED_HTML_MAX = 4_096;

/** Plain text from the HTML Graph puts in control descriptions. */
export function htmlToText(html: string): string {
  let text = convertedHtml.get(html);
  if (text === undefined) {
    if (convertedHtml.size >= CONVERTED_HTML_MAX) convertedHtml.clear();
    text = convertHtml(html);
    convertedHtml.set(html, text);
  }
  return text;
}

function convertHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|li|div|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Rounds to 4 decimals so float noise (0.1 + 0.2) never shows up as a score change. A number too large
 * to scale has no decimals to round and is returned as it is (not turned into Infinity).
 */
export function round4(n: number): number {
  const scaled = n * 10_000;
  return Number.isFinite(scaled) ? Math.round(scaled) / 10_000 : n;
}

/**
 * Percent of `max` to 2 decimals, or null when there is no meaningful maximum. It can be Infinity (a
 * huge score over a tiny maximum): its column takes it through toReal.
 */
export function percentOf(value: number | null, max: number | null): number | null {
  if (value === null || max === null || max <= 0) return null;
  const scaled = (value / max) * 10_000;
  return Number.isFinite(scaled) ? Math.round(scaled) / 100 : (value / max) * 100;
}
