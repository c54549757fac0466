/** The page's style sheet: light, print-friendly, no web fonts (nothing may load at view time). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --good: #047857; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f9fafb; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 0 0 8px; padding-top: 8px; }
h3 { font-size: 1.05rem; margin: 24px 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px 20px; margin: 20px 0; }
p { margin: 6px 0; }
.meta, .note, .id { color: var(--muted); font-size: 0.9rem; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--ink); }
/* Long unbroken values (GUIDs, UPNs, control ids) may break anywhere; words elsewhere wrap normally. */
.ident, td code { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when { white-space: nowrap; }
.lost, .negative { color: var(--bad); }
.positive { color: var(--good); }
.status-Succeeded { color: var(--good); }
.status-Failed, .status-PartiallySucceeded { color: var(--bad); font-weight: 600; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 4px; padding: 0; list-style: none; }
.kpis li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.kpis .label { display: block; color: var(--muted); font-size: 0.8rem; }
.kpis .value { font-size: 1.25rem; font-weight: 600; font-variant-numeric: tabular-nums; }
svg.chart { width: 100%; height: auto; display: block; margin: 4px 0 12px; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .axis, svg.chart .legend text { fill: var(--muted); font-size: 11px; }
svg.chart polyline, svg.chart .legend line { stroke-width: 2.5; fill: none; }
svg .dashed { stroke-dasharray: 6 4; }
svg .series-score { stroke: var(--accent); }
svg .series-max { stroke: var(--muted); }
svg .series-percent { stroke: #7c3aed; }
svg circle.point { fill: #fff; stroke: var(--accent); stroke-width: 1.5; }
svg circle.point[data-series="series-percent"] { stroke: #7c3aed; }
svg circle.point.drop { fill: var(--bad); stroke: var(--bad); }
svg.bar { width: 120px; height: 10px; vertical-align: middle; }
svg.bar .bar-track { fill: var(--line); }
svg.bar .bar-fill { fill: var(--accent); }
footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 32px; }
@media print { body { background: #fff; } section { break-inside: avoid; border: none; } }
`;
