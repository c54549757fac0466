/**
 * Connector schedules over the demo period, for one or many tenants read by the same runs: tenants
 * present from the start run daily (they were onboarded before), a tenant joining later starts with a
 * backfill of its history, a tenant leaving stops being read; each day can be skipped or failed.
 */
import type { Delivery } from '../../../src/sentinel/alert-model.js';
import { DEMO_TENANT_ID } from '../../../src/source/demo-data.js';
import { dailyRunTime, DAY, deliverInvocation, OTHER_TENANTS, SNAPSHOT_TIMES, tenantHistory, type TenantRun } from './demo-timeline.js';

/** The tenants of a run of 1, 2 or 5 tenants: the demo tenant first. */
export function tenantsOf(count: number): string[] {
  return [DEMO_TENANT_ID, ...OTHER_TENANTS].slice(0, count);
}

export type Step = 'run' | 'skip' | 'fail';

/** One tenant's part in the schedule. */
export interface TenantPlan {
  readonly tenantId: string;
  /** Day index (of SNAPSHOT_TIMES) of its first run, a backfill of its history up to then; absent: read daily from day 0. */
  readonly joinsOn?: number;
  /** Day index from which it is no longer read. */
  readonly leavesOn?: number;
  /** What its run does on a day; run by default. */
  readonly step?: (day: number) => Step;
}

/** The connector's daily runs over the demo period, one run (one RunId) for every tenant read that day. */
export function dailyTimeline(plans: readonly TenantPlan[], arrivesAfterMinutes?: (day: number) => number): Delivery[] {
  const state = new Map(
    plans.map((p) => [p.tenantId, { pending: [] as number[], lastSuccess: SNAPSHOT_TIMES[0]! - DAY, onboarded: p.joinsOn === undefined }]),
  );
  const deliveries: Delivery[] = [];
  SNAPSHOT_TIMES.forEach((snapshot, day) => {
    const at = dailyRunTime(snapshot);
    const runs: TenantRun[] = [];
    for (const plan of plans) {
      if ((plan.joinsOn !== undefined && day < plan.joinsOn) || (plan.leavesOn !== undefined && day >= plan.leavesOn)) continue;
      const history = tenantHistory(plan.tenantId);
      const tenant = state.get(plan.tenantId)!;
      if (!tenant.onboarded) {
        // A first run sends the tenant's history: every snapshot up to today and every state change.
        runs.push({
          tenantId: plan.tenantId,
          kind: 'Backfill',
          facts: [
            ...history.snapshotTimes.filter((t) => t <= snapshot).flatMap(history.snapshotFacts),
            ...history.stateChangesBetween(0, at),
          ],
        });
        Object.assign(tenant, { onboarded: true, lastSuccess: at, pending: [] });
        continue;
      }
      tenant.pending.push(snapshot);
      const step = plan.step?.(day) ?? 'run';
      if (step === 'skip') continue;
      if (step === 'fail') {
        runs.push({ tenantId: plan.tenantId, kind: 'Incremental', status: 'Failed', facts: [] });
        continue;
      }
      runs.push({
        tenantId: plan.tenantId,
        kind: 'Incremental',
        facts: [...tenant.pending.flatMap(history.snapshotFacts), ...history.stateChangesBetween(tenant.lastSuccess, at)],
      });
      tenant.pending = [];
      tenant.lastSuccess = at;
    }
    if (runs.length > 0) deliveries.push(...deliverInvocation({ at, tenants: runs, arrivesAfterMinutes: arrivesAfterMinutes?.(day) }));
  });
  return deliveries;
}

/** Every tenant read daily, each day's run as `step` says. */
export function everyDay(tenants: readonly string[], step?: (day: number) => Step): TenantPlan[] {
  return tenants.map((tenantId) => ({ tenantId, ...(step ? { step } : {}) }));
}
