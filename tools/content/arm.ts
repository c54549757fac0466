import { APPROVERS_WATCHLIST, EXPECTED_TENANTS_WATCHLIST, watchlistResource } from '../../src/sentinel/watchlists.js';
import {
  functionParameters,
  type AnalyticsRule,
  type HuntingQuery,
  type ParserDefinition,
  type SentinelContent,
  type Workbook,
} from './load.js';

/** Sentinel YAML durations (`5m`, `1h`, `14d`) as the ISO 8601 durations ARM wants. */
export function isoDuration(value: string): string {
  const match = /^(\d+)([mhd])$/.exec(value);
  if (!match) throw new Error(`duration "${value}" is not like 5m, 1h or 14d`);
  const [, n, unit] = match;
  return unit === 'd' ? `P${n}D` : `PT${n}${unit!.toUpperCase()}`;
}

/** The rule YAML's trigger operators in the API's words. */
export const TRIGGER_OPERATORS: Record<string, string> = { gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' };
const WORKSPACE_SCOPE = "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]";
const WORKSPACE_ID = "resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))";

type Parameters = Record<string, Record<string, unknown>>;

const WORKSPACE_PARAMETERS: Parameters = {
  workspaceName: { type: 'string', metadata: { description: 'The Microsoft Sentinel workspace (in this resource group).' } },
};

const RULE_PARAMETERS: Parameters = {
  enableRules: { type: 'bool', defaultValue: true, metadata: { description: 'Create the rules enabled.' } },
  rulesStartTimeUtc: {
    type: 'string',
    // An optimisation only: startTimeUtc is in no published SecurityInsights API version
    // (azure-rest-api-specs#23830), so ARM may ignore it, and a rule then runs at its creation minute.
    // The rules hold at any minute (each run reads back past where the previous one may have stopped and
    // leaves out what it already alerted on); the minute only sets how soon after an arrival they alert.
    defaultValue: "[dateTimeAdd(utcNow('yyyy-MM-ddTHH:00:00Z'), 'PT1H30M')]",
    metadata: {
      description:
        'When the rules first run (UTC, 10 minutes to 30 days ahead), if Sentinel takes it; later runs keep its minute. Any minute works: each run reads back past where the previous one may have stopped and leaves out what it already alerted on.',
    },
  },
};

const WORKBOOK_PARAMETERS: Parameters = {
  location: { type: 'string', defaultValue: '[resourceGroup().location]' },
  workbookDisplayName: { type: 'string', defaultValue: 'Microsoft Secure Score' },
};

const WATCHLIST_PARAMETERS: Parameters = {
  expectedTenantsCsv: {
    type: 'string',
    defaultValue: '',
    metadata: {
      description:
        'CSV "TenantId,DisplayName" of the tenants that must report; empty leaves the watchlist alone (deploy the one "securescore-connector watchlist" writes instead).',
    },
  },
  approversCsv: {
    type: 'string',
    defaultValue: '',
    metadata: { description: 'CSV "UserPrincipalName" of the accounts allowed to accept risk; empty leaves the watchlist alone.' },
  },
};

function template(description: string, parameters: Parameters, resources: unknown[]): Record<string, unknown> {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: { description: `${description} Generated from kql/ by "npm run generate"; do not edit.` },
    parameters,
    resources,
  };
}

/** The ARM resource id of a parser function (a savedSearch), for dependsOn. */
function parserId(name: string): string {
  return `[resourceId('Microsoft.OperationalInsights/workspaces/savedSearches', parameters('workspaceName'), '${name}')]`;
}

function watchlistId(alias: string): string {
  return `[extensionResourceId(${WORKSPACE_ID}, 'Microsoft.SecurityInsights/watchlists', '${alias}')]`;
}

/** Parser functions a query calls, so a resource is deployed after them. */
export function calledParsers(query: string, parsers: readonly ParserDefinition[]): string[] {
  return parsers.map((p) => p.FunctionName).filter((name) => new RegExp(`\\b${name}\\s*\\(`).test(query));
}

/**
 * What a rule detects and how its alerts become incidents, in the API's shape: the same in a deployed
 * rule (ruleResource) and in a solution's rule template (solution.ts).
 */
export function ruleDetection(rule: AnalyticsRule): Record<string, unknown> {
  const grouping = rule.incidentConfiguration.groupingConfiguration;
  return {
    tactics: rule.tactics,
    techniques: rule.relevantTechniques,
    entityMappings: rule.entityMappings ?? [],
    customDetails: rule.customDetails ?? {},
    alertDetailsOverride: rule.alertDetailsOverride ?? {},
    eventGroupingSettings: rule.eventGroupingSettings,
    incidentConfiguration: {
      createIncident: rule.incidentConfiguration.createIncident,
      groupingConfiguration: { ...grouping, lookbackDuration: isoDuration(grouping.lookbackDuration) },
    },
  };
}

function ruleResource(rule: AnalyticsRule, dependsOn: string[] = []): Record<string, unknown> {
  return {
    type: 'Microsoft.SecurityInsights/alertRules',
    apiVersion: '2024-01-01-preview',
    scope: WORKSPACE_SCOPE,
    name: rule.id,
    kind: rule.kind,
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    properties: {
      displayName: rule.name,
      description: rule.description.trim().replace(/^'|'$/g, ''),
      severity: rule.severity,
      enabled: "[parameters('enableRules')]",
      query: rule.query,
      queryFrequency: isoDuration(rule.queryFrequency),
      queryPeriod: isoDuration(rule.queryPeriod),
      startTimeUtc: "[parameters('rulesStartTimeUtc')]",
      triggerOperator: TRIGGER_OPERATORS[rule.triggerOperator] ?? rule.triggerOperator,
      triggerThreshold: rule.triggerThreshold,
      suppressionEnabled: false,
      suppressionDuration: 'PT1H',
      ...ruleDetection(rule),
      templateVersion: rule.version,
    },
  };
}

function parserResource(parser: ParserDefinition, dependsOn: string[] = []): Record<string, unknown> {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: '2020-08-01',
    name: `[format('{0}/{1}', parameters('workspaceName'), '${parser.FunctionName}')]`,
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    properties: {
      // "*" overwrites an existing function: without it a second deployment fails with 409 Conflict.
      etag: '*',
      category: 'Microsoft Secure Score',
      displayName: parser.Function.Title,
      query: parser.FunctionQuery,
      functionAlias: parser.FunctionAlias,
      functionParameters: functionParameters(parser),
      version: 2,
    },
  };
}

function huntingResource(hunting: HuntingQuery, dependsOn: string[] = []): Record<string, unknown> {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: '2020-08-01',
    name: `[format('{0}/{1}', parameters('workspaceName'), '${hunting.id}')]`,
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    properties: {
      etag: '*',
      category: 'Hunting Queries',
      displayName: hunting.name,
      query: hunting.query,
      version: 2,
      tags: [
        { name: 'description', value: hunting.description.trim().replace(/^'|'$/g, '') },
        { name: 'tactics', value: hunting.tactics.join(',') },
        { name: 'techniques', value: hunting.relevantTechniques.join(',') },
      ],
    },
  };
}

function workbookResource(workbook: Workbook, dependsOn: string[] = []): Record<string, unknown> {
  return {
    type: 'Microsoft.Insights/workbooks',
    apiVersion: '2022-04-01',
    name: "[guid(resourceGroup().id, parameters('workspaceName'), 'securescore-connector-workbook')]",
    location: "[parameters('location')]",
    kind: 'shared',
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    properties: {
      displayName: "[parameters('workbookDisplayName')]",
      category: 'sentinel',
      version: '1.0',
      sourceId: `[${WORKSPACE_ID}]`,
      serializedData: JSON.stringify(workbook),
    },
  };
}

const parserDefinitions = (content: SentinelContent) => content.parsers.map((p) => p.parser);

/** Parsers, each after the parsers it calls (Log Analytics checks a function's body when it is saved). */
function parserResources(content: SentinelContent): Record<string, unknown>[] {
  const parsers = parserDefinitions(content);
  return parsers.map((p) =>
    parserResource(
      p,
      calledParsers(p.FunctionQuery, parsers)
        .filter((name) => name !== p.FunctionName)
        .map(parserId),
    ),
  );
}

/** ARM template with every analytics rule (Microsoft.SecurityInsights/alertRules, ISO durations). */
function buildRulesTemplate(content: SentinelContent): Record<string, unknown> {
  return template(
    'Microsoft Secure Score analytics rules for Microsoft Sentinel. Deploy the parsers first.',
    { ...WORKSPACE_PARAMETERS, ...RULE_PARAMETERS },
    content.rules.map(({ rule }) => ruleResource(rule)),
  );
}

/** ARM template with the parsers as workspace functions (savedSearches with functionAlias). */
function buildParsersTemplate(content: SentinelContent): Record<string, unknown> {
  return template(
    'Microsoft Secure Score parsers (workspace functions) used by the rules, hunting queries and workbook.',
    WORKSPACE_PARAMETERS,
    parserResources(content),
  );
}

/** ARM template with the hunting queries (savedSearches in the "Hunting Queries" category). */
function buildHuntingTemplate(content: SentinelContent): Record<string, unknown> {
  return template(
    'Microsoft Secure Score hunting queries for Microsoft Sentinel. Deploy the parsers first.',
    WORKSPACE_PARAMETERS,
    content.hunting.map(({ query }) => huntingResource(query)),
  );
}

/** ARM template with the workbook (Microsoft.Insights/workbooks). */
function buildWorkbookTemplate(workbook: Workbook): Record<string, unknown> {
  return template('Microsoft Secure Score workbook for Microsoft Sentinel.', { ...WORKSPACE_PARAMETERS, ...WORKBOOK_PARAMETERS }, [
    workbookResource(workbook),
  ]);
}

/**
 * One template with all the content, in the order it depends on itself: parsers, watchlists (only
 * when their CSV is given), rules, hunting queries, workbook. Every resource it references is one it
 * creates, or Sentinel's own (_GetWatchlist answers nothing for a watchlist not deployed).
 */
export function buildAllContentTemplate(content: SentinelContent): Record<string, unknown> {
  const parsers = parserDefinitions(content);
  const needs = (query: string) => calledParsers(query, parsers).map(parserId);
  const watchlists = [
    { definition: EXPECTED_TENANTS_WATCHLIST, parameter: 'expectedTenantsCsv' },
    { definition: APPROVERS_WATCHLIST, parameter: 'approversCsv' },
  ];
  const watchlistResources = watchlists.map(({ definition, parameter }) => ({
    condition: `[not(empty(parameters('${parameter}')))]`,
    ...watchlistResource(definition, `[parameters('${parameter}')]`),
  }));
  const watchlistsUsed = (query: string) =>
    watchlists.filter(({ definition }) => query.includes(`"${definition.alias}"`)).map(({ definition }) => watchlistId(definition.alias));
  const workbookQueries = JSON.stringify(content.workbook.workbook);
  return template(
    'All Microsoft Secure Score content for Microsoft Sentinel: parsers, watchlists, analytics rules, hunting queries and the workbook.',
    { ...WORKSPACE_PARAMETERS, ...RULE_PARAMETERS, ...WATCHLIST_PARAMETERS, ...WORKBOOK_PARAMETERS },
    [
      ...parserResources(content),
      ...watchlistResources,
      ...content.rules.map(({ rule }) => ruleResource(rule, [...needs(rule.query), ...watchlistsUsed(rule.query)])),
      ...content.hunting.map(({ query }) => huntingResource(query, needs(query.query))),
      workbookResource(content.workbook.workbook, needs(workbookQueries)),
    ],
  );
}

/** Path → exact text of every generated Sentinel template. */
export function renderSentinelTemplates(content: SentinelContent): Record<string, string> {
  const render = (t: unknown) => `${JSON.stringify(t, null, 2)}\n`;
  return {
    'kql/deploy/all-content.json': render(buildAllContentTemplate(content)),
    'kql/deploy/analytics-rules.json': render(buildRulesTemplate(content)),
    'kql/deploy/hunting-queries.json': render(buildHuntingTemplate(content)),
    'kql/deploy/parsers.json': render(buildParsersTemplate(content)),
    'kql/deploy/workbook.json': render(buildWorkbookTemplate(content.workbook.workbook)),
  };
}
