/** Output formats: text for people, json (one object per line) for container log tables. */
export type LogFormat = 'text' | 'json';

/** Severity of a line; json lines carry it, text lines do not. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Fields a json line carries besides time, level and message (`event`, `tenantId`, counts...). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where every line the CLI prints goes: stderr, so stdout stays clean for `--output -`. In json
 * format each line is one object with its time, level and fields, which ContainerAppConsoleLogs and
 * Kubernetes log collectors parse into columns. In text format a line is the message, preceded by
 * its time when asked (run events in logs read later; not the summary, not on a terminal).
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
    if (this.format === 'json') this.write(`${JSON.stringify({ time, level, ...fields, message })}\n`);
    else this.write(`${stamped ? `${time} ` : ''}${message}\n`);
  }
}
