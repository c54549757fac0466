/** Output formats: text for people, json (one object per line) for container log tables. */
export type LogFormat = 'text' | 'json';

/**
 * Where every line the CLI prints goes: stderr, so stdout stays clean for `--output -`. In json
 * format each line is one object with its time and level, which ContainerAppConsoleLogs and
 * Kubernetes log collectors parse into columns.
 */
export class Logger {
  format: LogFormat = 'text';

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  info(message: string): void {
    this.line('info', message);
  }

  error(message: string): void {
    this.line('error', message);
  }

  private line(level: 'info' | 'error', message: string): void {
    if (this.format === 'json') this.write(`${JSON.stringify({ time: this.now().toISOString(), level, message })}\n`);
    else this.write(`${message}\n`);
  }
}
