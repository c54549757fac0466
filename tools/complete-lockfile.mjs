#!/usr/bin/env node
/**
 * The registry reachable from this workplace serves only some platform builds of native packages
 * (rollup's, esbuild's). `npm install` then leaves the other platforms' optional dependencies out
 * of package-lock.json, and `npm ci` refuses the lockfile as "not in sync". This adds the missing
 * entries with their os/cpu/libc, as a complete lockfile would have them; npm ci skips them on
 * other platforms. Run after `npm install` changes the lockfile: `node tools/complete-lockfile.mjs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const OS = ['android', 'darwin', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'win32', 'linux', 'openharmony', 'wasi'];
const CPU = ['arm64', 'x64', 'ia32', 'riscv64', 'ppc64', 's390x', 'loong64', 'mips64el', 'arm', 'wasm32'];
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = `${path}/node_modules/${name}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const parts = name.split('/').pop().split('-');
    const entry = { version: version.replace(/^[\^~=]/, ''), dev: pkg.dev || undefined, optional: true };
    const os = OS.find((o) => parts.includes(o) || (o === 'win32' && parts.includes('windows')));
    const cpu = CPU.find((c) => parts.includes(c) || (c === 'arm' && parts.includes('gnueabihf')));
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    if (parts.includes('musl')) entry.libc = ['musl'];
    else if (parts.includes('gnu') || parts.includes('gnueabihf')) entry.libc = ['glibc'];
    lock.packages[key] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
