/**
 * Sentinel runs a scheduled rule at the minute it was created (or `startTimeUtc`, which no published
 * API version has), a few minutes late at random. Whatever that minute, and with 0-10 minutes of
 * lateness on every run, each fact alerts exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedWindow, ruleWindow } from '../../src/sentinel/alert-model.js';
import { setting } from '../../src/sentinel/rule-settings.js';
import { DAY, HOUR, MINUTE } from './support/demo-timeline.js';
import { runRule, seededJitter } from './support/rule-model.js';
import { evaluate, rules, unexpectedFactAlerts } from './support/scenario.js';
import { dailyTimeline, everyDay, tenantsOf } from './support/timelines.js';

const START_MINUTES = [0, 12, 14, 29, 45];

describe('exactly once whatever minute a rule starts at', () => {
  it.each(START_MINUTES)('started at :%i and up to 10 minutes late every run, each fact alerts once, each failure once', (minute) => {
    // Records arrive at any minute of the hour; every fifth day's run fails for one tenant.
    const arrivals = seededJitter(7 + minute, 59 * MINUTE);
    const tenants = tenantsOf(2);
    const deliveries = dailyTimeline(
      [{ tenantId: tenants[0]! }, { tenantId: tenants[1]!, step: (day) => (day % 5 === 4 ? 'fail' : 'run') }],
      () => Math.round(arrivals() / MINUTE),
    );
    const outcome = evaluate(deliveries, { startMinute: minute, lateness: seededJitter(11 + minute, 10 * MINUTE) });
    expect(unexpectedFactAlerts(outcome, deliveries, () => 1)).toEqual([]);
    const failedRuns = deliveries.filter((d) => d.record.RecordType === 'ConnectorRun' && d.record.RunStatus === 'Failed');
    expect(outcome.failed.map((f) => f.runId).sort()).toEqual(failedRuns.map((d) => d.record.RunId).sort());
    expect(outcome.baseline).toEqual([]);
  });

  it('reads the same with no lateness at all and with 10 minutes on every run', () => {
    const deliveries = dailyTimeline(everyDay(tenantsOf(1)));
    for (const minute of START_MINUTES)
      for (const lateness of [() => 0, () => 10 * MINUTE])
        expect(
          unexpectedFactAlerts(evaluate(deliveries, { startMinute: minute, lateness }), deliveries, () => 1),
          `:${minute}`,
        ).toEqual([]);
  });

  it('for any start minute, any 0-10 minute lateness of each run and any arrival times, each arrival is read and alerts exactly once', () => {
    const rule = rules.get('SecureScoreRiskAccepted')!;
    const maxLateness = setting<number>(rule, 'durations', 'maxLateness');
    const day0 = Date.UTC(2026, 10, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.array(fc.integer({ min: 0, max: maxLateness }), { minLength: 72, maxLength: 72 }),
        fc.array(fc.integer({ min: 0, max: 2 * DAY - 1 }), { minLength: 1, maxLength: 40 }),
        (minute, lateness, arrivals) => {
          const runs = lateness.map((late, i) => day0 + i * HOUR + minute * MINUTE + late);
          const alerts = runRule(rule, runs, (t) => {
            const w = ruleWindow(rule, t);
            return arrivals.flatMap((a, i) => (day0 + a >= w.start && day0 + a < w.end ? [{ key: `fact-${i}`, tenant: 't' }] : []));
          });
          return arrivals.every((_a, i) => alerts.filter((x) => x.key === `fact-${i}`).length === 1);
        },
      ),
      { seed: Number(process.env.FC_SEED ?? 25), numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });

  it('whole-hour windows of the previous design read an arrival twice or never for some start minutes and lateness', () => {
    const delay = setting<number>(rules.get('SecureScoreRiskAccepted')!, 'durations', 'ingestionDelay');
    const reads = (minute: number, lateness: readonly number[], arrival: number) =>
      lateness.filter((late, i) => {
        const w = alignedWindow(i * HOUR + minute * MINUTE + late, HOUR, delay);
        return arrival >= w.start && arrival < w.end;
      }).length;
    const found = fc.check(
      fc.property(
        fc.constantFrom(...START_MINUTES),
        fc.array(fc.integer({ min: 0, max: 10 * MINUTE }), { minLength: 24, maxLength: 24 }),
        fc.integer({ min: 2 * HOUR, max: 20 * HOUR }),
        (minute, lateness, arrival) => reads(minute, lateness, arrival) === 1,
      ),
      { seed: 25, numRuns: 2000 },
    );
    expect(found.failed).toBe(true);
    expect([12, 14]).toContain(found.counterexample![0]);
  });
});
