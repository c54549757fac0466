import { exitCodeFor, redactSecrets } from '../errors.js';
import type { RunReport } from '../run/run.js';
import type { TenantOutcome } from '../run/run-tenant.js';
import { tenantLabel } from './run-log.js';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

const labelOf = (o: TenantOutcome) => tenantLabel(o.tenantId, o.displayName);

function tenantLine(o: TenantOutcome): string {
  if (o.status === 'Skipped') return `tenant ${labelOf(o)}: Skipped`;
  const counts = Object.entries(o.counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  const warnings =
    o.warnings.total > 0
      ? `; ${o.warnings.total} warning(s): ${Object.entries(o.warnings.counts)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')}`
      : '';
  return `tenant ${labelOf(o)}: ${o.status}; ${counts}; ${o.delivered}/${o.produced} delivered${warnings}`;
}

/**
 * The one-line summary printed at the end of every run (plus a line per tenant problem), with
 * secrets cut out of every line (problems quote SDK text and settings).
 */
export function formatSummary(report: RunReport): string[] {
  return summaryLines(report).map(redactSecrets);
}

function summaryLines(report: RunReport): string[] {
  const lines = report.outcomes.map(tenantLine);
  const failed = report.outcomes.filter((o) => o.status !== 'Succeeded' && o.status !== 'Skipped');
  if (report.outcomes.length > 1 && failed.length > 0)
    lines.push(
      `${failed.length} of ${report.outcomes.length} tenant(s) not fully delivered: ${failed.map((o) => `${labelOf(o)} (${o.status})`).join(', ')}`,
    );
  // With many tenants a problem means nothing without the tenant it belongs to.
  for (const o of report.outcomes) for (const p of o.problems) lines.push(`  tenant ${labelOf(o)}: ${p}`);
  for (const o of report.outcomes) for (const m of o.warnings.messages.slice(0, 5)) lines.push(`  tenant ${labelOf(o)}: warning ${m}`);
  lines.push(
    `securescore-connector: run ${report.runId}: ${report.outcomes.length} tenant(s); ` +
      `Graph ${report.graph.requests} request(s), ${report.graph.retries} retried; ${report.sinks
        .map((s) => `${s.description}: ${s.requests} request(s), ${formatBytes(s.bytes)}; `)
        .join('')}${report.state ? `${report.state}; ` : ''}${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return lines;
}

/** The run's totals as fields of the last json line, for queries over ContainerAppConsoleLogs. */
export function summaryFields(report: RunReport): Record<string, unknown> {
  return {
    runId: report.runId,
    tenants: report.outcomes.length,
    notDelivered: report.outcomes.filter((o) => o.status !== 'Succeeded' && o.status !== 'Skipped').length,
    graphRequests: report.graph.requests,
    graphRetries: report.graph.retries,
    durationMs: report.durationMs,
  };
}

/**
 * 0 when every record was delivered; 2 when a tenant failed for a reason a person must fix
 * (credentials, permission, configuration); else 1 (the next run retries).
 */
export function exitCodeOf(report: RunReport): 0 | 1 | 2 {
  if (report.outcomes.some((o) => o.errorCode && exitCodeFor(o.errorCode) === 2)) return 2;
  return report.outcomes.every((o) => o.status === 'Succeeded' || o.status === 'Skipped') ? 0 : 1;
}
