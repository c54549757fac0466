import type { AnalyticsRule, ParserDefinition, SentinelContent, Workbook } from './load.js';

/** Sentinel YAML durations (`5m`, `1h`, `14d`) as the ISO 8601 durations ARM wants. */
export function isoDuration(value: string): string {
  const match = /^(\d+)([mhd])$/.exec(value);
  if (!match) throw new Error(`duration "${value}" is not like 5m, 1h or 14d`);
  const [, n, unit] = match;
  return unit === 'd' ? `P${n}D` : `PT${n}${unit!.toUpperCase()}`;
}

const TRIGGER_OPERATORS: Record<string, string> = { gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' };

const WORKSPACE_PARAMETERS = {
  workspaceName: { type: 'string', metadata: { description: 'The Microsoft Sentinel workspace (in this resource group).' } },
};

function template(description: string, parameters: Record<string, unknown>, resources: unknown[]): Record<string, unknown> {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: { description: `${description} Generated from kql/ by "npm run generate"; do not edit.` },
    parameters,
    resources,
  };
}

function ruleResource(rule: AnalyticsRule): Record<string, unknown> {
  const grouping = rule.incidentConfiguration.groupingConfiguration;
  return {
    type: 'Microsoft.SecurityInsights/alertRules',
    apiVersion: '2023-02-01',
    scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]",
    name: rule.id,
    kind: rule.kind,
    properties: {
      displayName: rule.name,
      description: rule.description.trim().replace(/^'|'$/g, ''),
      severity: rule.severity,
      enabled: "[parameters('enableRules')]",
      query: rule.query,
      queryFrequency: isoDuration(rule.queryFrequency),
      queryPeriod: isoDuration(rule.queryPeriod),
      triggerOperator: TRIGGER_OPERATORS[rule.triggerOperator] ?? rule.triggerOperator,
      triggerThreshold: rule.triggerThreshold,
      suppressionEnabled: false,
      suppressionDuration: 'PT1H',
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
      templateVersion: rule.version,
    },
  };
}

/** ARM template with every analytics rule (Microsoft.SecurityInsights/alertRules, ISO durations). */
export function buildRulesTemplate(content: SentinelContent): Record<string, unknown> {
  return template(
    'Microsoft Secure Score analytics rules for Microsoft Sentinel.',
    {
      ...WORKSPACE_PARAMETERS,
      enableRules: { type: 'bool', defaultValue: true, metadata: { description: 'Create the rules enabled.' } },
    },
    content.rules.map(({ rule }) => ruleResource(rule)),
  );
}

function parserResource(parser: ParserDefinition): Record<string, unknown> {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: '2020-08-01',
    name: `[format('{0}/{1}', parameters('workspaceName'), '${parser.FunctionName}')]`,
    properties: {
      category: 'Microsoft Secure Score',
      displayName: parser.Function.Title,
      query: parser.FunctionQuery,
      functionAlias: parser.FunctionAlias,
      version: 2,
    },
  };
}

/** ARM template with the parsers as workspace functions (savedSearches with functionAlias). */
export function buildParsersTemplate(content: SentinelContent): Record<string, unknown> {
  return template(
    'Microsoft Secure Score parsers (workspace functions) used by the rules and workbook.',
    WORKSPACE_PARAMETERS,
    content.parsers.map(({ parser }) => parserResource(parser)),
  );
}

/** ARM template with the workbook (Microsoft.Insights/workbooks). */
export function buildWorkbookTemplate(workbook: Workbook): Record<string, unknown> {
  return template(
    'Microsoft Secure Score workbook for Microsoft Sentinel.',
    {
      ...WORKSPACE_PARAMETERS,
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      workbookDisplayName: { type: 'string', defaultValue: 'Microsoft Secure Score' },
    },
    [
      {
        type: 'Microsoft.Insights/workbooks',
        apiVersion: '2022-04-01',
        name: "[guid(resourceGroup().id, parameters('workspaceName'), 'securescore-connector-workbook')]",
        location: "[parameters('location')]",
        kind: 'shared',
        properties: {
          displayName: "[parameters('workbookDisplayName')]",
          category: 'sentinel',
          version: '1.0',
          sourceId: "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]",
          serializedData: JSON.stringify(workbook),
        },
      },
    ],
  );
}

/** Path → exact text of every generated Sentinel template. */
export function renderSentinelTemplates(content: SentinelContent): Record<string, string> {
  const render = (t: unknown) => `${JSON.stringify(t, null, 2)}\n`;
  return {
    'kql/deploy/analytics-rules.json': render(buildRulesTemplate(content)),
    'kql/deploy/parsers.json': render(buildParsersTemplate(content)),
    'kql/deploy/workbook.json': render(buildWorkbookTemplate(content.workbook.workbook)),
  };
}
