/**
 * Preloaded into the measured CLI with `NODE_OPTIONS=--import=<this file's URL>`: when the process
 * exits, writes its own CPU time, peak RSS and a monotonic timestamp to the file named by
 * CONNECTOR_BENCH_PROBE_FILE. The kernel's own counters, so the bench measures the child exactly and
 * nothing of itself or its stand-ins. It also samples `process.memoryUsage()` and keeps the sample of
 * the highest RSS, so a peak can be split into V8 heap, buffers and the rest.
 */
import { writeFileSync } from 'node:fs';

/** `process.memoryUsage()` at the sample of the highest RSS, in kilobytes. */
export interface PeakBreakdown {
  readonly rssKb: number;
  /** V8 heap committed (heapTotal): live objects plus garbage not yet collected. */
  readonly heapTotalKb: number;
  readonly heapUsedKb: number;
  /** Memory of ArrayBuffers and Buffers, outside the V8 heap. */
  readonly arrayBuffersKb: number;
}

/** What the probe writes, as JSON. */
export interface ProbeReport {
  readonly userMicros: number;
  readonly systemMicros: number;
  /** Peak resident set size, in kilobytes (getrusage ru_maxrss). */
  readonly maxRssKb: number;
  /** `process.hrtime.bigint()` at exit, as a decimal string; the same monotonic clock as the parent's. */
  readonly exitHrtimeNs: string;
  readonly atPeak: PeakBreakdown;
}

/** Not SECURESCORE_*: the CLI reads those as its own flags and refuses unknown ones. */
export const PROBE_ENV = 'CONNECTOR_BENCH_PROBE_FILE';

/** Often enough to catch a peak that lasts a few collections; cheap (two /proc reads). */
const SAMPLE_MS = 50;

const kb = (bytes: number) => Math.round(bytes / 1024);

function sample(): PeakBreakdown {
  const usage = process.memoryUsage();
  return { rssKb: kb(usage.rss), heapTotalKb: kb(usage.heapTotal), heapUsedKb: kb(usage.heapUsed), arrayBuffersKb: kb(usage.arrayBuffers) };
}

const target = process.env[PROBE_ENV];
if (target) {
  let atPeak = sample();
  const keepPeak = () => {
    const now = sample();
    if (now.rssKb > atPeak.rssKb) atPeak = now;
  };
  // unref: the sampler must not keep the CLI alive after its work is done.
  setInterval(keepPeak, SAMPLE_MS).unref();
  process.on('exit', () => {
    keepPeak();
    const usage = process.resourceUsage();
    const report: ProbeReport = {
      userMicros: usage.userCPUTime,
      systemMicros: usage.systemCPUTime,
      maxRssKb: usage.maxRSS,
      exitHrtimeNs: process.hrtime.bigint().toString(),
      atPeak,
    };
    writeFileSync(target, JSON.stringify(report));
  });
}
