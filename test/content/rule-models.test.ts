/**
 * The scenario tests evaluate TypeScript models of the rules (src/sentinel/alert-model.ts,
 * test/content/support/rule-model.ts), not the KQL. Here each model is held to the query text it stands
 * for, read from the rule's YAML and its syntax tree, so the two cannot silently agree on a wrong key:
 * what it relates records by, the window a run reads, the event time it ages a fact by, the parser it
 * reads and the alert key it leaves out on later runs. (Thresholds are read from the rules' let lines.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertKey, EVENT_TIME_COLUMNS, FACT_RULES, PARSERS, ruleWindow } from '../../src/sentinel/alert-model.js';
import { loadRuleSettings, setting } from '../../src/sentinel/rule-settings.js';
import { loadSentinelContent } from '../../tools/content/load.js';
import { AUDIT_LOGS, SECURITY_ALERT, Workspace } from '../support/kusto.js';
import { BASELINE_KEYS, SILENT_KEYS, SNAPSHOT_KEYS } from './support/rule-model.js';

const content = loadSentinelContent();
const workspace = new Workspace(
  content.parsers.map((p) => p.parser),
  [AUDIT_LOGS, SECURITY_ALERT],
);
const settings = loadRuleSettings();
const query = (name: string) => settings.get(name)!.query;
const parserQuery = (alias: string) => content.parsers.find((p) => p.parser.FunctionAlias === alias)!.parser.FunctionQuery;

/** The distinct key sets of a query's joins and aggregations over tenants' records, each sorted. */
function keySets(text: string, operators: ReadonlyArray<'join' | 'summarize'>): string[][] {
  const sets = workspace
    .relations(text)
    .filter((r) => r.overTenants && (operators as readonly string[]).includes(r.operator))
    .map((r) => [...r.keys].sort());
  return [...new Map(sets.map((k) => [k.join(','), k])).values()];
}

/** The columns a rule subtracts from FirstIngested to age what it reads (fresh: <=, stale: >). */
const agedBy = (text: string) => [...text.matchAll(/FirstIngested - (\w+) (?:<=|>) maxFactAge/g)].map((m) => m[1]!);
/** The parser's EventTime expression. */
const eventTimeOf = (alias: string) => /extend EventTime = (coalesce\([^)]*\)|\w+)/.exec(parserQuery(alias))![1]!;

describe('the rule models hold to the rules they stand for', () => {
  it.each(FACT_RULES.map((r) => [r.name, r] as const))('%s: the parser, window, event time and alert key of its model', (name, model) => {
    const text = query(name);
    expect(text).toContain(`${PARSERS[model.recordType]}(windowStart, windowEnd)`);
    expect(eventTimeOf(PARSERS[model.recordType])).toBe(EVENT_TIME_COLUMNS[model.recordType]);
    expect(agedBy(text)).toEqual([EVENT_TIME_COLUMNS[model.recordType]]);
    expect(text).toContain(`let ruleKey = "${name}";`);
    expect(text).toContain('AlertKey = strcat(ruleKey, ":", RecordId)');
    expect(alertKey(name, 'abc')).toBe(`${name}:abc`);
  });

  it.each(
    content.rules.filter((r) => !r.file.endsWith('Silent.yaml')).map((r) => [r.file.split('/').pop()!.replace('.yaml', '')] as const),
  )('%s: the model reads the window the query computes, at any run time', (name) => {
    const rule = settings.get(name)!;
    const text = query(name);
    expect(text).toContain('let windowEnd = now() - ingestionDelay;');
    expect(text).toContain('let windowStart = windowEnd - window - 2 * maxLateness;');
    const [window, delay, lateness] = (['window', 'ingestionDelay', 'maxLateness'] as const).map((n) =>
      setting<number>(rule, 'durations', n),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (now) => {
        const w = ruleWindow(rule, now);
        return w.end === now - delay! && w.start === now - delay! - window! - 2 * lateness!;
      }),
      { seed: Number(process.env.FC_SEED ?? 25), numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });

  it("the baseline model relates a run's records by the keys of every join and summarize of the baseline rule", () => {
    const text = query('SecureScoreHistoryBaseline');
    const model = [...BASELINE_KEYS].sort();
    expect(keySets(text, ['join'])).toEqual([model]);
    expect(keySets(text, ['summarize'])).toEqual([model]);
    // A run is aged by its start, and only the records that first arrived with it are its own.
    expect(agedBy(text)).toEqual(['EventTime', 'SnapshotDate', 'UpdatedDateTime']);
    expect(eventTimeOf('MSSecureScoreConnectorRuns')).toBe(`coalesce(${EVENT_TIME_COLUMNS.ConnectorRun}, TimeGenerated)`);
    expect(text).toContain('| where FirstIngested >= RunStarted');
    expect(text).toContain('RunStarted = EventTime');
    expect(text).toContain('| where RunStatus in ("Succeeded", "PartiallySucceeded")');
    expect(text).toContain('| where RunKind == "Backfill" or StaleFacts > 0 or StaleStateChanges > 0');
    expect(text).toMatch(/MSSecureScoreControlState\(windowStart - 1d\)\s*\| where State == "Ignored"/);
    expect(text).toContain('AlertKey = strcat(ruleKey, ":", RecordId)');
  });

  it('the failed-run model ages a run by its start, as the rule does', () => {
    const text = query('SecureScoreConnectorRunFailed');
    expect(text).toContain('MSSecureScoreConnectorRuns(windowStart, windowEnd)');
    expect(text).toContain('| where RunStatus != "Succeeded"');
    expect(agedBy(text)).toEqual(['EventTime']);
    expect(text).toContain('AlertKey = strcat(ruleKey, ":", RecordId)');
  });

  it('the silent-tenant model groups runs by tenant and takes their start, as the rule does', () => {
    const text = query('SecureScoreConnectorSilent');
    const model = [...SILENT_KEYS];
    expect(keySets(text, ['join', 'summarize'])).toEqual([model]);
    expect(text).toContain('LastSuccess = maxif(EventTime, RunStatus == "Succeeded")');
    expect(text).toContain('| where isnull(LastSuccess) or LastSuccess < now() - silentAfter');
  });

  it("the regression rules relate a snapshot's records by tenant and snapshot", () => {
    for (const name of ['SecureScoreTenantRegression', 'SecureScoreControlRegression'])
      expect(keySets(query(name), ['join']), name).toEqual([[...SNAPSHOT_KEYS].sort()]);
  });

  it('the re-certification model keys an alert by tenant, control, acceptance and period, as the rule does', () => {
    expect(query('SecureScoreAcceptanceRecertification')).toContain(
      'AlertKey = strcat(ruleKey, ":", hash_sha256(strcat(AzureTenantId, "|", ControlName, "|", UpdatedDateTime, "|", Periods)))',
    );
  });
});
