import { formatChange, formatDay, formatDuration, formatNumber, formatPercent, formatTime } from './format.js';
import type { ReportModel, RunRow, TenantReport } from './model.js';
import { REPORT_CSS } from './report-style.js';
import { markup, trustedHtml, type SafeHtml } from './safe-html.js';
import { table } from './tables.js';
import { tenantSection, tenantTotals } from './tenant-section.js';

/**
 * Nothing may load at view time, and no script may run even if some value escaped escaping:
 * the page allows only its own inline style sheet.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** A class for a run status the style sheet knows; anything else from the data gets a neutral one. */
function statusClass(status: string | null | undefined): string {
  return `status-${status === 'Succeeded' || status === 'PartiallySucceeded' || status === 'Failed' ? status : 'other'}`;
}

function overview(model: ReportModel): SafeHtml {
  const lastRun = (tenantId: string) => model.runs.find((r) => r.tenantId === tenantId);
  return table<TenantReport>(
    'overview',
    'Each tenant on its newest day: score, change over the period, points lost on the days it dropped, controls risk accepted now, last connector run',
    [
      { header: 'Tenant', cell: (t) => markup`<a href="#tenant-${model.tenants.indexOf(t) + 1}">${t.label}</a>`, className: () => 'ident' },
      { header: 'Newest day', cell: (t) => formatDay(tenantTotals(t).last?.date), className: () => 'when' },
      { header: 'Score', cell: (t) => formatNumber(tenantTotals(t).last?.score), numeric: true },
      { header: 'Max', cell: (t) => formatNumber(tenantTotals(t).last?.maxScore), numeric: true },
      { header: 'Percent', cell: (t) => formatPercent(tenantTotals(t).last?.percent), numeric: true },
      { header: 'Change', cell: (t) => formatChange(tenantTotals(t).change), numeric: true },
      { header: 'Lost in drops', cell: (t) => formatNumber(t.scoreDrops.reduce((sum, d) => sum + d.pointsLost, 0)), numeric: true },
      { header: 'Accepted', cell: (t) => formatNumber(t.accepted.length), numeric: true },
      { header: 'Last run', cell: (t) => lastRun(t.tenantId)?.status ?? '–', className: (t) => statusClass(lastRun(t.tenantId)?.status) },
    ],
    model.tenants,
    'The input holds no tenant.',
  );
}

function runs(model: ReportModel): SafeHtml {
  const counts = (r: RunRow) =>
    Object.entries(r.recordCounts)
      .filter(([, n]) => n > 0)
      .map(([type, n]) => `${formatNumber(n)} ${type}`)
      .join(', ') || '–';
  return table<RunRow>(
    'runs',
    'Connector runs (ConnectorRun records), newest first',
    [
      { header: 'When', cell: (r) => formatTime(r.time), className: () => 'when' },
      { header: 'Tenant', cell: (r) => r.tenantLabel, className: () => 'ident' },
      { header: 'Status', cell: (r) => r.status ?? '–', className: (r) => statusClass(r.status) },
      { header: 'Records', cell: counts },
      { header: 'Duration', cell: (r) => formatDuration(r.durationSeconds), numeric: true },
      { header: 'Error', cell: (r) => r.errorMessage ?? '' },
      { header: 'Version', cell: (r) => r.version ?? '–' },
    ],
    model.runs,
    'The input holds no ConnectorRun records.',
  );
}

/**
 * The period of what the page shows: the daily scores', and the state changes' when they reach
 * outside it (Graph keeps a control's whole state history, so changes can be older than the first
 * snapshot), so nothing listed lies outside the period stated.
 */
function period(model: ReportModel): string {
  const span = (dates: Array<string | null>) => {
    const sorted = dates.filter((d): d is string => !!d && !Number.isNaN(Date.parse(d))).sort((a, b) => Date.parse(a) - Date.parse(b));
    return sorted.length > 0 ? { from: formatDay(sorted[0]), to: formatDay(sorted[sorted.length - 1]) } : undefined;
  };
  const days = span(model.tenants.flatMap((t) => t.daily.map((d) => d.date)));
  const changes = span(model.tenants.flatMap((t) => t.stateChanges.map((c) => c.updatedAt)));
  const daily = days ? `Daily scores from ${days.from} to ${days.to}` : 'No daily scores';
  const outside = changes && (!days || changes.from < days.from || changes.to > days.to);
  return outside ? `${daily}; state changes from ${changes.from} to ${changes.to}.` : `${daily}.`;
}

/** The whole report as one self-contained HTML document: inline style and SVG, no script, no external resource. */
export function renderReport(model: ReportModel): string {
  const { input } = model;
  const labels = model.tenants.map((t) => t.label).join(', ');
  const skipped =
    input.unreadableLines > 0
      ? markup` <strong>${formatNumber(input.unreadableLines)} line(s) were not records and were skipped.</strong>`
      : '';
  const page = markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="securescore-connector report">
<title>Secure Score report: ${labels || 'no tenant'}</title>
<style>${trustedHtml(REPORT_CSS)}</style>
</head>
<body>
<header>
<h1>Microsoft Secure Score report</h1>
<p class="meta">Generated ${formatTime(model.generatedAt)} from ${formatNumber(input.records)} record(s) in ${input.files.join(', ')}. \
${period(model)}${skipped}</p>
</header>
<main>
<section aria-labelledby="overview-heading">
<h2 id="overview-heading">Overview</h2>
${overview(model)}
</section>
${model.tenants.map((t, i) => tenantSection(t, i))}
<section aria-labelledby="runs-heading">
<h2 id="runs-heading">Connector runs</h2>
${runs(model)}
</section>
</main>
<footer>
<p>Written by <code>securescore-connector report</code> from records of the Log Analytics table <code>MicrosoftSecureScore_CL</code>. \
The page is self-contained: no script, nothing loaded from the network. Times are UTC.</p>
</footer>
</body>
</html>
`;
  return page.markup;
}
