import { FIRST_TENANTS, NOT_ASKED } from '../run/whole-run-failure.js';

/** A tenant's problem in the words of its own settings (the tenants file's), or as it came. */
export type ExplainProblem = (tenantId: string, problem: string) => string;

/** Tenants named in a line about several; the rest are counted. */
export const NAMED_TENANTS = 3;

/** Longest line the run prints about its tenants (a long problem is cut in its middle, keeping the fix). */
export const MAX_LINE = 500;

/** One problem as many tenants met it. */
export interface ProblemGroup {
  /** The problem as the first tenant met it. */
  readonly text: string;
  /** The problem without any tenant's id, shown for two tenants or more. */
  readonly shared: string;
  readonly tenants: Array<{ readonly tenantId: string; readonly tenantName: string | undefined }>;
  /** Tenants the run did not ask for a token once the first ones could not reach the authority. */
  notAsked: number;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What makes two tenants' problems the same: the text with the tenant's own id taken out (and the
 * note of a tenant not asked, which is that same problem).
 */
function problemKey(problem: string, tenantId: string): { key: string; notAsked: boolean } {
  const notAsked = problem.endsWith(NOT_ASKED);
  const text = notAsked ? problem.slice(0, -NOT_ASKED.length) : problem;
  return { key: text.replace(new RegExp(escape(tenantId), 'gi'), '{tenant}'), notAsked };
}

/** Groups tenants' problems by sameness, in the order first met. */
export class ProblemGroups {
  private readonly groups = new Map<string, ProblemGroup>();

  /** Adds a tenant's problem; returns its group and how many tenants it held before. */
  add(tenantId: string, tenantName: string | undefined, problem: string): { group: ProblemGroup; before: number } {
    const { key, notAsked } = problemKey(problem, tenantId);
    let group = this.groups.get(key);
    if (!group) {
      const text = notAsked ? problem.slice(0, -NOT_ASKED.length) : problem;
      const shared = key.replace(/^Tenant \{tenant\}: /, '').replaceAll('{tenant}', 'the tenant');
      group = { text, shared, tenants: [], notAsked: 0 };
      this.groups.set(key, group);
    }
    const before = group.tenants.length;
    if (!group.tenants.some((t) => t.tenantId === tenantId)) group.tenants.push({ tenantId, tenantName });
    if (notAsked) group.notAsked++;
    return { group, before };
  }

  all(): ProblemGroup[] {
    return [...this.groups.values()];
  }
}

/** `A, B, C, … (+197)`: the first tenants by name (else id), the rest counted. */
export function someTenants(tenants: ReadonlyArray<{ tenantId: string; tenantName: string | undefined }>, label = false): string {
  const named = tenants
    .slice(0, NAMED_TENANTS)
    .map((t) => (label && t.tenantName ? `${t.tenantName} (${t.tenantId})` : (t.tenantName ?? t.tenantId)));
  return tenants.length > NAMED_TENANTS ? `${named.join(', ')}, … (+${tenants.length - NAMED_TENANTS})` : named.join(', ');
}

/** Text cut in its middle to `max` characters, so both what happened and what to do stay readable. */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 3) * 0.6);
  return `${text.slice(0, head)} … ${text.slice(text.length - (max - 3 - head))}`;
}

/** The line about one group: the tenant's own line for one tenant, else the problem, the count and some names. */
export function groupLine(group: ProblemGroup, indent = '  '): string {
  if (group.tenants.length === 1 && group.notAsked === 0) {
    const t = group.tenants[0]!;
    const prefix = `${indent}tenant ${t.tenantName ? `${t.tenantName} (${t.tenantId})` : t.tenantId}: `;
    return `${prefix}${fit(group.text, MAX_LINE - prefix.length)}`;
  }
  const notAsked = group.notAsked > 0 ? `; ${group.notAsked} not asked once the first ${FIRST_TENANTS} tenants could not reach it` : '';
  const tail = ` — ${group.tenants.length} tenant(s): ${someTenants(group.tenants)}${notAsked}`;
  return `${indent}${fit(group.shared, MAX_LINE - indent.length - tail.length)}${tail}`;
}
