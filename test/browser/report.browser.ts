import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoExpectations, type DemoExpectations } from './demo-expectations.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/index.js');
/** Debian's chromium (`apt-get install -y chromium`); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshot is kept for people to look at (CI artifact; docs/report.png is a committed copy). */
const SCREENSHOT = resolve(ROOT, process.env.REPORT_SCREENSHOT ?? 'out/report.png');

const run = promisify(execFile);
/** "1,234.5" -> 1234.5; "50.32%" -> 50.32. */
const numberIn = (text: string) =>
  Number(
    text
      .replace(/[,%]/g, '')
      .replace(/ of .*/, '')
      .trim(),
  );
const cellsOf = async (rows: Locator) => Promise.all((await rows.all()).map((row) => row.locator('td').allInnerTexts()));

describe('the demo report in Chromium', () => {
  let work: string;
  let context: BrowserContext;
  let page: Page;
  let reportUrl: string;
  let expected: DemoExpectations;
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Browser test: no Chromium at ${CHROMIUM}. Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
      );
    work = mkdtempSync(join(tmpdir(), 'securescore-report-browser-'));
    // Relative names, as `npm run demo` uses them: the page names its input file.
    await run(process.execPath, [CLI, 'run', '--demo', '--output', 'demo-output.ndjson'], { cwd: work });
    await run(process.execPath, [CLI, 'report', 'demo-output.ndjson', '--out', 'demo-report.html'], { cwd: work });
    expected = demoExpectations(readFileSync(join(work, 'demo-output.ndjson'), 'utf8'));
    reportUrl = pathToFileURL(join(work, 'demo-report.html')).href;

    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 900 },
      offline: true,
    });
    // Every request the page makes is recorded; anything but the report file itself is refused.
    context.on('request', (request) => requests.push(request.url()));
    await context.route('**/*', (route) => (route.request().url() === reportUrl ? route.continue() : route.abort()));
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(reportUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('loads the file and nothing else: no request, no resource, no script, no console error', async () => {
    expect(requests).toEqual([reportUrl]);
    expect(await page.evaluate(() => performance.getEntriesByType('resource').length)).toBe(0);
    expect(await page.locator('script, link, img, iframe, object, embed').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });

  it('shows the tenant newest score, maximum and percent, equal to the last DailyScore', async () => {
    const section = page.locator(`section[data-tenant-id="${expected.tenantId}"]`);
    await expect(section.locator('h2').innerText()).resolves.toBe(expected.tenantId);
    const last = expected.daily[expected.daily.length - 1]!;
    const first = expected.daily[0]!;
    expect(await section.locator('[data-kpi="score"]').innerText()).toBe(
      `${last.score.toLocaleString('en-US')} of ${last.maxScore.toLocaleString('en-US')}`,
    );
    expect(numberIn(await section.locator('[data-kpi="percent"]').innerText())).toBe(last.percent);
    expect(numberIn(await section.locator('[data-kpi="change"]').innerText())).toBe(last.score - first.score);
    expect(numberIn(await section.locator('[data-kpi="days"]').innerText())).toBe(expected.daily.length);
  });

  it('draws one point per DailyScore in both trend charts, with its date and value, and marks the drops', async () => {
    const section = page.locator(`section[data-tenant-id="${expected.tenantId}"]`);
    for (const [series, field] of [
      ['series-score', 'score'],
      ['series-percent', 'percent'],
    ] as const) {
      const points = section.locator(`svg.chart circle[data-series="${series}"]`);
      const dates = await points.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-date')));
      const values = await points.evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-value'))));
      expect(dates).toEqual(expected.daily.map((d) => d.date));
      expect(values).toEqual(expected.daily.map((d) => d[field]));
    }
    const dropped = await section
      .locator('svg.chart circle.drop[data-series="series-score"]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-date')));
    expect(dropped).toEqual(expected.drops.map((d) => d.date).reverse());
    expect(await section.locator('svg.chart > title').count()).toBe(2);
    expect(await section.locator('svg.chart').first().isVisible()).toBe(true);
  });

  it('lists the score regressions and the controls that lost points with the points lost', async () => {
    const drops = await cellsOf(page.locator('[data-table="score-drops"] tbody tr'));
    expect(
      drops.map(([date, before, after, lost]) => ({ date, before: numberIn(before!), after: numberIn(after!), lost: numberIn(lost!) })),
    ).toEqual(expected.drops);
    const controls = await cellsOf(page.locator('[data-table="control-drops"] tbody tr'));
    expect(
      controls.map(([date, control, , before, after, lost]) => ({
        date,
        control: control!.split('\n').pop(),
        before: numberIn(before!),
        after: after === 'removed' ? after : numberIn(after!),
        lost: numberIn(lost!),
      })),
    ).toEqual(expected.controlDrops);
    expect(expected.drops.length).toBeGreaterThan(0);
  });

  it('breaks the newest snapshot down by category with the ControlScore sums', async () => {
    const rows = await cellsOf(page.locator('[data-table="categories"] tbody tr'));
    const shown = new Map(rows.map(([category, score, max]) => [category!, { score: numberIn(score!), maxScore: numberIn(max!) }]));
    expect(shown).toEqual(expected.categories);
  });

  it('lists the controls risk accepted now with who and why', async () => {
    const rows = await cellsOf(page.locator('[data-table="accepted"] tbody tr'));
    expect(rows.map(([control, , , by, , why]) => ({ control: control!.split('\n').pop(), by, comment: why }))).toEqual(expected.accepted);
    expect(expected.accepted.length).toBeGreaterThan(0);
  });

  it('lists the controls added and removed', async () => {
    const rows = await cellsOf(page.locator('[data-table="appearances"] tbody tr'));
    expect(rows.map(([date, change, control]) => ({ date, change, control: control!.split('\n').pop() }))).toEqual(expected.appearances);
  });

  it('lists the connector runs with their status and record counts', async () => {
    const rows = await cellsOf(page.locator('[data-table="runs"] tbody tr'));
    expect(rows.map(([, , status]) => status)).toEqual(expected.runs.map((r) => r.status));
    for (const [i, run] of expected.runs.entries()) {
      for (const [type, count] of Object.entries(run.counts).filter(([, n]) => n > 0))
        expect(rows[i]![3]).toContain(`${count.toLocaleString('en-US')} ${type}`);
    }
  });

  it('is readable: one h1, a heading per section, a caption on every table, a title on every chart', async () => {
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('section:not(:has(h2))').count()).toBe(0);
    expect(await page.locator('table:not(:has(caption))').count()).toBe(0);
    expect(await page.locator('svg:not(:has(> title))').count()).toBe(0);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('saves a full-page screenshot', async () => {
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
    console.log(`report screenshot: ${SCREENSHOT}`);
  });
});
