import type { RunEvent, TenantRef } from '../run/events.js';
import type { LogFields, Logger, LogLevel } from './log.js';
import { fit, MAX_LINE, NAMED_TENANTS, ProblemGroups, someTenants, type ExplainProblem } from './problem-groups.js';

/** How much a run prints besides problems and the summary. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** A tenant as people know it: display name and id, or the id alone. */
export function tenantLabel(tenantId: string, tenantName: string | undefined): string {
  return tenantName ? `${tenantName} (${tenantId})` : tenantId;
}

function countsText(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}

/** The line an event prints, its level, and the least verbosity that shows it. */
function describe(e: RunEvent): { level: LogLevel; text: string; shownFrom: Verbosity; fields: LogFields } | undefined {
  switch (e.event) {
    case 'tenant-started':
      // The finished line says how long it took; with many tenants, a line each at the start is noise.
      return { level: 'info', text: 'started', shownFrom: 'verbose', fields: {} };
    case 'retry':
      return {
        level: 'warn',
        text: `Graph ${e.host}: ${e.reason}; retry ${e.attempt} in ${e.delayMs < 1000 ? `${e.delayMs} ms` : `${(e.delayMs / 1000).toFixed(1)} s`}`,
        shownFrom: 'verbose',
        fields: { host: e.host, reason: e.reason, delayMs: e.delayMs, attempt: e.attempt },
      };
    case 'batch-sent':
      return {
        level: e.rejected > 0 ? 'warn' : 'debug',
        text: `sent ${e.records} record(s): ${e.accepted} accepted, ${e.rejected} refused`,
        shownFrom: e.rejected > 0 ? 'normal' : 'verbose',
        fields: { records: e.records, accepted: e.accepted, rejected: e.rejected },
      };
    case 'dead-letter':
      return { level: 'warn', text: `refused records saved to ${e.path}`, shownFrom: 'normal', fields: { path: e.path } };
    case 'checkpoint-moved':
      return {
        level: 'info',
        text: `checkpoint moved to ${e.newestSnapshotDate ?? 'no snapshot yet'}`,
        shownFrom: 'normal',
        fields: { newestSnapshotDate: e.newestSnapshotDate },
      };
    case 'tenant-finished': {
      const ok = e.status === 'Succeeded' || e.status === 'Skipped';
      return {
        level: ok ? 'info' : e.status === 'Failed' ? 'error' : 'warn',
        text: `finished ${e.status}; ${countsText(e.counts) || 'no records'}; ${e.delivered}/${e.produced} delivered in ${(e.durationMs / 1000).toFixed(1)} s`,
        shownFrom: 'normal',
        fields: { status: e.status, counts: e.counts, produced: e.produced, delivered: e.delivered, durationMs: e.durationMs },
      };
    }
    case 'progress':
      return undefined;
  }
}

const RANK: Record<Verbosity, number> = { quiet: 0, normal: 1, verbose: 2 };

/**
 * Prints a run's events. On a terminal (text): one status line, redrawn in place, with each busy
 * tenant's stage and counts, and a plain line per notable event. In logs (text not on a terminal, or
 * json): one line per event with its time and tenant, and no progress lines.
 */
export class RunLog {
  private readonly busy = new Map<string, string>();
  private statusShown = false;
  /** The problems printed so far, with the tenants that met them. */
  private readonly problems = new ProblemGroups();

  constructor(
    private readonly logger: Logger,
    private readonly options: {
      readonly verbosity: Verbosity;
      readonly terminal: boolean;
      readonly writeStatus: (text: string) => void;
      /** A tenant's problem in the words of its own settings. */
      readonly explain?: ExplainProblem | undefined;
    },
  ) {}

  private get live(): boolean {
    return this.options.terminal && this.logger.format === 'text' && this.options.verbosity !== 'quiet';
  }

  /** Handles one event; never throws (a log line must not fail a run). */
  readonly event = (e: RunEvent): void => {
    if (e.event === 'progress') {
      if (this.live) {
        this.busy.set(
          e.tenant.tenantId,
          `${this.name(e.tenant)}: ${e.stage} ${e.stage === 'reading' ? e.produced : `${e.delivered}/${e.produced}`}`,
        );
        this.drawStatus();
      }
      return;
    }
    if (e.event === 'tenant-finished') this.busy.delete(e.tenant.tenantId);
    const shown = describe(e);
    if (shown && RANK[this.options.verbosity] >= RANK[shown.shownFrom]) {
      const label = tenantLabel(e.tenant.tenantId, e.tenant.tenantName);
      const tenant = { tenantId: e.tenant.tenantId, tenantName: e.tenant.tenantName };
      // Lines read later (files, log tables) need their time; a person at a terminal sees it happen.
      const stamped = !this.options.terminal;
      const problems = e.event === 'tenant-finished' && e.status !== 'Succeeded' ? this.sortProblems(e.tenant, e.problems) : undefined;
      // A tenant that failed as NAMED_TENANTS tenants before it did is left to the summary's group
      // (in json its line stays, one per tenant, naming the first that failed so).
      const repeated = problems !== undefined && problems.fresh.length === 0 && problems.repeated.length > 0;
      const json = this.logger.format === 'json';
      if (!repeated || json || this.options.verbosity === 'verbose')
        this.print(
          shown.level,
          `tenant ${label}: ${shown.text}`,
          {
            event: e.event,
            ...tenant,
            ...shown.fields,
            ...(repeated ? { sameProblemAs: problems.repeated[0]!.tenants[0]!.tenantId } : {}),
          },
          stamped,
        );
      for (const problem of problems?.fresh ?? [])
        this.print(shown.level, fit(`tenant ${label}: ${problem}`, MAX_LINE), { event: 'problem', ...tenant }, stamped);
      for (const group of problems?.firstRepeat ?? [])
        this.print(
          shown.level,
          `tenant ${label}: ${e.event === 'tenant-finished' ? e.status : 'Failed'} with the problem of ${someTenants(group.tenants.slice(0, NAMED_TENANTS))}; further tenants with it are grouped in the summary`,
          { event: 'problem-repeated', ...tenant, sameProblemAs: group.tenants[0]!.tenantId },
          stamped,
        );
    }
    if (this.live) this.drawStatus();
  };

  /**
   * A finished tenant's problems: the ones to print (in the words of its own settings) and the ones
   * NAMED_TENANTS tenants met before it, which are not printed again (verbose prints them all).
   */
  private sortProblems(tenant: TenantRef, problems: readonly string[]) {
    const fresh: string[] = [];
    const repeated: ReturnType<ProblemGroups['all']> = [];
    const firstRepeat: ReturnType<ProblemGroups['all']> = [];
    for (const raw of problems) {
      const problem = this.options.explain ? this.options.explain(tenant.tenantId, raw) : raw;
      const { group, before } = this.problems.add(tenant.tenantId, tenant.tenantName, problem);
      if (before < NAMED_TENANTS || this.options.verbosity === 'verbose') fresh.push(problem);
      else {
        repeated.push(group);
        if (before === NAMED_TENANTS) firstRepeat.push(group);
      }
    }
    return { fresh, repeated, firstRepeat };
  }

  /** A line that is not an event (the summary): clears the status line first. */
  print(level: LogLevel, message: string, fields: LogFields = {}, stamped = false): void {
    this.clearStatus();
    this.logger.line(level, message, fields, stamped);
  }

  /** Removes the status line, before the summary or on exit. */
  clearStatus(): void {
    if (!this.statusShown) return;
    this.options.writeStatus('\r\x1b[K');
    this.statusShown = false;
  }

  private name(tenant: TenantRef): string {
    return tenant.tenantName ?? tenant.tenantId.slice(0, 8);
  }

  private drawStatus(): void {
    const columns = process.stderr.columns || 100;
    const text = [...this.busy.values()].join(' | ');
    this.options.writeStatus(`\r\x1b[K${text.slice(0, columns - 1)}`);
    this.statusShown = text.length > 0;
  }
}
