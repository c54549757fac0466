/**
 * HTML built so that data can never become markup: every value interpolated into the `markup` tag is
 * escaped unless it is itself a fragment the tag produced. Control titles, comments and UPNs come
 * from tenants and may hold `<script>`; escaping by default means a forgotten call cannot leak one.
 */

/** A fragment of markup produced by `markup` (or `trustedHtml`), inserted as is. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function fragment(value: unknown): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(fragment).join('');
  // Absent values render as nothing, so optional parts can be written inline.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are markup, interpolated values are escaped (arrays are joined). */
export function markup(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += fragment(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup from this module's own constants (never from data), e.g. the style sheet. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
