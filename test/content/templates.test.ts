import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAllContentTemplate, renderSentinelTemplates } from '../../tools/content/arm.js';
import { loadSentinelContent, type ParserDefinition } from '../../tools/content/load.js';
import { APPROVERS_WATCHLIST, EXPECTED_TENANTS_WATCHLIST } from '../../src/sentinel/watchlists.js';
import { AUDIT_LOGS, SECURITY_ALERT, Workspace } from '../support/kusto.js';

interface Resource {
  type: string;
  name: string;
  condition?: string;
  dependsOn?: string[];
  properties: Record<string, unknown>;
}
interface Template {
  parameters: Record<string, { defaultValue?: unknown }>;
  resources: Resource[];
}

const content = loadSentinelContent();
const templates = Object.entries(renderSentinelTemplates(content)).map(([path, text]) => [path, JSON.parse(text) as Template] as const);
const all = buildAllContentTemplate(content) as unknown as Template;

function usedParameters(template: unknown): Set<string> {
  return new Set([...JSON.stringify(template).matchAll(/parameters\('([^']+)'\)/g)].map((m) => m[1]!));
}

/** The name a resource is deployed under, as its id in dependsOn names it. */
function resourceId(resource: Resource): string {
  if (resource.type === 'Microsoft.OperationalInsights/workspaces/savedSearches') {
    const name = /'([^']+)'\)\]$/.exec(resource.name)![1];
    return `[resourceId('Microsoft.OperationalInsights/workspaces/savedSearches', parameters('workspaceName'), '${name}')]`;
  }
  return `[extensionResourceId(resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName')), '${resource.type}', '${resource.name}')]`;
}

describe('ARM templates of the Sentinel content', () => {
  it.each(templates)('%s declares every parameter it uses and uses every one it declares', (_path, template) => {
    const used = usedParameters(template.resources);
    expect(Object.keys(template.parameters).filter((p) => !used.has(p))).toEqual([]);
    expect([...used].filter((p) => !(p in template.parameters))).toEqual([]);
  });

  it.each(templates)('%s can be deployed twice in a row: every saved search overwrites itself (etag "*")', (_path, template) => {
    for (const r of template.resources.filter((x) => x.type === 'Microsoft.OperationalInsights/workspaces/savedSearches'))
      expect(r.properties.etag, r.name).toBe('*');
    // Everything else has a fixed name, so a second deployment updates it in place.
    for (const r of template.resources) expect(r.name).not.toMatch(/newGuid|utcNow/);
  });

  it('keeps the separate templates next to the all-in-one', () => {
    expect(templates.map(([path]) => path).sort()).toEqual([
      'kql/deploy/all-content.json',
      'kql/deploy/analytics-rules.json',
      'kql/deploy/hunting-queries.json',
      'kql/deploy/parsers.json',
      'kql/deploy/workbook.json',
    ]);
    for (const [path, template] of templates) expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(template, null, 2)}\n`);
  });

  it('deploys everything in order: parsers, watchlists, rules, hunting queries, workbook', () => {
    const kind = (r: Resource) =>
      r.type === 'Microsoft.SecurityInsights/watchlists'
        ? 'watchlist'
        : r.type === 'Microsoft.SecurityInsights/alertRules'
          ? 'rule'
          : r.type === 'Microsoft.Insights/workbooks'
            ? 'workbook'
            : r.properties.category === 'Hunting Queries'
              ? 'hunting'
              : 'parser';
    const kinds = all.resources.map(kind);
    expect([...new Set(kinds)]).toEqual(['parser', 'watchlist', 'rule', 'hunting', 'workbook']);
    expect(kinds.filter((k) => k === 'rule')).toHaveLength(content.rules.length);
    expect(kinds.filter((k) => k === 'hunting')).toHaveLength(content.hunting.length);
    expect(kinds.filter((k) => k === 'parser')).toHaveLength(content.parsers.length);
  });

  it('depends only on resources it creates, and each query calls only functions and tables it creates or Sentinel has', () => {
    const ids = new Set(all.resources.map(resourceId));
    for (const r of all.resources) for (const d of r.dependsOn ?? []) expect(ids.has(d), `${r.name} depends on ${d}`).toBe(true);
    // Analysed against exactly what the template creates, plus the table the DCR template creates,
    // Sentinel's _GetWatchlist and the Entra ID AuditLogs table.
    const parsers: ParserDefinition[] = all.resources
      .filter((r) => r.properties.functionAlias)
      .map((r) => ({
        id: r.name,
        Function: { Title: String(r.properties.displayName), Version: '', LastUpdated: '' },
        Category: '',
        FunctionName: String(r.properties.functionAlias),
        FunctionAlias: String(r.properties.functionAlias),
        Description: '',
        FunctionParams: String(r.properties.functionParameters)
          .split(', ')
          .filter(Boolean)
          .map((p) => {
            const [, Name, Type, Default] = /^(\w+):(\w+) = (.+)$/.exec(p)!;
            return { Name: Name!, Type: Type!, Default: Default! };
          }),
        FunctionQuery: String(r.properties.query),
      }));
    const workspace = new Workspace(parsers, [AUDIT_LOGS, SECURITY_ALERT]);
    const queries = all.resources.filter((r) => typeof r.properties.query === 'string' && !r.properties.functionAlias);
    for (const r of queries) expect(workspace.analyze(String(r.properties.query)).errors, r.name).toEqual([]);
    const watchlists = all.resources.filter((r) => r.type === 'Microsoft.SecurityInsights/watchlists').map((r) => r.name);
    expect(watchlists.sort()).toEqual([APPROVERS_WATCHLIST.alias, EXPECTED_TENANTS_WATCHLIST.alias].sort());
    for (const r of queries)
      for (const alias of String(r.properties.query).matchAll(/Watchlist = "([^"]+)"/g)) expect(watchlists).toContain(alias[1]);
  });

  it('creates the watchlists only when their CSV is given, so a watchlist deployed from the CLI is left alone', () => {
    for (const r of all.resources.filter((x) => x.type === 'Microsoft.SecurityInsights/watchlists')) {
      expect(r.condition).toMatch(/^\[not\(empty\(parameters\('(expectedTenantsCsv|approversCsv)'\)\)\)\]$/);
      expect(all.parameters[/'(\w+)'/.exec(r.condition!)![1]!]!.defaultValue).toBe('');
    }
  });

  it('asks for a half-past start only as an optimisation: the rules hold at any minute (test/content/schedule.test.ts)', () => {
    const rules = JSON.parse(readFileSync('kql/deploy/analytics-rules.json', 'utf8')) as Template;
    expect(rules.parameters.rulesStartTimeUtc!.defaultValue).toBe("[dateTimeAdd(utcNow('yyyy-MM-ddTHH:00:00Z'), 'PT1H30M')]");
    for (const r of rules.resources) expect(r.properties.startTimeUtc).toBe("[parameters('rulesStartTimeUtc')]");
  });
});
