/**
 * Preloaded into the measured CLI with `NODE_OPTIONS=--import=<this file's URL>`: when the process
 * exits, writes its own CPU time, peak RSS and a monotonic timestamp to the file named by
 * CONNECTOR_BENCH_PROBE_FILE. The kernel's own counters, so the bench measures the child exactly and
 * nothing of itself or its stand-ins.
 */
import { writeFileSync } from 'node:fs';

/** What the probe writes, as JSON. */
export interface ProbeReport {
  readonly userMicros: number;
  readonly systemMicros: number;
  /** Peak resident set size, in kilobytes (getrusage ru_maxrss). */
  readonly maxRssKb: number;
  /** `process.hrtime.bigint()` at exit, as a decimal string; the same monotonic clock as the parent's. */
  readonly exitHrtimeNs: string;
}

/** Not SECURESCORE_*: the CLI reads those as its own flags and refuses unknown ones. */
export const PROBE_ENV = 'CONNECTOR_BENCH_PROBE_FILE';

const target = process.env[PROBE_ENV];
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const report: ProbeReport = {
      userMicros: usage.userCPUTime,
      systemMicros: usage.systemCPUTime,
      maxRssKb: usage.maxRSS,
      exitHrtimeNs: process.hrtime.bigint().toString(),
    };
    writeFileSync(target, JSON.stringify(report));
  });
}
