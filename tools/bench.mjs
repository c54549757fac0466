#!/usr/bin/env node
/**
 * `npm run bench`: how long normalization takes and how much memory it needs for a large tenant
 * (90 daily snapshots, the most Graph keeps, x 400 controls), and how many Logs Ingestion requests the
 * records make. Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { demoControlProfiles, demoSecureScores } from '../dist/source/demo-data.js';
import { normalizeTenant } from '../dist/normalize/tenant.js';
import { Warnings } from '../dist/normalize/warnings.js';

const COPIES = 6; // 65 demo controls x 6 ~ 400 controls
const DAYS = 90;

function widen(snapshots, profiles) {
  const suffix = (i) => (i === 0 ? '' : `_${i}`);
  const bigProfiles = [];
  for (let i = 0; i < COPIES; i++) for (const p of profiles) bigProfiles.push({ ...p, id: `${p.id}${suffix(i)}` });
  const base = snapshots[snapshots.length - 1];
  const days = [];
  for (let d = 0; d < DAYS + 1; d++) {
    const source = snapshots[Math.min(d, snapshots.length - 1)] ?? base;
    const date = new Date(Date.UTC(2026, 7, 1 + d)).toISOString();
    const controls = [];
    for (let i = 0; i < COPIES; i++)
      for (const c of source.controlScores) controls.push({ ...c, controlName: `${c.controlName}${suffix(i)}` });
    days.push({ ...source, id: `bench_${date.slice(0, 10)}`, createdDateTime: date, controlScores: controls });
  }
  return { secureScores: days.reverse(), profiles: bigProfiles };
}

const data = widen(demoSecureScores(), demoControlProfiles());
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const runs = [];
let result;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  result = normalizeTenant(
    data,
    { snapshotCount: DAYS },
    { now: new Date().toISOString(), runId: 'bench', tenantId: 'bench', warnings: new Warnings() },
  );
  runs.push(performance.now() - t0);
}
const heapAfter = process.memoryUsage().heapUsed;
const json = JSON.stringify(result.records);
const bytes = Buffer.byteLength(json);
runs.sort((a, b) => a - b);
console.log(`controls per snapshot: ${data.secureScores[0].controlScores.length}, snapshots ingested: ${DAYS}`);
console.log(`records: ${result.records.length}`);
console.log(`normalize: median ${runs[2].toFixed(0)} ms, best ${runs[0].toFixed(0)} ms (5 runs)`);
console.log(`records per second: ${Math.round(result.records.length / (runs[2] / 1000))}`);
console.log(
  `JSON size: ${(bytes / 1024 / 1024).toFixed(1)} MB -> about ${Math.ceil(bytes / 1_000_000)} Logs Ingestion requests of <= 1 MB`,
);
console.log(
  `heap growth while holding the records: ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(0)} MB; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`,
);
