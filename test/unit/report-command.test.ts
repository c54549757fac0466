import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/report-command.js';
import { ConnectorError } from '../../src/errors.js';
import { readNdjson } from '../../src/report/index.js';

const TENANT = '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b';
const record = (type: string, id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    TimeGenerated: '2026-11-05T06:00:00.000Z',
    RecordType: type,
    RecordId: id,
    AzureTenantId: TENANT,
    RunId: 'r',
    ...extra,
  });
const dailyLine = (day: number, score: number) =>
  record('DailyScore', `d${day}`, {
    SnapshotDate: `2026-10-0${day}T00:00:00.000Z`,
    CurrentScore: score,
    MaxScore: 200,
    ScorePercent: score / 2,
  });

describe('readNdjson', () => {
  it.each([
    {
      name: 'records, blank lines and CRLF line ends',
      text: `${dailyLine(1, 1)}\r\n\r\n${dailyLine(2, 2)}\r\n`,
      records: 2,
      unreadable: 0,
      first: null,
    },
    { name: 'a truncated last line', text: `${dailyLine(1, 1)}\n${dailyLine(2, 2).slice(0, 40)}`, records: 1, unreadable: 1, first: 2 },
    {
      name: 'JSON that is not a record',
      text: `[1,2]\n"text"\n{"RecordType":"DailyScore"}\n{"RecordId":"x"}\n${dailyLine(1, 1)}`,
      records: 1,
      unreadable: 4,
      first: 1,
    },
  ])('reads $name', async ({ text, records, unreadable, first }) => {
    const seen: unknown[] = [];
    const result = await readNdjson(Readable.from([text]), (r) => seen.push(r));
    expect(result).toEqual({ records, unreadableLines: unreadable, firstUnreadableLine: first });
    expect(seen).toHaveLength(records);
  });
});

describe('report command', () => {
  let dir: string;
  let log: string[];
  const context = () => ({ log: (line: string) => log.push(line), env: {} });
  const file = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'securescore-report-'));
    log = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one page from several files, counting a record found in two files once', async () => {
    const first = file('a.ndjson', [dailyLine(1, 100), dailyLine(2, 90)]);
    const second = file('b.ndjson', [dailyLine(2, 90), dailyLine(3, 95)]);
    const out = join(dir, 'report.html');
    expect(await reportCommand({ ndjson: [first, second], output: out }, context())).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page.match(/data-series="series-score"/g)).toHaveLength(3);
    expect(page).toContain('Daily scores from 2026-10-01 to 2026-10-03.');
    expect(log).toEqual([`report: wrote ${out}: 1 tenant(s), 4 record(s) from 2 file(s)`]);
  });

  it('keeps a hostile comment, title and UPN from the NDJSON as text on the page', async () => {
    const hostile = '<script>document.title="owned"</script><img src=x onerror=alert(1)>';
    const input = file('hostile.ndjson', [
      record('ControlStateUpdate', 'u1', {
        ControlName: 'Ctl',
        ControlTitle: hostile,
        State: 'Ignored',
        StateLabel: 'Risk accepted',
        UpdatedBy: `${hostile}@contoso.com`,
        UpdatedDateTime: '2026-10-11T14:03:27.123Z',
        Comment: hostile,
      }),
    ]);
    const out = join(dir, 'report.html');
    await reportCommand({ ndjson: [input], output: out }, context());
    const page = readFileSync(out, 'utf8');
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;@contoso.com');
  });

  it('skips lines that are not records and says where the first one is', async () => {
    const input = file('partial.ndjson', [dailyLine(1, 100), 'garbage', dailyLine(2, 90), '{"half":']);
    const out = join(dir, 'report.html');
    expect(await reportCommand({ ndjson: [input], output: out }, context())).toBe(0);
    expect(log[0]).toBe(
      `report: 2 line(s) of ${input} are not records (the first is line 2); they were skipped. Check the file was written by run --output`,
    );
    expect(readFileSync(out, 'utf8')).toContain('2 line(s) were not records and were skipped.');
  });

  it.each([
    {
      name: 'no file at all (yargs drops a lone "-")',
      setup: () => ({ ndjson: [], output: join(dir, 'r.html') }),
      message: /^report: no NDJSON file named\. Name the files written by "run --output FILE" \(for a pipe, use \/dev\/stdin\)$/,
    },
    {
      name: 'a file that does not exist',
      setup: () => ({ ndjson: [join(dir, 'missing.ndjson')], output: join(dir, 'r.html') }),
      message: /^report: cannot read .*missing\.ndjson \(ENOENT.*\)\. Give the NDJSON file written by "run --output FILE"$/,
    },
    {
      name: 'files without a single record',
      setup: () => ({ ndjson: [file('empty.ndjson', ['', 'not json'])], output: join(dir, 'r.html') }),
      message: /^report: .*empty\.ndjson holds no securescore-connector records\. Give the NDJSON file written by "run --output FILE"$/,
    },
    {
      name: 'an --output path that cannot be written',
      setup: () => ({ ndjson: [file('ok.ndjson', [dailyLine(1, 1)])], output: join(dir, 'no-such-folder', 'r.html') }),
      message: /^report: cannot write .*no-such-folder\/r\.html \(ENOENT.*\)\. Choose a writable path with --output$/,
    },
  ])('fails as a configuration error (exit 2) on $name, saying what to do', async ({ setup, message }) => {
    const error = await reportCommand(setup(), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('CONFIG');
    expect((error as ConnectorError).message).toMatch(message);
  });
});
