/**
 * The few error kinds the connector raises. Each carries a `code` and a message shaped as
 * `<what>: <problem>. <what to do>`; the CLI is the one place that turns them into exit codes.
 */
export type ErrorCode =
  | 'CONFIG' // bad flags, env or files: exit 2
  | 'AUTH' // no token could be had: exit 2 (retrying will not help until someone fixes it)
  | 'GRAPH' // Graph refused or failed after retries: exit 1
  | 'DELIVERY' // the sink did not accept every record: exit 1
  | 'LOCKED'; // another run holds the checkpoint: exit 0, that run does the work

/** An error the connector understands, with an actionable message. */
export class ConnectorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectorError';
  }
}

/**
 * Exit code for an error code: 2 for what a person must fix first, 1 for what the next run retries,
 * 0 when another run holds the checkpoint (nothing is lost: that run delivers).
 */
export function exitCodeFor(code: ErrorCode): 0 | 1 | 2 {
  if (code === 'LOCKED') return 0;
  return code === 'CONFIG' || code === 'AUTH' ? 2 : 1;
}

/** Best-effort text of anything thrown, for messages (never includes request bodies or headers). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
