/**
 * The report explains every drop (issue 26 row 12): a day's loss is attributed to the controls that
 * caused it, a removed control included, and the period the page states is the period of its data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

type Row = Record<string, unknown>;
const day = (iso: unknown) => String(iso).slice(0, 10);
const text = (html: string) =>
  html
    .replace(/<br>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();

/** The rows of a table of the page, as the text of their cells. */
function rowsOf(html: string, table: string): string[][] {
  const body = new RegExp(`<table data-table="${table}">[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, c]) => text(c!)),
  );
}

describe('the report on the demo', () => {
  let records: Row[];
  let html: string;

  beforeAll(async () => {
    const dir = tempDir('securescore-report-');
    const run = await runCli(['run', '--demo', '-q', '-o', 'demo.ndjson'], {}, { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const report = await runCli(['report', 'demo.ndjson', '-o', 'demo.html'], {}, { cwd: dir });
    expect(report.code, report.stderr).toBe(0);
    records = readFileSync(join(dir, 'demo.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    html = readFileSync(join(dir, 'demo.html'), 'utf8');
  });

  it('lists a control removed with points among the controls that lost points, on its day', () => {
    const removed = records.find((r) => r.RecordType === 'ControlScore' && r.ChangeType === 'Removed' && Number(r.PreviousScore) > 0)!;
    expect(removed).toBeDefined();
    const rows = rowsOf(html, 'control-drops');
    expect(rows).toContainEqual([
      day(removed.SnapshotDate),
      expect.stringContaining(String(removed.ControlName)),
      expect.any(String),
      String(removed.PreviousScore),
      'removed',
      String(removed.PreviousScore),
    ]);
  });

  it('attributes every day the total dropped to the controls that lost its points', () => {
    const losses = new Map<string, Array<{ control: string; lost: number }>>();
    for (const r of records.filter((r) => r.RecordType === 'ControlScore')) {
      const lost = r.ChangeType === 'Decreased' ? -Number(r.ScoreChange) : r.ChangeType === 'Removed' ? Number(r.PreviousScore) || 0 : 0;
      if (lost > 0) losses.set(day(r.SnapshotDate), [...(losses.get(day(r.SnapshotDate)) ?? []), { control: String(r.ControlName), lost }]);
    }
    const drops = rowsOf(html, 'score-drops');
    expect(drops.length).toBeGreaterThan(1);
    for (const [date, , , lost, causes] of drops) {
      const controls = losses.get(date!) ?? [];
      expect(
        controls.reduce((n, c) => n + c.lost, 0),
        date,
      ).toBeGreaterThanOrEqual(Number(lost));
      for (const c of controls) expect(causes, date).toContain(c.control);
    }
  });

  it('states the period of all the data it shows: the state changes older than the first daily score too', () => {
    const days = records.filter((r) => r.RecordType === 'DailyScore').map((r) => day(r.SnapshotDate));
    const changes = records.filter((r) => r.RecordType === 'ControlStateUpdate').map((r) => day(r.UpdatedDateTime));
    const first = [...days, ...changes].sort()[0]!;
    expect(first < [...days].sort()[0]!).toBe(true);
    const meta = text(/<p class="meta">([\s\S]*?)<\/p>/.exec(html)![1]!);
    expect(meta).toContain(`state changes from ${[...changes].sort()[0]} to ${[...changes].sort().at(-1)}`);
    expect(meta).toContain(`Daily scores from ${[...days].sort()[0]} to ${[...days].sort().at(-1)}`);
  });
});
