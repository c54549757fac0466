import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSentinelTemplates } from '../../tools/content/arm.js';
import { loadSentinelContent, type EntityMapping, type ParserDefinition } from '../../tools/content/load.js';
import { DCR_TRANSFORM_KQL } from '../../tools/dcr-template.js';
import { durationMs, readLets } from '../../src/sentinel/rule-settings.js';
import { APPROVERS_WATCHLIST, EXPECTED_TENANTS_WATCHLIST } from '../../src/sentinel/watchlists.js';
import { AUDIT_LOGS, dcrTransformWorkspace, SECURITY_ALERT, Workspace } from '../support/kusto.js';
import { ENTITY_IDENTIFIERS, minutes, SENTINEL_TACTICS } from './support/sentinel-schema.js';

const content = loadSentinelContent();
const workspace = new Workspace(
  content.parsers.map((p) => p.parser),
  [AUDIT_LOGS, SECURITY_ALERT],
);

/**
 * Tables Azure Monitor and Microsoft Sentinel document (learn.microsoft.com/azure/azure-monitor/reference/tables)
 * whose names a Secure Score function could plausibly have taken: Defender for Cloud's continuous
 * export owns SecureScores and SecureScoreControls; the rest are Sentinel and Defender tables of the
 * same family. A parser named like one of them would shadow it or be shadowed.
 */
const BUILT_IN_TABLES = [
  'SecureScores',
  'SecureScoreControls',
  'SecurityAlert',
  'SecurityBaseline',
  'SecurityBaselineSummary',
  'SecurityDetection',
  'SecurityEvent',
  'SecurityIncident',
  'SecurityIoTRawEvent',
  'SecurityNestedRecommendation',
  'SecurityRecommendation',
  'SecurityRegulatoryCompliance',
  'SentinelAudit',
  'SentinelHealth',
  'Watchlist',
  'AuditLogs',
  'ConfigurationChange',
  'ConfigurationData',
  'Heartbeat',
  'Usage',
];

/** A parser's body with its parameters bound to their defaults, as Log Analytics analyses it when saved. */
function parserBody(parser: ParserDefinition): string {
  return `${(parser.FunctionParams ?? []).map((p) => `let ${p.Name} = ${p.Default};\n`).join('')}${parser.FunctionQuery}`;
}

const hourlyFactRules = content.rules.filter((r) => r.rule.queryFrequency === '1h');
/** The parsers of the table (all but MSSecureScoreAlertKeys, which reads SecurityAlert). */
const tableParsers = content.parsers.filter((p) => p.parser.FunctionQuery.includes('MicrosoftSecureScore_CL'));
/** The rules that raise one alert per fact, run or due date: all but the daily silent-tenant rule. */
const keyedRules = content.rules.filter((r) => !r.file.endsWith('SecureScoreConnectorSilent.yaml'));

/** Techniques used by the content, with the tactics MITRE ATT&CK (Enterprise) files them under. */
const TECHNIQUE_TACTICS: Record<string, string[]> = {
  T1562: ['DefenseEvasion'],
  T1098: ['Persistence', 'PrivilegeEscalation'],
  T1078: ['DefenseEvasion', 'Persistence', 'PrivilegeEscalation', 'InitialAccess'],
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function placeholders(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(/\{\{([^}]+)\}\}/g)].map((m) => m[1]!);
}

function mappedColumns(mappings: EntityMapping[] | undefined): string[] {
  return (mappings ?? []).flatMap((m) => m.fieldMappings.map((f) => f.columnName));
}

/** Workbook queries with their parameters substituted as the workbook would. */
function substituteWorkbookParameters(query: string): string {
  return query
    .replaceAll('{TimeRange}', '> ago(30d)')
    .replaceAll('{TimeRange:start}', 'datetime(2026-10-01)')
    .replaceAll('{TimeRange:end}', 'datetime(2026-11-01)')
    .replaceAll('{Tenant}', "'6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b','0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d'");
}

describe('KQL content, analysed by Kusto.Language against the table schema and the parsers', () => {
  it('has the content the issue asks for', () => {
    expect(content.parsers.map((p) => p.parser.FunctionAlias).sort()).toEqual([
      'MSSecureScoreAlertKeys',
      'MSSecureScoreConnectorRuns',
      'MSSecureScoreControlState',
      'MSSecureScoreControls',
      'MSSecureScoreCurrentState',
      'MSSecureScoreDaily',
      'MSSecureScoreStateChanges',
    ]);
    expect(content.rules.map((r) => r.file.split('/').pop()).sort()).toEqual([
      'SecureScoreAcceptanceBurst.yaml',
      'SecureScoreAcceptanceByUnapprovedAccount.yaml',
      'SecureScoreAcceptanceRecertification.yaml',
      'SecureScoreAcceptanceToggled.yaml',
      'SecureScoreAcceptanceWithoutComment.yaml',
      'SecureScoreConnectorRunFailed.yaml',
      'SecureScoreConnectorSilent.yaml',
      'SecureScoreControlRegression.yaml',
      'SecureScoreControlsAddedRemoved.yaml',
      'SecureScoreHistoryBaseline.yaml',
      'SecureScoreResolvedUnverified.yaml',
      'SecureScoreRiskAccepted.yaml',
      'SecureScoreTenantRegression.yaml',
    ]);
    expect(content.hunting).toHaveLength(6);
  });

  it('names no parser like a table Azure Monitor or Sentinel documents, nor with a prefix of one', () => {
    for (const { parser } of content.parsers) {
      for (const table of BUILT_IN_TABLES) {
        expect(parser.FunctionName.toLowerCase(), table).not.toBe(table.toLowerCase());
        expect(parser.FunctionName.toLowerCase().startsWith(table.toLowerCase()), `${parser.FunctionName} starts with ${table}`).toBe(
          false,
        );
      }
    }
  });

  it.each(tableParsers.map((p) => [p.file, p.parser] as const))(
    'parser %s analyses without errors, with and without its optional parameters',
    (_file, parser) => {
      const analysis = workspace.analyze(parserBody(parser));
      expect(analysis.errors).toEqual([]);
      for (const column of ['AzureTenantId', 'TenantLabel', 'TimeGenerated']) expect(analysis.columns.has(column)).toBe(true);
      expect(parser.FunctionName).toBe(parser.FunctionAlias);
      expect(workspace.analyze(`${parser.FunctionAlias}()`).errors).toEqual([]);
      for (const p of parser.FunctionParams ?? []) expect(['ingestedFrom', 'ingestedTo', 'tenants']).toContain(p.Name);
    },
  );

  it.each(
    content.parsers.filter((p) => p.parser.FunctionParams?.some((x) => x.Name === 'ingestedFrom')).map((p) => [p.file, p.parser] as const),
  )('parser %s keeps one row per RecordId, first ingested in the window it is given', (_file, parser) => {
    expect(parser.FunctionQuery).toMatch(/summarize arg_max\(TimeGenerated, \*\), FirstIngested = min\(_Ingested\) by RecordId/);
    // Records that arrived before the window are excluded, so a re-send is not new again.
    expect(parser.FunctionQuery).toContain('ingestion_time() < ingestedFrom');
    expect(parser.FunctionQuery).toContain('| where RecordId !in (seenBefore)');
    const columns = workspace.analyze(
      `${parser.FunctionAlias}(datetime(2026-11-23 10:00), datetime(2026-11-23 11:00), dynamic(["t"]))`,
    ).columns;
    for (const column of ['RecordId', 'FirstIngested', 'EventTime']) expect(columns.has(column), column).toBe(true);
  });

  it.each(content.rules.map((r) => [r.file, r.rule] as const))(
    'rule %s analyses without errors and maps only result columns',
    (_file, rule) => {
      const analysis = workspace.analyze(rule.query);
      expect(analysis.errors).toEqual([]);
      const used = [
        ...mappedColumns(rule.entityMappings),
        ...Object.values(rule.customDetails ?? {}),
        ...placeholders(rule.alertDetailsOverride?.alertDisplayNameFormat),
        ...placeholders(rule.alertDetailsOverride?.alertDescriptionFormat),
        ...(rule.alertDetailsOverride?.alertSeverityColumnName ? [rule.alertDetailsOverride.alertSeverityColumnName] : []),
      ];
      expect(used.filter((c) => !analysis.columns.has(c))).toEqual([]);
      for (const key of rule.incidentConfiguration.groupingConfiguration.groupByCustomDetails)
        expect(Object.keys(rule.customDetails ?? {})).toContain(key);
      // Rules read the parsers, never the raw table.
      expect(rule.query).not.toContain('MicrosoftSecureScore_CL');
      // Watchlists by the aliases the watchlist builder deploys.
      for (const alias of rule.query.matchAll(/Watchlist = "([^"]+)"/g))
        expect([EXPECTED_TENANTS_WATCHLIST.alias, APPROVERS_WATCHLIST.alias]).toContain(alias[1]);
    },
  );

  it.each(content.rules.map((r) => [r.file, r.rule] as const))('rule %s is within the Sentinel limits', (_file, rule) => {
    for (const field of [
      'id',
      'name',
      'description',
      'severity',
      'requiredDataConnectors',
      'queryFrequency',
      'queryPeriod',
      'triggerOperator',
      'triggerThreshold',
      'tactics',
      'relevantTechniques',
      'query',
      'version',
      'kind',
    ] as const) {
      expect(rule[field], field).toBeDefined();
    }
    expect(rule.id).toMatch(GUID);
    expect(['Informational', 'Low', 'Medium', 'High']).toContain(rule.severity);
    expect(['gt', 'lt', 'eq', 'ne']).toContain(rule.triggerOperator);
    const frequency = minutes(rule.queryFrequency);
    const period = minutes(rule.queryPeriod);
    for (const m of [frequency, period]) expect(m >= 5 && m <= 14 * 1440).toBe(true);
    expect(period).toBeGreaterThanOrEqual(frequency);
    if (period >= 2 * 1440) expect(frequency).toBeGreaterThanOrEqual(60);
    minutes(rule.incidentConfiguration.groupingConfiguration.lookbackDuration);
    expect(rule.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const tactic of rule.tactics) expect(SENTINEL_TACTICS.includes(tactic), tactic).toBe(true);
    for (const technique of rule.relevantTechniques) {
      const tactics = TECHNIQUE_TACTICS[technique.split('.')[0]!];
      expect(tactics, `${technique} is not in the test's technique table`).toBeDefined();
      expect(
        rule.tactics.some((t) => tactics!.includes(t)),
        `${technique} fits none of ${rule.tactics.join(', ')}`,
      ).toBe(true);
    }
    expect((rule.entityMappings ?? []).length).toBeLessThanOrEqual(10);
    for (const mapping of rule.entityMappings ?? []) {
      expect(mapping.fieldMappings.length).toBeLessThanOrEqual(3);
      for (const f of mapping.fieldMappings)
        expect(ENTITY_IDENTIFIERS[mapping.entityType]?.identifiers, mapping.entityType).toContain(f.identifier);
    }
    expect(Object.keys(rule.customDetails ?? {}).length).toBeLessThanOrEqual(20);
    for (const key of Object.keys(rule.customDetails ?? {})) expect(key).toMatch(/^[A-Za-z0-9_]{1,20}$/);
    expect(placeholders(rule.alertDetailsOverride?.alertDisplayNameFormat).length).toBeLessThanOrEqual(3);
    expect(placeholders(rule.alertDetailsOverride?.alertDescriptionFormat).length).toBeLessThanOrEqual(3);
    expect(rule.requiredDataConnectors[0]?.dataTypes).toEqual(['MicrosoftSecureScore_CL']);
    // Tunable thresholds come first, as let lines.
    expect(rule.query.trimStart()).toMatch(/^let /);
  });

  it('gives every rule, hunting query and parser its own GUID', () => {
    const ids = [
      ...content.rules.map((r) => r.rule.id),
      ...content.hunting.map((h) => h.query.id),
      ...content.parsers.map((p) => p.parser.id),
    ];
    for (const id of ids) expect(id).toMatch(GUID);
    expect(new Set(ids.map((i) => i.toLowerCase())).size).toBe(ids.length);
  });

  it.each(hourlyFactRules.map((r) => [r.file, r.rule] as const))(
    "rule %s reads first ingestion in windows that overlap the previous run's, and only facts young enough when they arrived",
    (_file, rule) => {
      const lets = readLets(rule.query);
      // Each window reaches back to where the previous run, however late, may have stopped: no gap.
      expect(lets.durations.get('window')).toBe(durationMs(rule.queryFrequency));
      expect(rule.query).toContain('let windowEnd = now() - ingestionDelay;');
      expect(rule.query).toContain('let windowStart = windowEnd - window - 2 * maxLateness;');
      expect(lets.durations.get('maxLateness')).toBe(durationMs('10m'));
      expect(lets.durations.get('ingestionDelay')).toBeGreaterThanOrEqual(durationMs('10m'));
      expect(rule.query).toMatch(/MSSecureScore\w+\(windowStart, windowEnd\)/);
      // Aged by event time: SnapshotDate, UpdatedDateTime, or a run's start (EventTime of a ConnectorRun).
      expect(rule.query).toMatch(/\| where FirstIngested - (SnapshotDate|UpdatedDateTime|EventTime) <= maxFactAge/);
      // A re-send is recognised only while its first copy is inside the query period: anything older
      // must already be too old to alert, so a replay at any later time never alerts again.
      expect(lets.durations.get('maxFactAge')).toBe(durationMs('3d'));
      expect(durationMs(rule.queryPeriod)).toBeGreaterThan(lets.durations.get('maxFactAge')! + durationMs('1d'));
      expect(rule.query).not.toMatch(/ago\(/);
    },
  );

  it.each(keyedRules.map((r) => [r.file, r.rule] as const))(
    'rule %s keys each alert (AlertKey) and leaves out what it already alerted on, so overlapping windows alert once',
    (file, rule) => {
      const name = file.split('/').pop()!.replace('.yaml', '');
      expect(rule.query).toContain(`let ruleKey = "${name}";`);
      expect(rule.query).toMatch(/AlertKey = strcat\(ruleKey, ":", (RecordId|hash_sha256\()/);
      expect(rule.query).toContain('| where AlertKey !in (MSSecureScoreAlertKeys(ruleKey, windowStart))');
      expect(rule.customDetails?.AlertKey).toBe('AlertKey');
      expect(workspace.analyze(rule.query).columns.has('AlertKey')).toBe(true);
      expect(rule.eventGroupingSettings.aggregationKind).toBe('AlertPerResult');
    },
  );

  it("reads back the AlertKeys of a rule from SecurityAlert, where Sentinel keeps an alert's custom details", () => {
    const alertKeys = content.parsers.find((p) => p.parser.FunctionAlias === 'MSSecureScoreAlertKeys')!.parser;
    expect(alertKeys.FunctionParams?.map((p) => `${p.Name}:${p.Type}`)).toEqual(['rule:string', 'since:datetime']);
    const analysis = workspace.analyze('MSSecureScoreAlertKeys("SecureScoreRiskAccepted", now())');
    expect(analysis.errors).toEqual([]);
    expect([...analysis.columns]).toEqual([['AlertKey', 'string']]);
    expect(alertKeys.FunctionQuery).toContain('todynamic(tostring(todynamic(ExtendedProperties)["Custom Details"]))');
    expect(alertKeys.FunctionQuery).toContain('| where AlertKey startswith strcat(rule, ":")');
  });

  it.each(content.rules.map((r) => [r.file, r.rule] as const))(
    'rule %s never reads TimeGenerated: a record replayed days later arrives with TimeGenerated set to its arrival',
    (_file, rule) => {
      expect(workspace.names(rule.query)).not.toContain('TimeGenerated');
    },
  );

  it.each(content.rules.filter((r) => /Acceptance|RiskAccepted/.test(r.file)).map((r) => [r.file, r.rule] as const))(
    'governance rule %s names the account with its tenant and the points at stake',
    (_file, rule) => {
      const account = rule.entityMappings?.find((m) => m.entityType === 'Account');
      expect(account?.fieldMappings.map((f) => [f.identifier, f.columnName])).toEqual([
        ['Name', 'AccountName'],
        ['UPNSuffix', 'AccountUPNSuffix'],
        ['AadTenantId', 'AzureTenantId'],
      ]);
      expect(workspace.analyze(rule.query).columns.has('PointsAtStake')).toBe(true);
      expect(Object.values(rule.customDetails ?? {})).toContain('PointsAtStake');
    },
  );

  it('reads the history the burst and toggle rules compare with inside the query period', () => {
    for (const [file, span] of [
      ['SecureScoreAcceptanceBurst.yaml', 'burstWindow'],
      ['SecureScoreAcceptanceToggled.yaml', 'toggleWindow'],
    ] as const) {
      const rule = content.rules.find((r) => r.file.endsWith(file))!.rule;
      const lets = readLets(rule.query);
      expect(rule.query).toContain(`MSSecureScoreStateChanges(windowStart - maxFactAge - ${span})`);
      expect(lets.durations.get('maxFactAge')! + lets.durations.get(span)! + lets.durations.get('window')!).toBeLessThanOrEqual(
        durationMs(rule.queryPeriod),
      );
    }
  });

  it('shows the current state of the control on every rule about a state change', () => {
    for (const file of [
      'SecureScoreRiskAccepted.yaml',
      'SecureScoreResolvedUnverified.yaml',
      'SecureScoreAcceptanceWithoutComment.yaml',
      'SecureScoreAcceptanceByUnapprovedAccount.yaml',
    ]) {
      const rule = content.rules.find((r) => r.file.endsWith(file))!.rule;
      expect(rule.query, file).toContain('MSSecureScoreCurrentState()');
      expect(rule.customDetails?.CurrentState, file).toBe('CurrentState');
    }
  });

  it('gives every rule that ages facts the same maxFactAge, so the baseline summarises exactly what the others skip', () => {
    const ages = new Set(content.rules.map((r) => readLets(r.rule.query).durations.get('maxFactAge')).filter((a) => a !== undefined));
    expect([...ages]).toEqual([durationMs('3d')]);
  });

  it.each(content.hunting.map((h) => [h.file, h.query] as const))('hunting query %s analyses without errors', (_file, hunting) => {
    const analysis = workspace.analyze(hunting.query);
    expect(analysis.errors).toEqual([]);
    expect(hunting.id).toMatch(GUID);
    expect(mappedColumns(hunting.entityMappings).filter((c) => !analysis.columns.has(c))).toEqual([]);
    expect(hunting.query).not.toContain('MicrosoftSecureScore_CL');
  });

  it('looks for the change behind a regression in AuditLogs, by its documented columns', () => {
    const hunting = content.hunting.find((h) => h.file.endsWith('SecureScoreRegressionCauseInAuditLogs.yaml'))!.query;
    expect(hunting.query).toContain('AuditLogs');
    expect(hunting.query).toContain('let lookbackBeforeSnapshot = 48h;');
    expect(new Workspace(content.parsers.map((p) => p.parser)).analyze(hunting.query).errors.join(' ')).toMatch(/AuditLogs/);
  });

  it('has workbook queries that analyse without errors once its parameters are substituted', () => {
    const queries = content.workbook.workbook.items.flatMap((item) => [
      ...(item.content.query ? [{ name: item.name, query: item.content.query }] : []),
      ...(item.content.parameters ?? []).filter((p) => p.query).map((p) => ({ name: `${item.name}.${p.name}`, query: p.query! })),
    ]);
    expect(queries.length).toBeGreaterThanOrEqual(8);
    const problems = queries.flatMap(({ name, query }) =>
      workspace.analyze(substituteWorkbookParameters(query)).errors.map((e) => `${name}: ${e}`),
    );
    expect(problems).toEqual([]);
    for (const { query } of queries) expect(query).not.toContain('MicrosoftSecureScore_CL');
    const names = content.workbook.workbook.items.map((i) => i.name);
    for (const part of [
      'parameters',
      'tenant-grid',
      'score-trend',
      'category-trend',
      'regressions',
      'risk-accepted',
      'state-timeline',
      'added-removed',
      'connector-health',
    ])
      expect(names).toContain(part);
  });

  it('has a DCR transform that analyses without errors over the stream and keeps every column', () => {
    const analysis = dcrTransformWorkspace().analyze(DCR_TRANSFORM_KQL);
    expect(analysis.errors).toEqual([]);
    expect(analysis.columns.get('TimeGenerated')).toBe('datetime');
  });

  it('reports unknown columns, so a passing analysis means something', () => {
    expect(workspace.analyze('MSSecureScoreDaily() | where NoSuchColumn > 1').errors).toHaveLength(1);
    expect(workspace.analyze('MSSecureScoreDaily() | project CurrentScore | extend x = ControlName').errors).toHaveLength(1);
    expect(workspace.analyze('MSSecureScoreDaily(now(), now(), dynamic([]), 4)').errors.length).toBeGreaterThan(0);
  });

  it('links every ActionUrl column of the workbook and reads risk acceptances from the current-state rows', () => {
    for (const item of content.workbook.workbook.items.filter((i) => i.content.query?.includes('ActionUrl'))) {
      const formatters =
        (item.content.gridSettings as { formatters?: Array<{ columnMatch: string; formatter: number }> } | undefined)?.formatters ?? [];
      expect(formatters, item.name).toContainEqual(expect.objectContaining({ columnMatch: 'ActionUrl', formatter: 7 }));
    }
    const accepted = content.workbook.workbook.items.find((i) => i.name === 'risk-accepted')!;
    expect(accepted.content.query).toMatch(/^MSSecureScoreCurrentState\(\)/);
    expect(accepted.content.timeContextFromParameter).toBeUndefined();
    expect(content.workbook.workbook.items.find((i) => i.name === 'score-trend')!.content.query).not.toContain('mv-apply');
  });

  it('has ARM templates in kql/deploy in sync with the sources (run "npm run generate" after editing kql/)', () => {
    for (const [path, text] of Object.entries(renderSentinelTemplates(content))) expect(readFileSync(path, 'utf8'), path).toBe(text);
  });
});
