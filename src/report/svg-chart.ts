import { formatDay, formatNumber } from './format.js';
import { markup, type SafeHtml } from './safe-html.js';

/** One plotted value; `label` becomes the point's tooltip (its SVG <title>). */
interface ChartPoint {
  readonly date: string;
  readonly value: number;
  readonly label: string;
  /** Drawn as a highlighted marker (a score drop). */
  readonly flagged?: boolean;
}

/** A line of the chart. `className` picks its colour from the page's style sheet. */
interface ChartSeries {
  readonly name: string;
  readonly className: string;
  readonly points: readonly ChartPoint[];
  readonly dashed?: boolean;
  /** Draw a marker with a tooltip on every point. */
  readonly markers?: boolean;
}

/** A line chart over time, drawn from zero up to at least `yMax`. */
export interface LineChartSpec {
  /** Unique on the page: prefixes the ids the title and description are referenced by. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly yMax: number;
  readonly yUnit?: string;
  readonly series: readonly ChartSeries[];
}

const WIDTH = 760;
const HEIGHT = 260;
const PAD = { left: 56, right: 20, top: 30, bottom: 36 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** A round step giving about `count` intervals up to `max`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough);
  return step ?? 10 * power;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * An inline SVG line chart: no script, no external resource, readable without colour (the
 * series differ in dash too) and by screen readers (title and description, a tooltip per point).
 */
export function lineChart(spec: LineChartSpec): SafeHtml {
  const times = spec.series.flatMap((s) => s.points.map((p) => Date.parse(p.date)));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const step = niceStep(spec.yMax);
  const yTop = Math.max(step, Math.ceil(spec.yMax / step) * step);
  const x = (date: string) => r1(t1 > t0 ? PAD.left + ((Date.parse(date) - t0) / (t1 - t0)) * PLOT_W : PAD.left + PLOT_W / 2);
  const y = (value: number) => r1(PAD.top + PLOT_H * (1 - Math.max(0, value) / yTop));

  const ticks: number[] = [];
  for (let v = 0; v <= yTop + step / 2; v += step) ticks.push(Math.round(v * 1000) / 1000);
  const grid = ticks.map((v) => {
    const line = markup`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}"/>`;
    return markup`${line}<text class="axis" x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${formatNumber(v)}${spec.yUnit ?? ''}</text>`;
  });

  const dates = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.date)))].sort((a, b) => Date.parse(a) - Date.parse(b));
  const labelEvery = Math.max(1, Math.ceil(dates.length / 6));
  // The newest day is always labelled, right-aligned so it stays inside the chart; a regular label
  // too close to it is dropped rather than overlapping it.
  const xLabels = dates
    .filter((_, i) => i % labelEvery === 0 || i === dates.length - 1)
    .filter((d, i, all) => i === all.length - 1 || x(all[all.length - 1] ?? d) - x(d) > 100)
    .map((d, i, all) => {
      const anchor = i === all.length - 1 && all.length > 1 ? 'end' : 'middle';
      return markup`<text class="axis" x="${x(d)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="${anchor}">${formatDay(d)}</text>`;
    });

  const legend = spec.series.map((s, i) => {
    const lx = PAD.left + i * 190;
    const line = markup`<line class="${s.className}${s.dashed ? ' dashed' : ''}" x1="${lx}" x2="${lx + 24}" y1="12" y2="12"/>`;
    return markup`<g class="legend">${line}<text x="${lx + 30}" y="16">${s.name}</text></g>`;
  });

  const lines = spec.series.map((s) => {
    const path = s.points.map((p) => `${x(p.date)},${y(p.value)}`).join(' ');
    const markers = (s.markers ? s.points : []).map((p) => {
      const at = markup`cx="${x(p.date)}" cy="${y(p.value)}" r="${p.flagged ? 5 : 3}"`;
      const data = markup`data-series="${s.className}" data-date="${formatDay(p.date)}" data-value="${p.value}"`;
      return markup`<circle class="point${p.flagged ? ' drop' : ''}" ${data} ${at}><title>${p.label}</title></circle>`;
    });
    return markup`<polyline class="${s.className}${s.dashed ? ' dashed' : ''}" fill="none" points="${path}"/>${markers}`;
  });

  const labelledBy = `${spec.id}-title ${spec.id}-desc`;
  return markup`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" aria-labelledby="${labelledBy}" xmlns="http://www.w3.org/2000/svg">
<title id="${spec.id}-title">${spec.title}</title>
<desc id="${spec.id}-desc">${spec.description}</desc>
${grid}${xLabels}${legend}${lines}
</svg>`;
}

/** A small horizontal bar for a percentage, with the exact figure as its title. */
export function percentBar(percent: number | null, label: string): SafeHtml {
  const width = Math.max(0, Math.min(100, percent ?? 0));
  const svg = markup`<svg class="bar" role="img" viewBox="0 0 100 10" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">`;
  const bars = markup`<rect class="bar-track" x="0" y="0" width="100" height="10"/><rect class="bar-fill" x="0" y="0" width="${width}" height="10"/>`;
  return markup`${svg}<title>${label}</title>${bars}</svg>`;
}
