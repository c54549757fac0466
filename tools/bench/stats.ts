/** The spread of one figure over repeats. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/**
 * Min, median and max of the finite values (a repeat that could not measure a figure gives NaN and
 * is left out); the median of an even count is the mean of the middle two. All NaN when none is finite.
 */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { min: NaN, median: NaN, max: NaN };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** `value / base`, NaN unless both are finite and the base is above zero. */
export function ratio(value: number, base: number): number {
  return Number.isFinite(value) && Number.isFinite(base) && base > 0 ? value / base : NaN;
}

/** Rounds for a table: whole numbers as they are (`12,345`), others to about 3 significant digits, `-` for NaN. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

/** `median (min-max)`, or just the value when every repeat agrees. */
export function formatSpread(spread: Spread): string {
  const median = formatNumber(spread.median);
  const [min, max] = [formatNumber(spread.min), formatNumber(spread.max)];
  return min === max ? median : `${median} (${min}-${max})`;
}

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned. */
export function alignedTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
