import { exitCodeFor, redactSecrets } from '../errors.js';
import type { RunReport } from '../run/run.js';
import type { TenantOutcome, TenantStatus } from '../run/run-tenant.js';
import type { LogFields, LogLevel } from './log.js';
import { fit, groupLine, MAX_LINE, NAMED_TENANTS, ProblemGroups, type ExplainProblem, type ProblemGroup } from './problem-groups.js';
import { tenantLabel } from './run-log.js';

/** One line of the summary: its text for people; its level and fields for json log tables. */
export interface SummaryLine {
  readonly level: LogLevel;
  readonly text: string;
  readonly fields: LogFields;
}

/** Up to this many tenants the summary has a line per tenant; past it, counts per status. */
const TENANT_LINES_UP_TO = 10;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

const labelOf = (o: TenantOutcome) => tenantLabel(o.tenantId, o.displayName);
const delivered = (o: TenantOutcome) => o.status === 'Succeeded' || o.status === 'Skipped';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const worst = (levels: LogLevel[]): LogLevel => levels.reduce<LogLevel>((a, b) => (RANK[b] > RANK[a] ? b : a), 'info');

/** The level of a line about a tenant in this status: a failure is an error, a part delivered a warning. */
function levelOf(status: TenantStatus): LogLevel {
  if (status === 'Failed') return 'error';
  return status === 'Succeeded' || status === 'Skipped' ? 'info' : 'warn';
}

/** The tenant fields of a line about some tenants: all their ids up to NAMED_TENANTS, and how many. */
function tenantFields(tenants: ReadonlyArray<{ tenantId: string; tenantName: string | undefined }>): LogFields {
  if (tenants.length === 1) return { tenantId: tenants[0]!.tenantId, tenantName: tenants[0]!.tenantName };
  return {
    tenantCount: tenants.length,
    tenantIds: tenants.slice(0, NAMED_TENANTS).map((t) => t.tenantId),
    tenantNames: tenants.slice(0, NAMED_TENANTS).map((t) => t.tenantName),
  };
}

function tenantLine(o: TenantOutcome): SummaryLine {
  const fields = { event: 'summary-tenant', tenantId: o.tenantId, tenantName: o.displayName, status: o.status };
  if (o.status === 'Skipped') return { level: 'info', text: `tenant ${labelOf(o)}: Skipped`, fields };
  const counts = Object.entries(o.counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  const warnings =
    o.warnings.total > 0
      ? `; ${o.warnings.total} warning(s): ${Object.entries(o.warnings.counts)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')}`
      : '';
  return {
    level: levelOf(o.status),
    text: fit(`tenant ${labelOf(o)}: ${o.status}; ${counts}; ${o.delivered}/${o.produced} delivered${warnings}`, MAX_LINE),
    fields: { ...fields, produced: o.produced, delivered: o.delivered, warnings: o.warnings.total },
  };
}

/** For many tenants: how many ended in each status, and the records delivered. */
function statusLine(outcomes: readonly TenantOutcome[]): SummaryLine {
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  const produced = outcomes.reduce((n, o) => n + o.produced, 0);
  const sent = outcomes.reduce((n, o) => n + o.delivered, 0);
  return {
    level: worst(outcomes.map((o) => levelOf(o.status))),
    text: `${outcomes.length} tenant(s): ${Object.entries(statuses)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')}; ${sent}/${produced} record(s) delivered`,
    fields: { event: 'summary-tenants', tenantCount: outcomes.length, statuses, produced, delivered: sent },
  };
}

function groupSummary(group: ProblemGroup, status: (tenantId: string) => TenantStatus, event: string, level?: LogLevel): SummaryLine {
  const levels = group.tenants.map((t) => levelOf(status(t.tenantId)));
  const statuses = [...new Set(group.tenants.map((t) => status(t.tenantId)))];
  return {
    level: level ?? worst(levels),
    text: groupLine(group),
    fields: {
      event,
      ...tenantFields(group.tenants),
      ...(statuses.length === 1 ? { status: statuses[0] } : { statuses }),
      ...(group.notAsked > 0 ? { notAsked: group.notAsked } : {}),
    },
  };
}

/**
 * The summary printed at the end of every run, to read as one report whatever the number of tenants:
 * each problem and warning is said once with the tenants that met it, and no line is longer than
 * MAX_LINE. Secrets are cut out of every line (problems quote SDK text and settings).
 */
export function summarize(report: RunReport, explain: ExplainProblem = (_, p) => p): SummaryLine[] {
  const lines: SummaryLine[] = [];
  const outcomes = report.outcomes;
  if (outcomes.length <= TENANT_LINES_UP_TO) lines.push(...outcomes.map(tenantLine));
  else lines.push(statusLine(outcomes));
  const failed = outcomes.filter((o) => !delivered(o));
  if (outcomes.length > 1 && failed.length > 0) {
    const named = failed.slice(0, NAMED_TENANTS).map((o) => `${labelOf(o)} (${o.status})`);
    const more = failed.length > NAMED_TENANTS ? `, … (+${failed.length - NAMED_TENANTS})` : '';
    lines.push({
      level: worst(failed.map((o) => levelOf(o.status))),
      text: `${failed.length} of ${outcomes.length} tenant(s) not fully delivered: ${named.join(', ')}${more}`,
      fields: {
        event: 'summary-not-delivered',
        ...tenantFields(failed.map((o) => ({ tenantId: o.tenantId, tenantName: o.displayName }))),
      },
    });
  }
  // With many tenants a problem means nothing without the tenants it belongs to; said once for all of them.
  const statusOf = new Map(outcomes.map((o) => [o.tenantId, o.status]));
  const status = (tenantId: string) => statusOf.get(tenantId) ?? 'Failed';
  const problems = new ProblemGroups();
  for (const o of outcomes) for (const p of o.problems) problems.add(o.tenantId, o.displayName, explain(o.tenantId, p));
  for (const group of problems.all()) lines.push(groupSummary(group, status, 'summary-problem'));
  const warnings = new ProblemGroups();
  for (const o of outcomes) for (const m of o.warnings.messages.slice(0, 5)) warnings.add(o.tenantId, o.displayName, `warning ${m}`);
  for (const group of warnings.all()) lines.push(groupSummary(group, status, 'summary-warning', 'warn'));
  lines.push({
    level: exitCodeOf(report) === 0 ? 'info' : 'error',
    text:
      `securescore-connector: run ${report.runId}: ${outcomes.length} tenant(s); ` +
      `Graph ${report.graph.requests} request(s), ${report.graph.retries} retried; ${report.sinks
        .map((s) => `${s.description}: ${s.requests} request(s), ${formatBytes(s.bytes)}; `)
        .join('')}${report.state ? `${report.state}; ` : ''}${(report.durationMs / 1000).toFixed(1)} s`,
    fields: { event: 'run-finished', ...summaryFields(report), exitCode: exitCodeOf(report) },
  });
  return lines.map((line) => ({ ...line, text: redactSecrets(line.text) }));
}

/** The run's totals as fields of the last json line, for queries over ContainerAppConsoleLogs. */
function summaryFields(report: RunReport): Record<string, unknown> {
  return {
    runId: report.runId,
    tenants: report.outcomes.length,
    notDelivered: report.outcomes.filter((o) => !delivered(o)).length,
    graphRequests: report.graph.requests,
    graphRetries: report.graph.retries,
    durationMs: report.durationMs,
  };
}

/**
 * 0 when every record was delivered; 2 when a tenant failed for a reason a person must fix
 * (credentials, permission, configuration); else 1 (the next run retries).
 */
function exitCodeOf(report: RunReport): 0 | 1 | 2 {
  if (report.outcomes.some((o) => o.errorCode && exitCodeFor(o.errorCode) === 2)) return 2;
  return report.outcomes.every(delivered) ? 0 : 1;
}
