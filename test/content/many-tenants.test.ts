/**
 * One connector run reads every tenant of an MSSP under one RunId: a rule must say what it found per
 * tenant, and a tenant's first run (its backfill) beside tenants read daily raises one baseline, its own.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { DAY, OTHER_TENANTS, SNAPSHOT_TIMES, tenantHistory } from './support/demo-timeline.js';
import { evaluate, freshOnArrival, unexpectedFactAlerts } from './support/scenario.js';
import { dailyTimeline, tenantsOf } from './support/timelines.js';

const last = SNAPSHOT_TIMES.length - 1;
const [tenantB, tenantC, tenantD] = OTHER_TENANTS as [string, string, string];
/** What the new tenant's backfill holds: its snapshots up to the day it joins, the controls risk accepted then. */
const backfillOf = (day: number) => ({ snapshots: day + 1, riskAccepted: 1 });

describe('many tenants in one connector run', () => {
  /** One baseline alert, the new tenant's first run, and nothing else: no fact alert, no failure, no silence. */
  const expectOnlyTheNewTenantsBaseline = (outcome: ReturnType<typeof evaluate>, deliveries: Parameters<typeof evaluate>[0]) => {
    expect(outcome.baseline).toEqual([expect.objectContaining({ tenant: tenantB, occasion: 'first run', ...backfillOf(last) })]);
    expect(unexpectedFactAlerts(outcome, deliveries, (fact) => (freshOnArrival(deliveries, fact) ? 1 : 0))).toEqual([]);
    expect(outcome.failed).toEqual([]);
    expect(outcome.silent).toEqual([]);
  };

  it("a new tenant beside a daily one: one first-run baseline, the new tenant's, counting only its own records", () => {
    const deliveries = dailyTimeline([{ tenantId: DEMO_TENANT_ID }, { tenantId: tenantB, joinsOn: last }]);
    // The new tenant goes on the watchlist with its first run.
    const outcome = evaluate(deliveries, { watchlist: [DEMO_TENANT_ID] });
    expectOnlyTheNewTenantsBaseline(outcome, deliveries);
  });

  it('five tenants in one run, one of them new: one baseline alert, not five', () => {
    const tenants = tenantsOf(5);
    const deliveries = dailyTimeline(tenants.map((tenantId) => (tenantId === tenantB ? { tenantId, joinsOn: last } : { tenantId })));
    const outcome = evaluate(deliveries, { watchlist: tenants.filter((t) => t !== tenantB) });
    expectOnlyTheNewTenantsBaseline(outcome, deliveries);
  });

  it('every tenant of a first run gets its own baseline, with its own counts', () => {
    const tenants = tenantsOf(5);
    const deliveries = dailyTimeline(tenants.map((tenantId) => ({ tenantId, joinsOn: last })));
    const outcome = evaluate(deliveries);
    expect(outcome.baseline.map((b) => b.tenant).sort()).toEqual([...tenants].sort());
    for (const b of outcome.baseline) expect(b).toMatchObject({ occasion: 'first run', ...backfillOf(last) });
  });

  it('tenants joining and leaving mid-timeline: the joining tenant gets one baseline; the leaving one is reported silent every day it is still expected', () => {
    const joinsOn = 20;
    const leavesOn = 30;
    const plans = [{ tenantId: DEMO_TENANT_ID }, { tenantId: tenantC, joinsOn }, { tenantId: tenantD, leavesOn }];
    const deliveries = dailyTimeline(plans);
    // The joining tenant goes on the watchlist with its first run; the leaving one stays on it, or is taken off.
    const watchlisted = evaluate(deliveries, { watchlist: [DEMO_TENANT_ID, tenantD] });
    expect(watchlisted.baseline).toEqual([expect.objectContaining({ tenant: tenantC, occasion: 'first run', ...backfillOf(joinsOn) })]);
    expect(unexpectedFactAlerts(watchlisted, deliveries, (fact) => (freshOnArrival(deliveries, fact) ? 1 : 0))).toEqual([]);
    // The leaving tenant, last read on day leavesOn - 1: the next day's check is within silentAfter (26 h) of
    // that run, so it is silent once a day from day leavesOn + 1 on, for as long as it is on the watchlist.
    const silentDays = (tenant: string, outcome = watchlisted) => outcome.silent.filter((s) => s.tenant === tenant).length;
    expect(silentDays(tenantD)).toBe(last - leavesOn);
    expect(silentDays(DEMO_TENANT_ID) + silentDays(tenantC)).toBe(0);
    // Off the watchlist it stays expected until its last run leaves the rule's 14-day query period: from day
    // leavesOn + 1 to the last daily check less than 14 days after that run, 12 days.
    const connectorEnds = Math.max(...deliveries.map((d) => d.ingestedAt));
    const unlisted = evaluate(deliveries, { watchlist: [DEMO_TENANT_ID], scheduleEnds: connectorEnds + 20 * DAY });
    expect(silentDays(tenantD, unlisted)).toBe(12);
    expect(tenantHistory(tenantC).displayName).toBe('Tenant C');
  });
});
