import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { childNodeOptions } from './image-flags.js';
import { PROBE_ENV, type ProbeReport } from './probe.js';

/** One measured process. */
export interface ChildMeasure {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From spawn to the parent seeing it close. */
  readonly wallMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** Peak RSS in MB: the probe's, or (when the process died before its exit handler ran) the last /proc VmHWM seen. */
  readonly peakRssMb: number;
  /**
   * At the sampled peak, in MB: V8 heap committed and in use, ArrayBuffers/Buffers, and the native rest
   * (anonymous resident pages beyond heap and buffers: malloc) and code (file-backed pages); NaN when not probed.
   */
  readonly atPeak: {
    readonly heapTotalMb: number;
    readonly heapUsedMb: number;
    readonly arrayBuffersMb: number;
    readonly nativeMb: number;
    readonly fileMb: number;
  };
  /** False when the process died without running its exit handler (killed, V8 out of memory). */
  readonly probed: boolean;
  /** The last lines of stderr, to say why a run failed. */
  readonly stderrTail: string;
}

const PROBE_URL = new URL('./probe.js', import.meta.url).href;
const STDERR_TAIL_CHARS = 4000;
const RSS_SAMPLE_MS = 100;

/** Peak RSS (VmHWM) of a live process in kB, from /proc on Linux; undefined elsewhere or once it is gone. */
async function vmHwmKb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/**
 * Runs `node <args>` with the probe preloaded and only the given environment (no ambient AZURE_* or
 * SECURESCORE_*), and measures it. `probeFile` is a path the probe may write; it is removed after.
 */
export function measureChild(
  args: string[],
  env: Record<string, string>,
  options: { cwd: string; probeFile: string },
): Promise<ChildMeasure> {
  rmSync(options.probeFile, { force: true });
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        ...env,
        // As the image runs it (its ENTRYPOINT caps the heap), unless BENCH_CHILD_NODE_OPTIONS says otherwise.
        NODE_OPTIONS: `--import=${PROBE_URL} ${childNodeOptions()}`.trim(),
        [PROBE_ENV]: options.probeFile,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL_CHARS)));
    let sampledKb = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) void vmHwmKb(child.pid).then((kb) => (sampledKb = Math.max(sampledKb, kb ?? 0)));
    }, RSS_SAMPLE_MS);
    child.on('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(sampler);
      let probe: ProbeReport | undefined;
      try {
        probe = JSON.parse(readFileSync(options.probeFile, 'utf8')) as ProbeReport;
      } catch {
        probe = undefined;
      }
      rmSync(options.probeFile, { force: true });
      resolve({
        exitCode,
        signal,
        wallMs,
        userMs: probe ? probe.userMicros / 1000 : NaN,
        systemMs: probe ? probe.systemMicros / 1000 : NaN,
        peakRssMb: (probe ? probe.maxRssKb : sampledKb) / 1024,
        atPeak: {
          heapTotalMb: probe ? probe.atPeak.heapTotalKb / 1024 : NaN,
          heapUsedMb: probe ? probe.atPeak.heapUsedKb / 1024 : NaN,
          arrayBuffersMb: probe ? probe.atPeak.arrayBuffersKb / 1024 : NaN,
          nativeMb: probe ? (probe.atPeak.rssAnonKb - probe.atPeak.heapTotalKb - probe.atPeak.arrayBuffersKb) / 1024 : NaN,
          fileMb: probe ? probe.atPeak.rssFileKb / 1024 : NaN,
        },
        probed: probe !== undefined,
        stderrTail: stderr,
      });
    });
  });
}
