import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_ID } from '../../tools/content/connector.js';
import { loadSentinelContent } from '../../tools/content/load.js';
import {
  buildCreateUiDefinition,
  buildMainTemplate,
  latest,
  packageHash,
  readVersions,
  renderSolution,
  SOLUTION_VERSION,
  VERSIONS_PATH,
  versionedContent,
  WORKBOOK_CONTENT_ID,
} from '../../tools/content/solution.js';

interface Resource {
  type: string;
  name: string;
  properties: Record<string, unknown> & { mainTemplate?: { resources: Resource[] } };
}

const content = loadSentinelContent();
const versions = readVersions();
const items = versionedContent(content, versions);
const main = buildMainTemplate(content, versions) as unknown as { parameters: Record<string, unknown>; resources: Resource[] };
const ui = buildCreateUiDefinition(content) as { parameters: { outputs: Record<string, string> } };

describe('the solution package', () => {
  it.each(Object.entries(renderSolution(content, versions)))('%s is committed as npm run generate writes it', (path, text) => {
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('has one contentPackages resource of kind Solution with the package version, depending on every piece of content at its version', () => {
    const packages = main.resources.filter((r) => r.type === 'Microsoft.OperationalInsights/workspaces/providers/contentPackages');
    expect(packages).toHaveLength(1);
    const p = packages[0]!.properties as {
      kind: string;
      version: string;
      dependencies: { criteria: Array<{ contentId: string; version: string }> };
    };
    expect(p.kind).toBe('Solution');
    expect(p.version).toBe(SOLUTION_VERSION);
    expect(p.dependencies.criteria.map((c) => `${c.contentId}@${c.version}`).sort()).toEqual(
      items.map((i) => `${i.id}@${i.version}`).sort(),
    );
  });

  it('has a contentTemplate with its metadata for every rule, hunting query, parser, the workbook and the data connector', () => {
    const templates = main.resources.filter((r) => r.type === 'Microsoft.OperationalInsights/workspaces/providers/contentTemplates');
    const byKind = (kind: string) => templates.filter((t) => t.properties.contentKind === kind).map((t) => t.properties.contentId);
    expect(byKind('AnalyticsRule')).toEqual(content.rules.map((r) => r.rule.id));
    expect(byKind('HuntingQuery')).toEqual(content.hunting.map((h) => h.query.id));
    expect(byKind('Parser')).toEqual(content.parsers.map((p) => p.parser.id));
    expect(byKind('Workbook')).toEqual([WORKBOOK_CONTENT_ID]);
    expect(byKind('DataConnector')).toEqual([CONNECTOR_ID]);
    for (const t of templates) {
      const inner = t.properties.mainTemplate!.resources;
      const meta = inner.filter((r) => r.type === 'Microsoft.OperationalInsights/workspaces/providers/metadata');
      expect(meta, String(t.properties.contentId)).toHaveLength(1);
      expect(meta[0]!.properties.contentId).toBe(t.properties.contentId);
      expect(meta[0]!.properties.version).toBe(t.properties.version);
      expect((meta[0]!.properties.source as { kind: string }).kind).toBe('Solution');
    }
  });

  it('ships the rules as templates (disabled, for the user to create rules from), never as active rules', () => {
    const all = JSON.stringify(main);
    expect(all).not.toContain('Microsoft.SecurityInsights/alertRules"');
    const ruleTemplates = main.resources
      .filter((r) => r.properties.contentKind === 'AnalyticsRule')
      .flatMap((t) => t.properties.mainTemplate!.resources.filter((r) => r.type === 'Microsoft.SecurityInsights/AlertRuleTemplates'));
    expect(ruleTemplates).toHaveLength(content.rules.length);
    for (const r of ruleTemplates) expect(r.properties.enabled).toBe(false);
  });

  it('declares every parameter it uses; the install wizard gives each one without a default', () => {
    const used = new Set([...JSON.stringify(main.resources).matchAll(/parameters\('([^']+)'\)/g)].map((m) => m[1]!));
    expect([...used].filter((p) => !(p in main.parameters))).toEqual([]);
    const outputs = Object.keys(ui.parameters.outputs);
    expect(outputs.filter((o) => !(o in main.parameters))).toEqual([]);
    // What the wizard does not ask for has a default of its own (the workbook's name, the unused location).
    const unasked = Object.entries(main.parameters).filter(([p]) => !outputs.includes(p));
    for (const [p, d] of unasked) expect((d as { defaultValue?: string }).defaultValue, p).toBeTruthy();
  });
});

describe('content versions (kql/content-versions.json)', () => {
  it.each(items)('$label: its content is the one recorded for version $version', ({ id, version, hash }) => {
    const recorded = versions[id] ?? {};
    expect(
      recorded[version],
      `${id} changed without a new version: raise its version (rule/hunting query "version", parser Function.Version) and add "${'<new version>'}": "${hash}" under "${id}" in ${VERSIONS_PATH}`,
    ).toBe(hash);
    expect(latest(recorded), `${id}: ${version} is not the newest version recorded`).toBe(version);
  });

  it('the package version moves when any content version does', () => {
    const hash = packageHash(items);
    expect(
      versions.solution![SOLUTION_VERSION],
      `content versions changed: add a release to RELEASES in tools/content/solution.ts and "<version>": "${hash}" under "solution" in ${VERSIONS_PATH}`,
    ).toBe(hash);
    expect(latest(versions.solution!)).toBe(SOLUTION_VERSION);
  });

  it('notices a query change without a version change', () => {
    const [first] = content.rules;
    const edited = {
      ...content,
      rules: [{ ...first!, rule: { ...first!.rule, query: `${first!.rule.query}| take 1\n` } }, ...content.rules.slice(1)],
    };
    const moved = versionedContent(edited, versions).find((i) => i.id === first!.rule.id)!;
    expect(versions[moved.id]![moved.version]).not.toBe(moved.hash);
  });
});
