import type { ControlRef } from './model.js';
import { markup, type SafeHtml } from './safe-html.js';

/** A column: its header, how a row fills it, and whether it holds a number (right-aligned). */
export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => unknown;
  readonly numeric?: boolean;
  readonly className?: (row: T) => string | undefined;
}

/**
 * A table with a caption and column headers (scope="col"), or a sentence saying there is nothing,
 * so an empty section reads as "none" rather than as a broken table. `name` is the table's
 * `data-table` attribute, a stable hook for whoever reads the page programmatically.
 */
export function table<T>(name: string, caption: string, columns: readonly Column<T>[], rows: readonly T[], empty: string): SafeHtml {
  if (rows.length === 0) return markup`<p class="note" data-table="${name}" data-empty="true">${empty}</p>`;
  const head = columns.map((c) => markup`<th scope="col"${c.numeric ? markup` class="num"` : ''}>${c.header}</th>`);
  const body = rows.map((row) => {
    const cells = columns.map((c) => {
      const classes = [c.numeric ? 'num' : '', c.className?.(row) ?? ''].filter(Boolean).join(' ');
      return markup`<td${classes ? markup` class="${classes}"` : ''}>${c.cell(row)}</td>`;
    });
    return markup`<tr>${cells}</tr>\n`;
  });
  // The wrapper scrolls sideways on a narrow screen instead of pushing the page wider.
  return markup`<div class="table-wrap"><table data-table="${name}"><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>
${body}</tbody></table></div>`;
}

/** A control as people know it (its title) with its id beneath, which is what Graph and KQL use. */
export function controlCell(control: ControlRef): SafeHtml {
  return control.title ? markup`${control.title}<br><code>${control.controlName}</code>` : markup`<code>${control.controlName}</code>`;
}
