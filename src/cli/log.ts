import { redactSecrets } from '../errors.js';

/** Output formats: text for people, json (one object per line) for container log tables. */
export type LogFormat = 'text' | 'json';

/** Severity of a line; json lines carry it, text lines do not. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Fields a json line carries besides time, level and message (`event`, `tenantId`, counts...). */
export type LogFields = Readonly<Record<string, unknown>>;

// What must never reach a log raw: C0 controls (newline, carriage return, tab, ESC, BEL...), DEL and
// C1 controls (NEL, CSI...) end a line, move the cursor or drive the terminal; the Unicode line and
// paragraph separators end a line for some collectors; the bidi embeddings, overrides and isolates
// reorder what is shown; a lone surrogate cannot be written as UTF-8. (With the u flag, the surrogate
// range matches only a surrogate without its pair.)
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text with every character that could break a line or drive a terminal shown as its escape (`\n`,
 * `\u001b`), so one log line stays one line and shows what was there. The escapes are JSON's own,
 * so a serialized JSON line stays valid and means the same once escaped.
 */
export function inertText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Secrets cut out of every string in a line's fields, before it is serialized. */
const redactStrings = (_key: string, value: unknown): unknown => (typeof value === 'string' ? redactSecrets(value) : value);

/**
 * Where every line the CLI prints goes: stderr, so stdout stays clean for `--output -`. In json format
 * each line is one object, which log collectors parse into columns.
 *
 * Lines quote text the connector did not write: secrets are cut out of each string before the line is
 * serialized (cut from serialized JSON, a secret's end could take an escape with it), then made inert.
 */
export class Logger {
  format: LogFormat = 'text';

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  info(message: string, fields: LogFields = {}): void {
    this.line('info', message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.line('error', message, fields);
  }

  /** One line; in text, the message (after its time when `stamped`); in json, an object. */
  line(level: LogLevel, message: string, fields: LogFields = {}, stamped = false): void {
    const time = this.now().toISOString();
    const text =
      this.format === 'json'
        ? JSON.stringify({ time, level, ...fields, message }, redactStrings)
        : `${stamped ? `${time} ` : ''}${redactSecrets(message)}`;
    this.write(`${inertText(text)}\n`);
  }
}
