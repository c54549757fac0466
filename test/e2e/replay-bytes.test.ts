import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DCR_ID, startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

/** The dead letter run printed after "replay". */
function replayTarget(stderr: string): string {
  const match = /securescore-connector replay (\S+)/.exec(stderr);
  if (!match) throw new Error(`no replay command in:\n${stderr}`);
  return match[1]!;
}

/** A file's lines as bytes, without their newlines; none for the empty tail after the last one. */
function byteLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start) === -1 ? bytes.length : bytes.indexOf(0x0a, start);
    lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

describe('replay keeps what it cannot send byte for byte (issue 24 row 15)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world.close());

  it('a line that is not UTF-8, a record with a 0xFF byte and refused records written unlike JSON.stringify are written back as they were read', async () => {
    const cwd = tempDir('securescore-replay-bytes-');
    world.ingestion.denyAll = true;
    const run = await runCli(['run', ...world.flags], world.env, { cwd });
    world.ingestion.denyAll = false;
    expect(run.code, run.stderr).toBe(1);
    const file = join(cwd, replayTarget(run.stderr));
    const records = byteLines(readFileSync(file)).map((l) => JSON.parse(l.toString('utf8')) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(1000); // more than one request's worth, so some are accepted

    // The last record is one the service refuses (400: a datetime column that is no date), and so the
    // request that carries it: written with spaces and a carriage return, as another tool could have left it.
    const refused = { ...records.at(-1)!, TimeGenerated: 'not a date' };
    const refusedLine = Buffer.from(`${JSON.stringify(refused, null, 1).replaceAll('\n', '')}\r`);
    // A line that is no record, with bytes that are not UTF-8.
    const garbage = Buffer.concat([Buffer.from('not a record '), Buffer.of(0xff, 0xfe, 0x00, 0x80), Buffer.from(' end')]);
    // A record whose title carries a 0xFF byte: sent, it would arrive as U+FFFD, so it is not sent.
    const invalidUtf8Record = Buffer.from(JSON.stringify({ ...records[0], RecordId: 'ff-record', ControlTitle: 'MFA @@' }));
    const at = invalidUtf8Record.indexOf('@@');
    invalidUtf8Record[at] = 0xff;
    invalidUtf8Record[at + 1] = 0xc3; // a lead byte without its continuation

    const lines = [garbage, ...records.slice(0, -1).map((r) => Buffer.from(JSON.stringify(r))), invalidUtf8Record, refusedLine];
    const original = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    writeFileSync(file, original);
    const flags = ['--authority-host', world.entra.url, '--ingestion-endpoint', world.ingestion.url, '--dcr-immutable-id', DCR_ID];
    const replay = await runCli(['replay', file, ...flags], world.env, { cwd });
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stderr).toMatch(/ record\(s\) accepted; \d+ line\(s\) kept \(2 line\(s\) are not records/);

    const after = readFileSync(file);
    const kept = byteLines(after);
    expect(after.at(-1)).toBe(0x0a);
    // Every line kept is one of the lines given, byte for byte, in the order given.
    const positions = kept.map((line) => lines.findIndex((l) => l.equals(line)));
    expect(positions).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // The ones that could not be sent are all there; the rest were accepted.
    expect(kept[0]!.equals(garbage)).toBe(true);
    expect(kept.some((l) => l.equals(invalidUtf8Record))).toBe(true);
    expect(kept.at(-1)!.equals(refusedLine)).toBe(true);
    const accepted = new Set(world.ingestion.accepted.map((r) => r.RecordId));
    expect(accepted.has('ff-record')).toBe(false);
    expect(accepted.size + kept.length - 2).toBe(records.length);
    expect(replay.stderr).toContain(`${accepted.size} of ${records.length} record(s) accepted; ${kept.length} line(s) kept`);
  });
});
