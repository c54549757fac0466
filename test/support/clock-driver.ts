import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CliArgs } from '../../src/config/config.js';
import { childClockEnv } from './clock.js';
import { testCertificate } from './tls.js';

/** One tenant's outcome as the driver reports it. */
interface DrivenOutcome {
  readonly tenantId: string;
  readonly status: string;
  readonly counts: Record<string, number>;
  readonly warnings: Record<string, number>;
  readonly problems: string[];
  readonly deadLettered: number;
}

/** Runs the built connector at any clock: see clock-driver.mjs. */
export interface ClockDriver {
  run(args: CliArgs, env: Record<string, string>, now: Date): Promise<DrivenOutcome[]>;
  close(): void;
}

/** Starts the driver process (one per test file is enough; runs go one at a time). */
export function startClockDriver(): ClockDriver {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [fileURLToPath(new URL('./clock-driver.mjs', import.meta.url))], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_EXTRA_CA_CERTS: testCertificate().certPath,
      ...childClockEnv(),
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(args, env, now) {
      child.stdin.write(`${JSON.stringify({ args, env, now: now.toISOString() })}\n`);
      const next = await answers.next();
      if (next.done) throw new Error(`clock driver ended: ${stderr}`);
      const answer = JSON.parse(next.value) as { outcomes?: DrivenOutcome[]; error?: string };
      if (answer.error !== undefined) throw new Error(`run at ${now.toISOString()} failed: ${answer.error}`);
      return answer.outcomes!;
    },
    close: () => child.kill(),
  };
}
