import type { LogFormat, Logger } from './log.js';
import type { StopControl } from './stop.js';

/** What a command may touch outside itself; the entry point supplies the real ones. */
export interface CommandContext {
  /** Human-readable output; goes to stderr so stdout stays clean for `--output -`. */
  readonly log: (line: string) => void;
  /** Sets the output format once the command's configuration is read. */
  readonly setLogFormat?: ((format: LogFormat) => void) | undefined;
  /** The logger behind `log`, for lines with a level and fields (run events); tests may leave it out. */
  readonly logger?: Logger | undefined;
  /** stderr is a terminal: progress is drawn in place and lines carry no time. */
  readonly terminal?: boolean | undefined;
  /** Writes raw text to the terminal (the progress line). */
  readonly writeStatus?: ((text: string) => void) | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** How the run is stopped (signals, the deadline); tests may leave it out. */
  readonly stop?: StopControl | undefined;
}
