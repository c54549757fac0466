/**
 * Validators shared by the command line, the environment and the tenants file. Each takes the raw
 * value and the label the user typed (`--days`, `SECURESCORE_DAYS`, `tenants[2].dcrImmutableId`), and
 * either returns the value or records a problem naming that label, so every error is reported at once.
 */

/** Collects problems; `fail` records one and returns undefined so validation goes on. */
export class Problems {
  readonly list: string[] = [];

  fail(label: string, problem: string, fix: string): undefined {
    this.list.push(`${label}: ${problem}. ${fix}`);
    return undefined;
  }
}

/** A DCR immutable id (not its name). */
const DCR_ID = /^dcr-[0-9a-f]{32}$/i;
/** A tenant (directory) id. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An https origin without path (the SDKs refuse tokens over http). */
export function httpsOrigin(value: string, label: string, example: string, problems: Problems): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problems.fail(label, `"${value}" is not a URL`, `Give it as ${example}`);
  }
  if (url.protocol !== 'https:') return problems.fail(label, `"${value}" is not https`, `Tokens are only sent over https; use ${example}`);
  if (url.pathname !== '/' && url.pathname !== '')
    return problems.fail(label, `"${value}" has a path`, `Give only the root, such as ${example}`);
  return url.origin;
}

/** A number in range (fractions allowed), from a number or its text. */
export function numberInRange(value: string | number, label: string, min: number, max: number, problems: Problems): number | undefined {
  const text = String(value).trim();
  const n = typeof value === 'number' ? value : text === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) return problems.fail(label, `${JSON.stringify(value)} is not a number`, `Use a number from ${min} to ${max}`);
  if (n < min || n > max) return problems.fail(label, `${text} is out of range`, `Use a number from ${min} to ${max}`);
  return n;
}

/** A whole number in range, from a number or its text. */
export function integerInRange(value: string | number, label: string, min: number, max: number, problems: Problems): number | undefined {
  const text = String(value).trim();
  const n = typeof value === 'number' ? value : text === '' ? NaN : Number(text);
  if (Number.isNaN(n)) return problems.fail(label, `${JSON.stringify(value)} is not a number`, `Use a whole number from ${min} to ${max}`);
  if (!Number.isInteger(n) || n < min || n > max)
    return problems.fail(label, `${text} is out of range`, `Use a whole number from ${min} to ${max}`);
  return n;
}

/** true/false/1/0 only: "yes" or "on" are refused rather than silently read as false. */
export function strictBoolean(value: string | boolean, label: string, problems: Problems): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return problems.fail(label, `"${value}" is not a boolean`, 'Use true, false, 1 or 0');
}

/** The DCR immutable id. */
export function dcrImmutableId(value: string, label: string, problems: Problems): string | undefined {
  if (DCR_ID.test(value)) return value;
  return problems.fail(
    label,
    `"${value}" is not an immutable id`,
    "It looks like dcr-0123456789abcdef0123456789abcdef (the DCR's immutableId, not its name)",
  );
}

/** A DCR stream of a custom table. */
export function streamName(value: string, label: string, defaultStream: string, problems: Problems): string | undefined {
  if (value.startsWith('Custom-')) return value;
  return problems.fail(label, `"${value}" does not start with "Custom-"`, `Use the stream declared in the DCR, ${defaultStream}`);
}

/** The example shown for an ingestion endpoint. */
export const INGESTION_ENDPOINT_EXAMPLE = 'https://<dce-or-dcr>.<region>.ingest.monitor.azure.com';
