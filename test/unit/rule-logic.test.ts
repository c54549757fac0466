/**
 * KQL cannot run here, so each rule is tied to the normalizer by the facts it filters on: the rule's
 * own thresholds (read from its let lines) and literals are applied to the demo tenant's records, and
 * the facts it must alert on must be there. If the normalizer renamed a state or a change type, or a
 * rule filtered on a value the connector never writes, this fails.
 */
import { describe, expect, it } from 'vitest';
import { loadSentinelContent } from '../../tools/content/load.js';
import { FACT_RULES } from '../../src/sentinel/alert-model.js';
import { demoControlProfiles, demoSecureScores, DEMO_EVENTS, DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { normalizeConnectorRun } from '../../src/normalize/connector-run.js';
import { STATE_LABELS } from '../../src/normalize/control-state-update.js';
import type { TableRecord } from '../../src/schema/records.js';
import { normalizeTenant } from '../support/normalize-tenant.js';
import { Warnings } from '../../src/normalize/warnings.js';

/** The demo history's newest day, fixed: these are pure tests of dated facts, not of the clock. */
const DEMO_NEWEST_DAY = '2026-11-04';

const rules = new Map(loadSentinelContent().rules.map(({ file, rule }) => [file.split('/').pop()!.replace('.yaml', ''), rule]));
const ctx = { now: '2026-11-22T06:00:00.000Z', runId: 'run', tenantId: DEMO_TENANT_ID, warnings: new Warnings() };
const records: TableRecord[] = normalizeTenant(
  { secureScores: demoSecureScores(DEMO_NEWEST_DAY), profiles: demoControlProfiles(DEMO_NEWEST_DAY) },
  { snapshotCount: 30 },
  ctx,
).records;
const failedRun = normalizeConnectorRun(
  { status: 'Failed', kind: 'Incremental', counts: {}, errorMessage: 'Graph ...: HTTP 403', durationSeconds: 1, version: '0.1.0' },
  ctx,
);

/** A numeric `let name = value;` threshold of a rule. */
function threshold(query: string, name: string): number {
  const match = new RegExp(`let ${name} = ([0-9.]+);`).exec(query);
  expect(match, `let ${name} in the rule`).not.toBeNull();
  return Number(match![1]);
}

/** The string literals of a `dynamic([...])` let line. */
function literals(query: string, name: string): string[] {
  const match = new RegExp(`let ${name} = dynamic\\(\\[([^\\]]*)\\]\\);`).exec(query);
  expect(match, `let ${name} in the rule`).not.toBeNull();
  return [...match![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

const day = (r: TableRecord) => String(r.SnapshotDate ?? r.UpdatedDateTime).slice(0, 10);

describe('each rule alerts on the facts the normalizer writes', () => {
  it('tenant score regression: the demo regressions pass the rule thresholds', () => {
    const query = rules.get('SecureScoreTenantRegression')!.query;
    const minPoints = threshold(query, 'minPointsLost');
    const minPercent = threshold(query, 'minPercentPointsLost');
    expect(query).toContain('ScoreChange <= -minPointsLost');
    const hits = records.filter(
      (r) =>
        r.RecordType === 'DailyScore' &&
        typeof r.ScoreChange === 'number' &&
        r.ScoreChange <= -minPoints &&
        (100 * -(r.ScoreChange as number)) / (r.MaxScore as number) >= minPercent,
    );
    expect(hits.map((r) => [day(r), r.ScoreChange])).toEqual([
      ['2026-10-29', -10],
      ['2026-10-21', -2],
    ]);
  });

  it('control score regression: the AdminMFAV2 drop is a Decreased record above the threshold, and High', () => {
    const query = rules.get('SecureScoreControlRegression')!.query;
    expect(query).toContain('ChangeType == "Decreased"');
    const minPoints = threshold(query, 'minPointsLost');
    const high = threshold(query, 'highPoints');
    const hits = records.filter(
      (r) => r.RecordType === 'ControlScore' && r.ChangeType === 'Decreased' && -(r.ScoreChange as number) >= minPoints,
    );
    expect(hits.map((r) => [r.ControlName, day(r)])).toEqual([[DEMO_EVENTS.regressedControl, '2026-10-29']]);
    expect(-(hits[0]!.ScoreChange as number)).toBeGreaterThanOrEqual(high);
    expect(hits[0]!.ActionUrl).toMatch(/^https:\/\//);
  });

  it('risk accepted: Ignored is a state the normalizer writes, labelled "Risk accepted", with who and why', () => {
    const query = rules.get('SecureScoreRiskAccepted')!.query;
    expect(query).toContain('State == "Ignored"');
    expect(STATE_LABELS.Ignored).toBe('Risk accepted');
    const hits = records.filter((r) => r.RecordType === 'ControlStateUpdate' && r.State === 'Ignored');
    expect(hits.map((r) => r.ControlName).sort()).toEqual([DEMO_EVENTS.ignoredControl, 'SPO_SharingLinks'].sort());
    for (const hit of hits)
      expect(hit).toMatchObject({ UpdatedBy: expect.stringContaining('@'), Comment: expect.any(String), MaxScore: expect.any(Number) });
  });

  it('resolved through third party or alternate mitigation: the rule states are documented states', () => {
    const states = literals(rules.get('SecureScoreResolvedUnverified')!.query, 'unverifiedStates');
    expect(states).toEqual(['ThirdParty', 'Reviewed']);
    for (const s of states) expect(Object.keys(STATE_LABELS)).toContain(s);
    const hits = records.filter((r) => r.RecordType === 'ControlStateUpdate' && states.includes(r.State as string));
    expect(hits.map((r) => r.ControlName)).toEqual([DEMO_EVENTS.thirdPartyControl]);
  });

  it('controls added or removed: one New and one Removed record in the demo', () => {
    const changeTypes = literals(rules.get('SecureScoreControlsAddedRemoved')!.query, 'changeTypes');
    expect(changeTypes).toEqual(['New', 'Removed']);
    const hits = records.filter((r) => r.RecordType === 'ControlScore' && changeTypes.includes(r.ChangeType as string));
    expect(hits.map((r) => [r.ControlName, r.ChangeType, day(r)]).sort()).toEqual(
      [
        [DEMO_EVENTS.removedControl, 'Removed', '2026-10-21'],
        [DEMO_EVENTS.addedControl, 'New', '2026-10-16'],
      ].sort(),
    );
  });

  it('connector run failed and tenant silent: a failed run carries a RunStatus other than "Succeeded" and its error', () => {
    expect(rules.get('SecureScoreConnectorRunFailed')!.query).toContain('RunStatus != "Succeeded"');
    expect(rules.get('SecureScoreConnectorSilent')!.query).toContain('RunStatus == "Succeeded"');
    expect(failedRun).toMatchObject({ RecordType: 'ConnectorRun', RunStatus: 'Failed', ErrorMessage: expect.stringContaining('403') });
    expect(
      normalizeConnectorRun({ status: 'Succeeded', kind: 'Incremental', counts: {}, durationSeconds: 1, version: '0.1.0' }, ctx).RunStatus,
    ).toBe('Succeeded');
  });

  it.each([
    ['SecureScoreTenantRegression', 'ScoreChange <= -minPointsLost'],
    ['SecureScoreControlRegression', 'ChangeType == "Decreased" and PointsLost >= minPointsLost'],
    ['SecureScoreControlsAddedRemoved', 'ChangeType in (changeTypes)'],
    ['SecureScoreRiskAccepted', 'State == "Ignored" and coalesce(MaxScore, 0.0) >= minPointsAtStake'],
    ['SecureScoreResolvedUnverified', 'State in (unverifiedStates)'],
    ['SecureScoreAcceptanceWithoutComment', 'State == "Ignored" and isempty(trim(@"\\s", Comment))'],
  ])('%s filters as its TypeScript model (used by the demo digest and the scenario tests) does', (name, filter) => {
    expect(FACT_RULES.map((r) => r.name)).toContain(name);
    expect(rules.get(name)!.query).toContain(filter);
  });

  it('governance rules match the states the normalizer writes: a revert to Default, then Ignored again', () => {
    expect(rules.get('SecureScoreAcceptanceToggled')!.query).toContain('State == "Ignored" and PreviousState == "Default"');
    const history = records.filter((r) => r.RecordType === 'ControlStateUpdate' && r.ControlName === 'SPO_SharingLinks');
    expect(history.map((r) => [r.State, r.PreviousState ?? null])).toEqual([
      ['Ignored', null],
      ['Default', 'Ignored'],
    ]);
  });
});
