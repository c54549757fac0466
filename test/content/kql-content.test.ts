import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSentinelTemplates } from '../../tools/content/arm.js';
import { loadSentinelContent, type EntityMapping } from '../../tools/content/load.js';
import { DCR_TRANSFORM_KQL } from '../../tools/dcr-template.js';
import { dcrTransformWorkspace, Workspace } from '../support/kusto.js';

const content = loadSentinelContent();
const workspace = new Workspace(content.parsers.map((p) => p.parser));

/** Techniques used by the content, with the tactics MITRE ATT&CK (Enterprise) files them under. */
const TECHNIQUE_TACTICS: Record<string, string[]> = {
  T1562: ['DefenseEvasion'],
  T1098: ['Persistence', 'PrivilegeEscalation'],
  T1078: ['DefenseEvasion', 'Persistence', 'PrivilegeEscalation', 'InitialAccess'],
};
const SENTINEL_TACTICS = new Set([
  'Reconnaissance',
  'ResourceDevelopment',
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'ImpairProcessControl',
  'InhibitResponseFunction',
]);
const ENTITY_IDENTIFIERS: Record<string, string[]> = {
  Account: [
    'Name',
    'FullName',
    'NTDomain',
    'DnsDomain',
    'UPNSuffix',
    'Sid',
    'AadTenantId',
    'AadUserId',
    'PUID',
    'IsDomainJoined',
    'DisplayName',
    'ObjectGuid',
  ],
  CloudApplication: ['AppId', 'Name', 'InstanceName'],
  URL: ['Url'],
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

function minutes(duration: string): number {
  const match = /^(\d+)([mhd])$/.exec(duration);
  if (!match) throw new Error(`duration "${duration}" is not like 5m, 1h or 14d`);
  return Number(match[1]) * MINUTES[match[2]!]!;
}

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
      'SecureScoreConnectorRuns',
      'SecureScoreControlStates',
      'SecureScoreControls',
      'SecureScoreDaily',
    ]);
    expect(content.rules).toHaveLength(6);
    expect(content.hunting).toHaveLength(5);
  });

  it.each(content.parsers.map((p) => [p.file, p.parser] as const))(
    'parser %s analyses without errors and keeps one row per RecordId',
    (_file, parser) => {
      const analysis = workspace.analyze(parser.FunctionQuery);
      expect(analysis.errors).toEqual([]);
      expect(parser.FunctionQuery).toMatch(/summarize arg_max\(TimeGenerated, \*\).* by RecordId/);
      for (const column of ['RecordId', 'AzureTenantId', 'TenantLabel', 'FirstIngested', 'TimeGenerated'])
        expect(analysis.columns.has(column)).toBe(true);
      expect(parser.FunctionName).toBe(parser.FunctionAlias);
    },
  );

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
    for (const tactic of rule.tactics) expect(SENTINEL_TACTICS.has(tactic), tactic).toBe(true);
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
      for (const f of mapping.fieldMappings) expect(ENTITY_IDENTIFIERS[mapping.entityType], mapping.entityType).toContain(f.identifier);
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

  it('filters rules on first ingestion within one run interval, so a re-sent record alerts once and a late one still alerts', () => {
    for (const { rule } of content.rules.filter((r) => !r.file.includes('ConnectorHealth'))) {
      // Consecutive runs see consecutive, non-overlapping windows of first ingestion, shifted back by
      // the time a record needs to become queryable.
      expect(rule.query).toContain('| where FirstIngested between (ago(lookback + ingestionDelay) .. ago(ingestionDelay))');
      expect(rule.query).toContain(`let lookback = ${rule.queryFrequency};`);
      expect(rule.query).toMatch(/let ingestionDelay = \d+m;/);
      // Re-sends within the query period share FirstIngested: the period must cover the re-send horizon.
      expect(minutes(rule.queryPeriod)).toBeGreaterThanOrEqual(7 * 1440);
    }
  });

  it.each(content.hunting.map((h) => [h.file, h.query] as const))('hunting query %s analyses without errors', (_file, hunting) => {
    const analysis = workspace.analyze(hunting.query);
    expect(analysis.errors).toEqual([]);
    expect(hunting.id).toMatch(GUID);
    expect(mappedColumns(hunting.entityMappings).filter((c) => !analysis.columns.has(c))).toEqual([]);
    expect(hunting.query).not.toContain('MicrosoftSecureScore_CL');
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
    expect(workspace.analyze('SecureScoreDaily | where NoSuchColumn > 1').errors).toHaveLength(1);
    expect(workspace.analyze('SecureScoreDaily | project CurrentScore | extend x = ControlName').errors).toHaveLength(1);
  });

  it('has ARM templates in kql/deploy in sync with the sources (run "npm run generate" after editing kql/)', () => {
    for (const [path, text] of Object.entries(renderSentinelTemplates(content))) expect(readFileSync(path, 'utf8'), path).toBe(text);
  });
});
