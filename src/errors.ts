/**
 * The few error kinds the connector raises. Each carries a `code` and a message shaped as
 * `<what>: <problem>. <what to do>`; the CLI is the one place that turns them into exit codes.
 */
export type ErrorCode =
  | 'CONFIG' // bad flags, env or files: exit 2
  | 'AUTH' // no token could be had: exit 2 (retrying will not help until someone fixes it)
  | 'GRAPH' // Graph refused or failed after retries: exit 1
  | 'NETWORK' // a host could not be reached (DNS, refused, reset, proxy, time-out): exit 1, the next run may succeed
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

/**
 * Secrets that can ride inside text the connector did not write itself (URLs given as settings,
 * connection strings, SDK error messages): the SAS signature, account and shared-access keys, client
 * secrets in form bodies and bearer tokens. Each keeps its name so the reader sees what was there.
 */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // SAS signature in a URL query (`sig=`), raw or percent-encoded separators.
  [/([?&;]|%26|%3F)(sig)=[^&\s"'#;,)]+/gi, '$1$2=REDACTED'],
  // Connection strings: AccountKey=..., SharedAccessKey=..., SharedAccessSignature=...
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s"']+/gi, '$1=REDACTED'],
  // A client secret or assertion in a token request body.
  [/\b(client_secret|client_assertion)=[^&\s"']+/gi, '$1=REDACTED'],
  [/\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/g, '$1 REDACTED'],
];

/**
 * Removes secrets from text about to leave the process (printed, or sent as ConnectorRun.ErrorMessage).
 * Applied where messages leave, not where they are made, so a message built from an SDK's text or
 * from a setting cannot carry a SAS signature or key out by a path nobody thought of.
 */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
