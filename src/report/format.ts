/** How numbers and times read on the report: fixed locale and UTC, so a report reads the same everywhere. */

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 1234.5 -> "1,234.5"; absent -> "–". */
export function formatNumber(value: number | null | undefined): string {
  return value == null ? '–' : NUMBER.format(value);
}

/** A signed change: "+3", "-2.5", "0". */
export function formatChange(value: number | null | undefined): string {
  if (value == null) return '–';
  return value > 0 ? `+${NUMBER.format(value)}` : NUMBER.format(value);
}

/** 50.317 -> "50.32%". */
export function formatPercent(value: number | null | undefined): string {
  return value == null ? '–' : `${NUMBER.format(value)}%`;
}

/** The UTC day of an ISO timestamp: "2026-10-29". */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().slice(0, 10);
}

/** An ISO timestamp to the minute, in UTC: "2026-10-11 14:03 UTC". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Seconds as "0.12 s" or "3 min 5 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return '–';
  if (seconds < 60) return `${NUMBER.format(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
