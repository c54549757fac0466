/**
 * Preloaded into the measured CLI with `NODE_OPTIONS=--import=<this file's URL>`: when the process
 * exits, writes its own CPU time, peak RSS and a monotonic timestamp to the file named by
 * CONNECTOR_BENCH_PROBE_FILE. The kernel's own counters, so the bench measures the child exactly and
 * nothing of itself or its stand-ins. It also samples `process.memoryUsage()` and keeps the sample of
 * the highest RSS, so a peak can be split into V8 heap, buffers and the rest.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** `process.memoryUsage()` at the sample of the highest RSS, in kilobytes. */
export interface PeakBreakdown {
  readonly rssKb: number;
  /** V8 heap committed (heapTotal): live objects plus garbage not yet collected. */
  readonly heapTotalKb: number;
  readonly heapUsedKb: number;
  /** Memory of ArrayBuffers and Buffers, outside the V8 heap. */
  readonly arrayBuffersKb: number;
  /**
   * Anonymous resident pages (V8 heap, buffers, malloc: zlib, OpenSSL, compiler zones) and file-backed
   * ones (node's code, mapped once); NaN off Linux. What anonymous holds beyond heap and buffers is native.
   */
  readonly rssAnonKb: number;
  readonly rssFileKb: number;
}

/** What the probe writes, as JSON. */
export interface ProbeReport {
  readonly userMicros: number;
  readonly systemMicros: number;
  /** Peak resident set size since exec, in kilobytes (VmHWM; getrusage's ru_maxrss off Linux). */
  readonly maxRssKb: number;
  /** `process.hrtime.bigint()` at exit, as a decimal string; the same monotonic clock as the parent's. */
  readonly exitHrtimeNs: string;
  readonly atPeak: PeakBreakdown;
}

/** Not SECURESCORE_*: the CLI reads those as its own flags and refuses unknown ones. */
export const PROBE_ENV = 'CONNECTOR_BENCH_PROBE_FILE';

/** Often enough to catch a peak that lasts a few collections; cheap (three /proc reads). */
const SAMPLE_MS = 50;

const kb = (bytes: number) => Math.round(bytes / 1024);

/** Fields of /proc/self/status in kilobytes (Linux); NaN where there is no /proc. */
function statusKb(...names: string[]): number[] {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux: the split is not known.
  }
  return names.map((name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN));
}

function residentKinds(): { rssAnonKb: number; rssFileKb: number } {
  const [rssAnonKb = NaN, rssFileKb = NaN] = statusKb('RssAnon', 'RssFile');
  return { rssAnonKb, rssFileKb };
}

/**
 * The peak RSS of this program: VmHWM, the high-water mark of the memory it has since exec. Not
 * getrusage's ru_maxrss: Linux carries that across exec from the forked copy of the parent, so a
 * bench process holding 300 MB would put a ~200 MB floor under every child it measures.
 */
function peakRssKb(): number {
  const [hwm = NaN] = statusKb('VmHWM');
  return Number.isFinite(hwm) ? hwm : process.resourceUsage().maxRSS;
}

function sample(): PeakBreakdown {
  const usage = process.memoryUsage();
  return {
    rssKb: kb(usage.rss),
    heapTotalKb: kb(usage.heapTotal),
    heapUsedKb: kb(usage.heapUsed),
    arrayBuffersKb: kb(usage.arrayBuffers),
    ...residentKinds(),
  };
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
      maxRssKb: peakRssKb(),
      exitHrtimeNs: process.hrtime.bigint().toString(),
      atPeak,
    };
    writeFileSync(target, JSON.stringify(report));
  });
}
