import { describe, expect, it } from 'vitest';
import { formatChange, formatDay, formatDuration, formatNumber, formatPercent, formatTime } from '../../src/report/format.js';
import type { ReportModel, TenantReport } from '../../src/report/model.js';
import { renderReport } from '../../src/report/render-report.js';
import { escapeHtml, markup } from '../../src/report/safe-html.js';
import { niceStep } from '../../src/report/svg-chart.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>"' & </td></table>`;

function tenant(overrides: Partial<TenantReport> = {}): TenantReport {
  return {
    tenantId: '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    label: 'Contoso',
    daily: [
      { date: '2026-10-01T00:00:00.000Z', score: 1200, maxScore: 2000, percent: 60, change: null },
      { date: '2026-10-02T00:00:00.000Z', score: 1234.5, maxScore: 2000, percent: 61.725, change: 34.5 },
      { date: '2026-10-03T00:00:00.000Z', score: 1224.5, maxScore: 2000, percent: 61.225, change: -10 },
    ],
    categoriesDate: '2026-10-03T00:00:00.000Z',
    categoriesFirstDate: '2026-10-01T00:00:00.000Z',
    categories: [{ category: 'Identity', score: 1224.5, maxScore: 2000, percent: 61.23, firstScore: 1200, change: 24.5 }],
    scoreDrops: [{ date: '2026-10-03T00:00:00.000Z', previous: 1234.5, current: 1224.5, pointsLost: 10, causes: [] }],
    controlDrops: [],
    accepted: [],
    acceptedSource: 'ControlState',
    stateChanges: [],
    appearances: [],
    ...overrides,
  };
}

function model(tenants: TenantReport[], overrides: Partial<ReportModel> = {}): ReportModel {
  return {
    generatedAt: '2026-11-05T08:00:00.000Z',
    input: { files: ['scores.ndjson'], records: 12345, unreadableLines: 0, otherRecords: 0 },
    tenants,
    runs: [],
    ...overrides,
  };
}

/** Every string the data can put on the page, set to a hostile value. */
function hostileModel(): ReportModel {
  const control = { controlName: HOSTILE, title: HOSTILE, category: HOSTILE };
  return model(
    [
      tenant({
        tenantId: HOSTILE,
        label: HOSTILE,
        categories: [{ category: HOSTILE, score: 1, maxScore: 2, percent: 50, firstScore: null, change: null }],
        controlDrops: [{ ...control, date: '2026-10-03T00:00:00.000Z', cause: 'Decreased', previous: 2, current: 1, pointsLost: 1 }],
        scoreDrops: [
          {
            date: '2026-10-03T00:00:00.000Z',
            previous: 3,
            current: 1,
            pointsLost: 2,
            causes: [{ ...control, date: '2026-10-03T00:00:00.000Z', cause: 'Removed', previous: 2, current: null, pointsLost: 2 }],
          },
        ],
        accepted: [{ ...control, updatedBy: HOSTILE, updatedAt: HOSTILE, comment: HOSTILE, assignedTo: HOSTILE, maxScore: 3 }],
        stateChanges: [
          {
            ...control,
            updatedAt: HOSTILE,
            state: HOSTILE,
            stateLabel: HOSTILE,
            previousState: HOSTILE,
            updatedBy: HOSTILE,
            comment: HOSTILE,
          },
        ],
        appearances: [{ ...control, date: HOSTILE, change: 'New', score: 1 }],
      }),
    ],
    {
      input: { files: [HOSTILE], records: 1, unreadableLines: 0, otherRecords: 0 },
      runs: [
        {
          time: HOSTILE,
          tenantId: HOSTILE,
          tenantLabel: HOSTILE,
          status: HOSTILE,
          recordCounts: { [HOSTILE]: 1 },
          durationSeconds: 1,
          errorMessage: HOSTILE,
          version: HOSTILE,
        },
      ],
    },
  );
}

describe('report HTML', () => {
  it('escapes every value from the data, so a hostile comment, title or UPN stays text', () => {
    const page = renderReport(hostileModel());
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain('</td></table>"');
    // No element gains an attribute from the data: "onerror=" may appear only as text or inside a
    // quoted value (quotes in data are escaped, so every literal quote is the markup's own).
    expect(page.replace(/"[^"]*"/g, '""')).not.toMatch(/<[a-z][^>]*\sonerror=/i);
    expect(page).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39; &amp; &lt;/td&gt;&lt;/table&gt;',
    );
    // Each hostile value appears escaped in every place it is shown (tables, attributes, chart titles).
    expect(page.split('&lt;script&gt;').length - 1).toBeGreaterThanOrEqual(20);
  });

  it('loads nothing at view time: no script, no external reference, and a policy that forbids both', () => {
    const page = renderReport(model([tenant()]));
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;;`,
    );
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\(|@import/i);
    // The only URL on the page is the SVG namespace, which names and never loads.
    expect(page.match(/https?:\/\/[^"'\s<]+/g)).toEqual(expect.arrayContaining(['http://www.w3.org/2000/svg']));
    expect(new Set(page.match(/https?:\/\/[^"'\s<]+/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('draws each trend with a title, a description and one marker per day carrying its value, drops flagged', () => {
    const page = renderReport(model([tenant()]));
    expect(page).toContain('<title id="tenant-1-score-title">Secure Score of Contoso, 2026-10-01 to 2026-10-03</title>');
    expect(page).toContain('<desc id="tenant-1-score-desc">');
    expect(page).toContain('aria-labelledby="tenant-1-percent-title tenant-1-percent-desc"');
    const scorePoints = [
      ...page.matchAll(/<circle class="(point[^"]*)" data-series="series-score" data-date="([^"]+)" data-value="([^"]+)"/g),
    ];
    expect(scorePoints.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['point', '2026-10-01', '1200'],
      ['point', '2026-10-02', '1234.5'],
      ['point drop', '2026-10-03', '1224.5'],
    ]);
    expect(page).toContain('<title>2026-10-03: 1,224.5 of 2,000 points (-10)</title>');
  });

  it('gives every table a caption and column headers, with numbers formatted', () => {
    const page = renderReport(model([tenant()]));
    const tables = page.match(/<table[\s\S]*?<\/table>/g) ?? [];
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const t of tables) {
      expect(t).toMatch(
        /^<table data-table="[a-z-]+"><caption>[^<]+<\/caption><thead><tr>(<th scope="col"[^>]*>[^<]+<\/th>)+<\/tr><\/thead>/,
      );
    }
    expect(page).toContain('<span class="value" data-kpi="score">1,224.5 of 2,000</span>');
    expect(page).toContain('<span class="value positive" data-kpi="change">+24.5</span>');
    expect(page).toContain('<td class="num">61.23%</td>');
  });

  it('says so, instead of drawing an empty table, when there is nothing to list', () => {
    const page = renderReport(model([tenant({ daily: [], scoreDrops: [], categories: [], acceptedSource: 'none' })]));
    expect(page).toContain('No DailyScore records for this tenant in the input.');
    expect(page).toContain('The total score did not drop in this period.');
    expect(page).toContain('The input holds no control states for this tenant.');
    expect(page).toContain('The input holds no ConnectorRun records.');
    expect(page).not.toContain('<svg class="chart"');
  });

  it('names where risk acceptance was read from, so a reader of an older file knows', () => {
    const row = {
      controlName: 'A',
      title: null,
      category: null,
      updatedBy: 'x',
      updatedAt: null,
      comment: null,
      assignedTo: null,
      maxScore: 1,
    };
    expect(renderReport(model([tenant({ accepted: [row], acceptedSource: 'ControlState' })]))).toContain(
      'from the newest ControlState record',
    );
    expect(renderReport(model([tenant({ accepted: [row], acceptedSource: 'ControlStateUpdate' })]))).toContain(
      'the input has no ControlState records',
    );
  });

  it('mentions skipped lines in the header', () => {
    const page = renderReport(model([tenant()], { input: { files: ['a.ndjson'], records: 3, unreadableLines: 2, otherRecords: 0 } }));
    expect(page).toContain('2 line(s) were not records and were skipped.');
  });
});

describe('report building blocks', () => {
  it.each([
    ['plain', 'plain'],
    ['<b>', '&lt;b&gt;'],
    [`a"b'c&d`, 'a&quot;b&#39;c&amp;d'],
  ])('escapeHtml(%j) is %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('the markup tag escapes values, joins arrays, drops absent values and keeps its own fragments', () => {
    const inner = markup`<b>${'<i>'}</b>`;
    expect(markup`<p>${inner}${['<', '>']}${null}${undefined}${false}${0}</p>`.markup).toBe('<p><b>&lt;i&gt;</b>&lt;&gt;0</p>');
  });

  it.each([
    [314, 100],
    [100, 25],
    [8, 2],
    [0, 1],
    [2000, 500],
  ])('niceStep(%d) is %d', (max, step) => {
    expect(niceStep(max)).toBe(step);
  });

  it.each([
    [() => formatNumber(1234.567), '1,234.57'],
    [() => formatNumber(null), '–'],
    [() => formatChange(3), '+3'],
    [() => formatChange(-2.5), '-2.5'],
    [() => formatChange(0), '0'],
    [() => formatPercent(50.317), '50.32%'],
    [() => formatDay('2026-10-29T23:59:59.000Z'), '2026-10-29'],
    [() => formatTime('2026-10-11T14:03:27.123Z'), '2026-10-11 14:03 UTC'],
    [() => formatTime('not a time'), 'not a time'],
    [() => formatDuration(0.124), '0.12 s'],
    [() => formatDuration(185), '3 min 5 s'],
  ])('formats %#', (format, expected) => {
    expect(format()).toBe(expected);
  });
});
