/** What a command may touch outside itself; the entry point supplies the real ones. */
export interface CommandContext {
  /** Human-readable output; goes to stderr so stdout stays clean for `--output -`. */
  readonly log: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal | undefined;
}
