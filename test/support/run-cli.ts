import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { childClockEnv } from './clock.js';
import { testCertificate } from './tls.js';

/** The built CLI (npm test compiles first). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

/**
 * The environment the CLI under test gets: only `env` and what every child needs (PATH, HOME, trust in
 * the stand-ins' certificate, the tests' clock), never the ambient AZURE_* or SECURESCORE_*.
 */
export function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_EXTRA_CA_CERTS: testCertificate().certPath,
    ...childClockEnv(),
    ...env,
  };
}

export interface CliResult {
  /** Exit code; for a process killed before it could handle the signal, 128 + the signal number, as a shell reports it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI as users do: a separate Node process, trusting the stand-ins' certificate through
 * NODE_EXTRA_CA_CERTS. Only the variables given here reach it (no ambient AZURE_* or SECURESCORE_*).
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: {
    cwd?: string;
    timeoutMs?: number;
    /** Sends `signal` after `afterMs`, or, with `when`, at the first check after that which finds it true. */
    kill?: { signal: NodeJS.Signals; afterMs: number; when?: () => boolean };
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const kill = options.kill;
    let killer: NodeJS.Timeout | undefined;
    const killWhenReady = () => {
      if (!kill) return;
      if (!kill.when || kill.when()) child.kill(kill.signal);
      else killer = setTimeout(killWhenReady, 50);
    };
    if (kill) killer = setTimeout(killWhenReady, kill.afterMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      const code = exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null);
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
