import { formatChange, formatDay, formatNumber, formatPercent, formatTime } from './format.js';
import type { AcceptedControl, CategoryRow, ControlAppearance, ControlDrop, ScoreDrop, StateChange, TenantReport } from './model.js';
import { markup, type SafeHtml } from './safe-html.js';
import { lineChart, percentBar } from './svg-chart.js';
import { controlCell, table } from './tables.js';

const signClass = (n: number | null) => (n == null || n === 0 ? undefined : n > 0 ? 'positive' : 'negative');

/** The tenant's newest day and its change since the oldest day of the input. */
export function tenantTotals(tenant: TenantReport) {
  const first = tenant.daily[0];
  const last = tenant.daily[tenant.daily.length - 1];
  const change = first && last && first !== last && first.score != null && last.score != null ? last.score - first.score : null;
  return { first, last, change: change === null ? null : Math.round(change * 100) / 100 };
}

function trend(tenant: TenantReport, id: string): SafeHtml {
  const points = tenant.daily.filter((d) => d.score != null);
  if (points.length === 0) return markup`<p class="note">No DailyScore records for this tenant in the input.</p>`;
  const maxScore = Math.max(...points.map((d) => d.maxScore ?? d.score ?? 0));
  const { first, last } = tenantTotals(tenant);
  const span = `${formatDay(first?.date)} to ${formatDay(last?.date)}`;
  const score = lineChart({
    id: `${id}-score`,
    title: `Secure Score of ${tenant.label}, ${span}`,
    description: `Daily score (points) and maximum score over ${points.length} day(s); red markers are days the score dropped.`,
    yMax: maxScore,
    series: [
      {
        name: 'Score',
        className: 'series-score',
        markers: true,
        points: points.map((d) => ({
          date: d.date,
          value: d.score ?? 0,
          flagged: d.change != null && d.change < 0,
          label: `${formatDay(d.date)}: ${formatNumber(d.score)} of ${formatNumber(d.maxScore)} points (${formatChange(d.change)})`,
        })),
      },
      {
        name: 'Maximum score',
        className: 'series-max',
        dashed: true,
        points: points.filter((d) => d.maxScore != null).map((d) => ({ date: d.date, value: d.maxScore ?? 0, label: '' })),
      },
    ],
  });
  const withPercent = points.filter((d) => d.percent != null);
  const percent =
    withPercent.length === 0
      ? markup``
      : lineChart({
          id: `${id}-percent`,
          title: `Secure Score percentage of ${tenant.label}, ${span}`,
          description: `Daily score as a percentage of the maximum score over ${withPercent.length} day(s).`,
          yMax: 100,
          yUnit: '%',
          series: [
            {
              name: 'Percent of maximum',
              className: 'series-percent',
              markers: true,
              points: withPercent.map((d) => ({
                date: d.date,
                value: d.percent ?? 0,
                flagged: d.change != null && d.change < 0,
                label: `${formatDay(d.date)}: ${formatPercent(d.percent)}`,
              })),
            },
          ],
        });
  return markup`${score}${percent}`;
}

function kpis(tenant: TenantReport): SafeHtml {
  const { first, last, change } = tenantTotals(tenant);
  if (!last) return markup``;
  const item = (name: string, label: string, value: string, className?: string) =>
    markup`<li><span class="label">${label}</span><span class="value${className ? ` ${className}` : ''}" data-kpi="${name}">${value}</span></li>\n`;
  return markup`<ul class="kpis" aria-label="Newest snapshot">
${item('score', `Score on ${formatDay(last.date)}`, `${formatNumber(last.score)} of ${formatNumber(last.maxScore)}`)}\
${item('percent', 'Percent of maximum', formatPercent(last.percent))}\
${item('change', `Change since ${formatDay(first?.date)}`, formatChange(change), signClass(change))}\
${item('days', 'Daily snapshots', formatNumber(tenant.daily.length))}\
${item('accepted', 'Risk accepted now', formatNumber(tenant.accepted.length))}\
</ul>`;
}

function categories(tenant: TenantReport): SafeHtml {
  const since = tenant.categoriesFirstDate ? formatDay(tenant.categoriesFirstDate) : null;
  const caption = `Points per category on ${formatDay(tenant.categoriesDate)}${since ? `, compared with ${since}` : ''}`;
  return table<CategoryRow>(
    'categories',
    caption,
    [
      { header: 'Category', cell: (r) => r.category },
      { header: 'Score', cell: (r) => formatNumber(r.score), numeric: true },
      { header: 'Maximum', cell: (r) => formatNumber(r.maxScore), numeric: true },
      { header: 'Percent', cell: (r) => formatPercent(r.percent), numeric: true },
      { header: 'Share of maximum', cell: (r) => percentBar(r.percent, `${r.category}: ${formatPercent(r.percent)} of its maximum`) },
      {
        header: since ? `Change since ${since}` : 'Change',
        cell: (r) => formatChange(r.change),
        numeric: true,
        className: (r) => signClass(r.change),
      },
    ],
    tenant.categories,
    'No ControlScore records for this tenant in the input.',
  );
}

/** Most causes named on a day's row; the rest are counted (all are in "Controls that lost points"). */
const CAUSES_SHOWN = 3;

/** The controls behind a day's drop: `AdminMFAV2 −10`, `LegacyExchangeAuditLogSearch −2 (removed)`. */
function causesCell(drop: ScoreDrop): SafeHtml {
  if (drop.causes.length === 0) return markup`–`;
  const named = drop.causes
    .slice(0, CAUSES_SHOWN)
    .map(
      (c, i) =>
        markup`${i > 0 ? markup`<br>` : ''}<code>${c.controlName}</code> −${formatNumber(c.pointsLost)}${c.cause === 'Removed' ? ' (removed)' : ''}`,
    );
  const more = drop.causes.length > CAUSES_SHOWN ? markup`<br>and ${drop.causes.length - CAUSES_SHOWN} more` : '';
  return markup`${named}${more}`;
}

function regressions(tenant: TenantReport): SafeHtml {
  const days = table<ScoreDrop>(
    'score-drops',
    'Days the total score dropped',
    [
      { header: 'Date', cell: (r) => formatDay(r.date), className: () => 'when' },
      { header: 'Before', cell: (r) => formatNumber(r.previous), numeric: true },
      { header: 'After', cell: (r) => formatNumber(r.current), numeric: true },
      { header: 'Points lost', cell: (r) => formatNumber(r.pointsLost), numeric: true, className: () => 'lost' },
      { header: 'Controls that lost them', cell: causesCell },
    ],
    tenant.scoreDrops,
    'The total score did not drop in this period.',
  );
  const controls = table<ControlDrop>(
    'control-drops',
    'Controls that lost points',
    [
      { header: 'Date', cell: (r) => formatDay(r.date), className: () => 'when' },
      { header: 'Control', cell: controlCell },
      { header: 'Category', cell: (r) => r.category ?? '–' },
      { header: 'Before', cell: (r) => formatNumber(r.previous), numeric: true },
      { header: 'After', cell: (r) => (r.cause === 'Removed' ? 'removed' : formatNumber(r.current)), numeric: true },
      { header: 'Points lost', cell: (r) => formatNumber(r.pointsLost), numeric: true, className: () => 'lost' },
    ],
    tenant.controlDrops,
    'No control lost points in this period.',
  );
  return markup`${days}${controls}`;
}

function accepted(tenant: TenantReport): SafeHtml {
  const from =
    tenant.acceptedSource === 'ControlState'
      ? 'the newest ControlState record of each control'
      : 'the newest state change of each control (the input has no ControlState records)';
  if (tenant.acceptedSource === 'none')
    return markup`<p class="note" data-table="accepted" data-empty="true">The input holds no control states for this tenant.</p>`;
  return table<AcceptedControl>(
    'accepted',
    `Controls in the state Ignored ("Risk accepted"), from ${from}`,
    [
      { header: 'Control', cell: controlCell },
      { header: 'Category', cell: (r) => r.category ?? '–' },
      { header: 'Points forgone', cell: (r) => formatNumber(r.maxScore), numeric: true },
      { header: 'Accepted by', cell: (r) => r.updatedBy ?? '–', className: () => 'ident' },
      { header: 'When', cell: (r) => formatTime(r.updatedAt), className: () => 'when' },
      { header: 'Why', cell: (r) => r.comment ?? '–' },
      { header: 'Assigned to', cell: (r) => r.assignedTo ?? '–', className: () => 'ident' },
    ],
    tenant.accepted,
    'No control is risk accepted now.',
  );
}

function stateChanges(tenant: TenantReport): SafeHtml {
  const state = (s: string | null, label: string | null) => (s ? (label && label !== s ? `${s} ("${label}")` : s) : '–');
  return table<StateChange>(
    'state-changes',
    'Every state change in the input, newest first',
    [
      { header: 'When', cell: (r) => formatTime(r.updatedAt), className: () => 'when' },
      { header: 'Control', cell: controlCell },
      { header: 'From', cell: (r) => r.previousState ?? '–' },
      { header: 'To', cell: (r) => state(r.state, r.stateLabel) },
      { header: 'By', cell: (r) => r.updatedBy ?? '–', className: () => 'ident' },
      { header: 'Comment', cell: (r) => r.comment ?? '–' },
    ],
    tenant.stateChanges,
    'No state changes in the input.',
  );
}

function appearances(tenant: TenantReport): SafeHtml {
  return table<ControlAppearance>(
    'appearances',
    'Controls that appeared or disappeared between two snapshots',
    [
      { header: 'Date', cell: (r) => formatDay(r.date), className: () => 'when' },
      { header: 'Change', cell: (r) => (r.change === 'New' ? 'Added' : 'Removed') },
      { header: 'Control', cell: controlCell },
      { header: 'Category', cell: (r) => r.category ?? '–' },
      { header: 'Score', cell: (r) => formatNumber(r.score), numeric: true },
    ],
    tenant.appearances,
    'No control was added or removed in this period.',
  );
}

/** One tenant's section: trend, categories, regressions, risk accepted, state changes, new and removed controls. */
export function tenantSection(tenant: TenantReport, index: number): SafeHtml {
  const id = `tenant-${index + 1}`;
  return markup`<section class="tenant" id="${id}" aria-labelledby="${id}-heading" data-tenant-id="${tenant.tenantId}">
<h2 id="${id}-heading">${tenant.label}</h2>
${tenant.label !== tenant.tenantId ? markup`<p class="id">${tenant.tenantId}</p>` : ''}
${kpis(tenant)}
<h3>Score trend</h3>
${trend(tenant, id)}
<h3>Categories</h3>
${categories(tenant)}
<h3>Regressions</h3>
${regressions(tenant)}
<h3>Risk accepted now</h3>
${accepted(tenant)}
<h3>State changes</h3>
${stateChanges(tenant)}
<h3>New and removed controls</h3>
${appearances(tenant)}
</section>`;
}
