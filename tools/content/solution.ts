/**
 * The Microsoft Sentinel solution (Content Hub package) in the Azure-Sentinel layout, generated from
 * kql/ and src/schema by `npm run generate`: the packaging tool's input (`Data/Solution_*.json` and the
 * content files it lists, copied from kql/), and the package it would build (`Package/mainTemplate.json`,
 * `Package/createUiDefinition.json`), modelled on Solutions/Quokka: a `contentPackages` resource, and a
 * `contentTemplates` resource with its `metadata` for every rule, hunting query, parser, workbook and the
 * data connector. Rules arrive as templates in the Analytics gallery; parsers and the connector page are
 * deployed at install, as the packaging tool does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { COLUMNS } from '../../src/schema/columns.js';
import { APPROVERS_WATCHLIST, EXPECTED_TENANTS_WATCHLIST, watchlistResource } from '../../src/sentinel/watchlists.js';
import { calledParsers, isoDuration, ruleDetection, TRIGGER_OPERATORS } from './arm.js';
import { buildConnectorDefinition, CONNECTOR_ID, TABLE } from './connector.js';
import { functionParameters, type AnalyticsRule, type HuntingQuery, type ParserDefinition, type SentinelContent } from './load.js';

export const SOLUTION_DIR = 'Solutions/MicrosoftSecureScore';
const SOLUTION_NAME = 'Microsoft Secure Score';
const SOLUTION_ID = 'securescore-connector.microsoft-secure-score';
/** Where each version's content hashes are recorded; a test fails when content moves without its version. */
export const VERSIONS_PATH = 'kql/content-versions.json';
export const WORKBOOK_CONTENT_ID = 'MicrosoftSecureScoreWorkbook';
const PUBLISHER = 'securescore-connector';
const SUPPORT = { name: PUBLISHER, tier: 'Community', link: 'https://github.com/' };
const AUTHOR = { name: PUBLISHER };

/** Release notes, newest first; the first entry's version is the package version. */
const RELEASES: ReadonlyArray<{ version: string; date: string; notes: string }> = [
  {
    version: '3.0.0',
    date: '2026-12-05',
    notes:
      "First solution package: data connector page (status from the connector's run records), 13 analytics rule templates, 6 hunting queries, 7 parsers, workbook, install wizard with the expected tenants and approvers watchlists.",
  },
];
export const SOLUTION_VERSION = RELEASES[0]!.version;

/** The versions record: per content id, each version's content hash; `solution` hashes every content version. */
export type VersionsRecord = Record<string, Record<string, string>>;

export function readVersions(path = VERSIONS_PATH): VersionsRecord {
  return JSON.parse(readFileSync(path, 'utf8')) as VersionsRecord;
}

/** What a version stands for: the content without its version fields, hashed. */
function contentHash(value: unknown): string {
  const strip = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(strip)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([k]) => k !== 'version' && k !== 'Version' && k !== 'LastUpdated')
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, strip(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(strip(value)))
    .digest('hex')
    .slice(0, 16);
}

/** Every versioned piece of content: its contentId, version and hash. */
export function versionedContent(
  content: SentinelContent,
  versions: VersionsRecord,
): Array<{ id: string; label: string; version: string; hash: string }> {
  const workbookVersion = latest(versions[WORKBOOK_CONTENT_ID] ?? { '1.0.0': '' });
  return [
    ...content.rules.map(({ file, rule }) => ({ id: rule.id, label: file, version: rule.version, hash: contentHash(rule) })),
    ...content.hunting.map(({ file, query }) => ({ id: query.id, label: file, version: query.version, hash: contentHash(query) })),
    ...content.parsers.map(({ file, parser }) => ({
      id: parser.id,
      label: file,
      version: parser.Function.Version,
      hash: contentHash(parser),
    })),
    { id: WORKBOOK_CONTENT_ID, label: content.workbook.file, version: workbookVersion, hash: contentHash(content.workbook.workbook) },
    {
      id: CONNECTOR_ID,
      label: 'data connector',
      version: latest(versions[CONNECTOR_ID] ?? { '1.0.0': '' }),
      hash: contentHash(buildConnectorDefinition()),
    },
  ];
}

/** The highest X.Y.Z key. */
export function latest(byVersion: Record<string, string>): string {
  const parts = (v: string) => v.split('.').map(Number);
  return Object.keys(byVersion).sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  })[Object.keys(byVersion).length - 1]!;
}

/** The hash of every content id and version: a new one needs a new package version. */
export function packageHash(items: ReadonlyArray<{ id: string; version: string }>): string {
  return contentHash(items.map((i) => `${i.id}@${i.version}`).sort());
}

const WS = "parameters('workspace')";
const solutionDependsOn = [
  `[extensionResourceId(resourceId('Microsoft.OperationalInsights/workspaces', ${WS}), 'Microsoft.SecurityInsights/contentPackages', variables('_solutionId'))]`,
];
const q = (s: string) => s.replace(/'/g, "''");
const trimQuotes = (s: string) => s.trim().replace(/^'|'$/g, '');

/** An ARM expression string starting with '[' must be escaped as '[[' inside a template. */
const literal = (s: string) => (s.startsWith('[') ? `[${s}` : s);

function metadata(kind: string, contentId: string, version: string, parentId: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/metadata',
    apiVersion: '2022-01-01-preview',
    name: `[concat(${WS},'/Microsoft.SecurityInsights/','${kind}-${q(contentId)}')]`,
    properties: {
      parentId,
      contentId,
      kind,
      version,
      source: { kind: 'Solution', name: SOLUTION_NAME, sourceId: "[variables('_solutionId')]" },
      author: AUTHOR,
      support: SUPPORT,
      ...extra,
    },
  };
}

function contentTemplate(kind: string, short: string, contentId: string, version: string, displayName: string, resources: unknown[]) {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/contentTemplates',
    apiVersion: '2023-04-01-preview',
    name: `[concat(${WS},'/Microsoft.SecurityInsights/',concat(${WS},'-${short}-',uniquestring('${q(contentId)}')))]`,
    location: "[parameters('workspace-location')]",
    dependsOn: solutionDependsOn,
    properties: {
      description: `${literal(displayName)} ${kind} with template version ${SOLUTION_VERSION}`,
      mainTemplate: {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: version,
        parameters: {},
        variables: {},
        resources,
      },
      packageKind: 'Solution',
      packageVersion: "[variables('_solutionVersion')]",
      packageName: "[variables('_solutionName')]",
      packageId: "[variables('_solutionId')]",
      contentSchemaVersion: '3.0.0',
      contentId,
      contentKind: kind,
      displayName: literal(displayName),
      contentProductId: productId(short, kind, contentId, version),
      id: productId(short, kind, contentId, version),
      version,
    },
  };
}

function productId(short: string, kind: string, contentId: string, version: string): string {
  return `[concat(take(variables('_solutionId'),50),'-','${short}','-', uniqueString(concat(variables('_solutionId'),'-','${kind}','-','${q(contentId)}','-', '${version}')))]`;
}

function ruleTemplate(rule: AnalyticsRule) {
  const parentId = `[resourceId('Microsoft.SecurityInsights/AlertRuleTemplates', '${rule.id}')]`;
  return contentTemplate('AnalyticsRule', 'ar', rule.id, rule.version, rule.name, [
    {
      type: 'Microsoft.SecurityInsights/AlertRuleTemplates',
      name: rule.id,
      apiVersion: '2023-02-01-preview',
      kind: rule.kind,
      location: "[parameters('workspace-location')]",
      properties: {
        description: literal(trimQuotes(rule.description)),
        displayName: literal(rule.name),
        enabled: false,
        query: literal(rule.query),
        queryFrequency: isoDuration(rule.queryFrequency),
        queryPeriod: isoDuration(rule.queryPeriod),
        severity: rule.severity,
        suppressionDuration: 'PT1H',
        suppressionEnabled: false,
        triggerOperator: TRIGGER_OPERATORS[rule.triggerOperator] ?? rule.triggerOperator,
        triggerThreshold: rule.triggerThreshold,
        status: 'Available',
        requiredDataConnectors: rule.requiredDataConnectors,
        ...ruleDetection(rule),
      },
    },
    metadata('AnalyticsRule', rule.id, rule.version, parentId),
  ]);
}

function huntingTemplate(hunting: HuntingQuery) {
  const name = `MicrosoftSecureScore_Hunting_${hunting.id}`;
  const parentId = `[resourceId('Microsoft.OperationalInsights/savedSearches', '${name}')]`;
  return contentTemplate('HuntingQuery', 'hq', hunting.id, hunting.version, hunting.name, [
    {
      type: 'Microsoft.OperationalInsights/savedSearches',
      apiVersion: '2022-10-01',
      name,
      location: "[parameters('workspace-location')]",
      properties: {
        eTag: '*',
        displayName: literal(hunting.name),
        category: 'Hunting Queries',
        query: literal(hunting.query),
        version: 2,
        tags: [
          { name: 'description', value: literal(trimQuotes(hunting.description)) },
          { name: 'tactics', value: hunting.tactics.join(',') },
          { name: 'techniques', value: hunting.relevantTechniques.join(',') },
        ],
      },
    },
    metadata('HuntingQuery', hunting.id, hunting.version, parentId),
  ]);
}

function parserSavedSearch(parser: ParserDefinition, name: string) {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: '2022-10-01',
    name,
    location: "[parameters('workspace-location')]",
    properties: {
      eTag: '*',
      displayName: literal(parser.Function.Title),
      category: 'Microsoft Sentinel Parser',
      functionAlias: parser.FunctionAlias,
      query: literal(parser.FunctionQuery),
      functionParameters: functionParameters(parser),
      version: 2,
      tags: [{ name: 'description', value: literal(parser.Description.trim()) }],
    },
  };
}

function parserResources(parser: ParserDefinition, parsers: readonly ParserDefinition[]) {
  const version = parser.Function.Version;
  const id = (name: string) => `[resourceId('Microsoft.OperationalInsights/workspaces/savedSearches', ${WS}, '${name}')]`;
  const inner = parserSavedSearch(parser, `[format('{0}/{1}', ${WS}, '${parser.FunctionName}')]`);
  // Log Analytics checks a function's body when it is saved: after the parsers it calls.
  const needs = calledParsers(parser.FunctionQuery, parsers)
    .filter((name) => name !== parser.FunctionName)
    .map(id);
  return [
    contentTemplate('Parser', 'pr', parser.id, version, parser.Function.Title, [
      inner,
      metadata('Parser', parser.id, version, id(parser.FunctionName)),
    ]),
    // Installed at once too (as the packaging tool does), so the rules created from templates find them.
    { ...inner, ...(needs.length > 0 ? { dependsOn: needs } : {}) },
  ];
}

/** The workbook's entry in Azure-Sentinel's Workbooks/WorkbooksMetadata.json. */
export function workbookMetadata(content: SentinelContent, version: string) {
  return {
    workbookKey: WORKBOOK_CONTENT_ID,
    logoFileName: 'Azure_Sentinel.svg',
    description:
      "Secure Score of every tenant: score now and its 7- and 30-day change, trend, score per category, regressions, controls risk accepted now, state changes, controls added or removed, and the connector's health.",
    dataTypesDependencies: [TABLE],
    dataConnectorsDependencies: [CONNECTOR_ID],
    previewImagesFileNames: [],
    version,
    title: SOLUTION_NAME,
    templateRelativePath: basename(content.workbook.file),
    subtitle: '',
    provider: PUBLISHER,
  };
}

function workbookTemplate(content: SentinelContent, version: string) {
  const meta = workbookMetadata(content, version);
  const parentId = `[resourceId('Microsoft.Insights/workbooks', '${WORKBOOK_CONTENT_ID}')]`;
  return contentTemplate('Workbook', 'wb', WORKBOOK_CONTENT_ID, version, SOLUTION_NAME, [
    {
      type: 'Microsoft.Insights/workbooks',
      name: WORKBOOK_CONTENT_ID,
      location: "[parameters('workspace-location')]",
      kind: 'shared',
      apiVersion: '2021-08-01',
      metadata: { description: meta.description },
      properties: {
        displayName: "[parameters('workbook1-name')]",
        serializedData: literal(JSON.stringify(content.workbook.workbook)),
        version: '1.0',
        sourceId: `[resourceId('microsoft.OperationalInsights/Workspaces', ${WS})]`,
        category: 'sentinel',
      },
    },
    metadata('Workbook', WORKBOOK_CONTENT_ID, version, parentId, {
      description: meta.description,
      dependencies: {
        operator: 'AND',
        criteria: [
          { contentId: TABLE, kind: 'DataType' },
          { contentId: CONNECTOR_ID, kind: 'DataConnector' },
        ],
      },
    }),
  ]);
}

function connectorResources(version: string) {
  const ui = JSON.parse(
    JSON.stringify(buildConnectorDefinition(), (_k, v: unknown) => (typeof v === 'string' ? literal(v) : v)),
  ) as unknown;
  const parentId = `[extensionResourceId(resourceId('Microsoft.OperationalInsights/workspaces', ${WS}), 'Microsoft.SecurityInsights/dataConnectors', '${CONNECTOR_ID}')]`;
  const connector = {
    name: `[concat(${WS},'/Microsoft.SecurityInsights/','${CONNECTOR_ID}')]`,
    apiVersion: '2021-03-01-preview',
    type: 'Microsoft.OperationalInsights/workspaces/providers/dataConnectors',
    location: "[parameters('workspace-location')]",
    kind: 'GenericUI',
    properties: { connectorUiConfig: ui },
  };
  const meta = metadata('DataConnector', CONNECTOR_ID, version, parentId);
  return [
    contentTemplate('DataConnector', 'dc', CONNECTOR_ID, version, buildConnectorDefinition().title, [connector, meta]),
    connector,
    meta,
  ];
}

/** Package/mainTemplate.json. */
export function buildMainTemplate(content: SentinelContent, versions: VersionsRecord): Record<string, unknown> {
  const items = versionedContent(content, versions);
  const version = (id: string) => items.find((i) => i.id === id)!.version;
  const workbookVersion = version(WORKBOOK_CONTENT_ID);
  const watchlists = [
    { definition: EXPECTED_TENANTS_WATCHLIST, parameter: 'expectedTenants' },
    { definition: APPROVERS_WATCHLIST, parameter: 'approvers' },
  ].map(({ definition, parameter }) => ({
    condition: `[not(empty(parameters('${parameter}')))]`,
    ...(JSON.parse(
      JSON.stringify(
        watchlistResource(definition, `[concat('${definition.columns.join(',')}', '\n', parameters('${parameter}'))]`),
      ).replace(/parameters\('workspaceName'\)/g, WS),
    ) as Record<string, unknown>),
  }));
  const kinds: Record<string, string> = {};
  for (const { rule } of content.rules) kinds[rule.id] = 'AnalyticsRule';
  for (const { query } of content.hunting) kinds[query.id] = 'HuntingQuery';
  for (const { parser } of content.parsers) kinds[parser.id] = 'Parser';
  kinds[WORKBOOK_CONTENT_ID] = 'Workbook';
  kinds[CONNECTOR_ID] = 'DataConnector';
  const counts = `<p><strong>Data Connectors:</strong> 1, <strong>Parsers:</strong> ${content.parsers.length}, <strong>Workbooks:</strong> 1, <strong>Analytic Rules:</strong> ${content.rules.length}, <strong>Hunting Queries:</strong> ${content.hunting.length}, <strong>Watchlists:</strong> 2</p>`;
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      author: PUBLISHER,
      comments: `Solution template for ${SOLUTION_NAME}. Generated from kql/ by "npm run generate"; do not edit.`,
    },
    parameters: {
      location: {
        type: 'string',
        minLength: 1,
        defaultValue: '[resourceGroup().location]',
        metadata: {
          description:
            'Not used, but needed to pass arm-ttk test `Location-Should-Not-Be-Hardcoded`. The workspace-location is used instead.',
        },
      },
      'workspace-location': {
        type: 'string',
        defaultValue: '',
        metadata: {
          description: "[concat('Region to deploy solution resources -- separate from location selection',parameters('location'))]",
        },
      },
      workspace: {
        defaultValue: '',
        type: 'string',
        metadata: { description: 'Workspace name for Log Analytics where Microsoft Sentinel is setup' },
      },
      'workbook1-name': { type: 'string', defaultValue: SOLUTION_NAME, minLength: 1, metadata: { description: 'Name for the workbook' } },
      expectedTenants: {
        type: 'string',
        defaultValue: '',
        metadata: {
          description:
            'Lines "tenantId,DisplayName" of the tenants that must report (tenant ids in lower case); empty leaves the SecureScoreExpectedTenants watchlist alone.',
        },
      },
      approvers: {
        type: 'string',
        defaultValue: '',
        metadata: {
          description:
            'Lines "UserPrincipalName" of the accounts allowed to accept risk; empty leaves the SecureScoreApprovers watchlist alone.',
        },
      },
    },
    variables: {
      _solutionName: SOLUTION_NAME,
      _solutionVersion: SOLUTION_VERSION,
      solutionId: SOLUTION_ID,
      _solutionId: "[variables('solutionId')]",
      _solutioncontentProductId:
        "[concat(take(variables('_solutionId'),50),'-','sl','-', uniqueString(concat(variables('_solutionId'),'-','Solution','-',variables('_solutionId'),'-', variables('_solutionVersion'))))]",
    },
    resources: [
      ...content.parsers.flatMap(({ parser }) =>
        parserResources(
          parser,
          content.parsers.map((p) => p.parser),
        ),
      ),
      ...connectorResources(version(CONNECTOR_ID)),
      ...content.rules.map(({ rule }) => ruleTemplate(rule)),
      ...content.hunting.map(({ query }) => huntingTemplate(query)),
      workbookTemplate(content, workbookVersion),
      ...watchlists,
      {
        type: 'Microsoft.OperationalInsights/workspaces/providers/contentPackages',
        apiVersion: '2023-04-01-preview',
        location: "[parameters('workspace-location')]",
        properties: {
          version: SOLUTION_VERSION,
          kind: 'Solution',
          contentSchemaVersion: '3.0.0',
          displayName: SOLUTION_NAME,
          publisherDisplayName: PUBLISHER,
          descriptionHtml: `<p>Microsoft Secure Score of one or many tenants in Microsoft Sentinel: the securescore-connector job sends daily scores, control scores, control state changes and its own run records to the ${TABLE} table; this solution adds the data connector page, parsers, analytics rules (regressions, risk acceptances, silent tenants), hunting queries and a workbook.</p>\n${counts}\n<p><a href="https://aka.ms/azuresentinel">Learn more about Microsoft Sentinel</a> | <a href="https://aka.ms/azuresentinelsolutionsdoc">Learn more about Solutions</a></p>\n`,
          contentKind: 'Solution',
          contentProductId: "[variables('_solutioncontentProductId')]",
          id: "[variables('_solutioncontentProductId')]",
          icon: '<img src="https://raw.githubusercontent.com/Azure/Azure-Sentinel/master/Logos/Azure_Sentinel.svg" width="75px" height="75px">',
          contentId: "[variables('_solutionId')]",
          parentId: "[variables('_solutionId')]",
          source: { kind: 'Solution', name: SOLUTION_NAME, sourceId: "[variables('_solutionId')]" },
          author: AUTHOR,
          support: SUPPORT,
          dependencies: {
            operator: 'AND',
            criteria: items.map((i) => ({ kind: kinds[i.id], contentId: i.id, version: i.version })),
          },
          firstPublishDate: RELEASES[RELEASES.length - 1]!.date,
          providers: [PUBLISHER],
          categories: { domains: ['Security - Cloud Security', 'Compliance'] },
        },
        name: `[concat(${WS},'/Microsoft.SecurityInsights/', variables('_solutionId'))]`,
      },
    ],
    outputs: {},
  };
}

/** Package/createUiDefinition.json: the install wizard (workspace, expected tenants, approvers). */
export function buildCreateUiDefinition(content: SentinelContent): Record<string, unknown> {
  const guidLines = '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,[^,\\r\\n]*)?(\\r?\\n|$))*$';
  return {
    $schema: 'https://schema.management.azure.com/schemas/0.1.2-preview/CreateUIDefinition.MultiVm.json#',
    handler: 'Microsoft.Azure.CreateUIDef',
    version: '0.1.2-preview',
    parameters: {
      config: {
        isWizard: false,
        basics: {
          description: `<img src="https://raw.githubusercontent.com/Azure/Azure-Sentinel/master/Logos/Azure_Sentinel.svg" width="75px" height="75px">\n\n**Note:** Please refer to the following before installing the solution:\n\n• Review the solution [Release Notes](${SOLUTION_DIR}/ReleaseNotes.md)\n\nMicrosoft Secure Score of one or many tenants in Microsoft Sentinel, from the securescore-connector job.\n\n**Data Connectors:** 1, **Parsers:** ${content.parsers.length}, **Workbooks:** 1, **Analytic Rules:** ${content.rules.length}, **Hunting Queries:** ${content.hunting.length}\n\n[Learn more about Microsoft Sentinel](https://aka.ms/azuresentinel) | [Learn more about Solutions](https://aka.ms/azuresentinelsolutionsdoc)`,
          subscription: {
            resourceProviders: [
              'Microsoft.OperationsManagement/solutions',
              'Microsoft.OperationalInsights/workspaces/providers/alertRules',
              'Microsoft.Insights/workbooks',
              'Microsoft.Logic/workflows',
            ],
          },
          location: { metadata: { hidden: 'Hiding location, we get it from the log analytics workspace' }, visible: false },
          resourceGroup: { allowExisting: true },
        },
      },
      basics: [
        {
          name: 'getLAWorkspace',
          type: 'Microsoft.Solutions.ArmApiControl',
          toolTip: 'This filters by workspaces that exist in the Resource Group selected',
          condition: '[greater(length(resourceGroup().name),0)]',
          request: {
            method: 'GET',
            path: "[concat(subscription().id,'/providers/Microsoft.OperationalInsights/workspaces?api-version=2020-08-01')]",
          },
        },
        {
          name: 'workspace',
          type: 'Microsoft.Common.DropDown',
          label: 'Workspace',
          placeholder: 'Select a workspace',
          toolTip: 'This dropdown will list only workspace that exists in the Resource Group selected',
          constraints: {
            allowedValues:
              '[map(filter(basics(\'getLAWorkspace\').value, (filter) => contains(toLower(filter.id), toLower(resourceGroup().name))), (item) => parse(concat(\'{"label":"\', item.name, \'","value":"\', item.name, \'"}\')))]',
            required: true,
          },
          visible: true,
        },
      ],
      steps: [
        {
          name: 'dataconnectors',
          label: 'Data Connectors',
          bladeTitle: 'Data Connectors',
          elements: [
            {
              name: 'dataconnectors1-text',
              type: 'Microsoft.Common.TextBlock',
              options: {
                text: 'This solution installs the data connector page for the securescore-connector job. After installing, open it under Data connectors for the set-up steps: the table and DCR (dcr-templates/securescore-dcr.json), the Graph permission and the scheduled job.',
              },
            },
          ],
        },
        {
          name: 'watchlists',
          label: 'Tenants and approvers',
          subLabel: { preValidation: 'Optional', postValidation: 'Done' },
          bladeTitle: 'Watchlists',
          elements: [
            {
              name: 'expectedTenants',
              type: 'Microsoft.Common.TextBox',
              label: 'Expected tenants',
              toolTip:
                'One line per tenant that must report: tenantId,DisplayName (tenant id in lower case). Empty leaves the SecureScoreExpectedTenants watchlist as it is.',
              multiLine: true,
              defaultValue: '',
              constraints: {
                required: false,
                regex: guidLines,
                validationMessage: 'One "tenantId,DisplayName" per line, the tenant id a lower-case GUID.',
              },
            },
            {
              name: 'approvers',
              type: 'Microsoft.Common.TextBox',
              label: 'Risk acceptance approvers',
              toolTip:
                'One user principal name per line: the accounts allowed to set a control to Risk accepted. Empty leaves the SecureScoreApprovers watchlist as it is.',
              multiLine: true,
              defaultValue: '',
              constraints: {
                required: false,
                regex: '^([^,\\s]+@[^,\\s]+(\\r?\\n|$))*$',
                validationMessage: 'One user principal name per line.',
              },
            },
          ],
        },
        {
          name: 'analytics',
          label: 'Analytics',
          subLabel: { preValidation: 'Configure the analytics', postValidation: 'Done' },
          bladeTitle: 'Analytics',
          elements: [
            {
              name: 'analytics-text',
              type: 'Microsoft.Common.TextBlock',
              options: {
                text: 'This solution installs analytics rule templates. Create rules from them under Configuration > Analytics > Rule templates.',
              },
            },
            ...content.rules.map(({ rule }, i) => ({
              name: `analytic${i + 1}`,
              type: 'Microsoft.Common.Section',
              label: rule.name,
              elements: [
                {
                  name: `analytic${i + 1}-text`,
                  type: 'Microsoft.Common.TextBlock',
                  options: { text: trimQuotes(rule.description).split('\n')[0] },
                },
              ],
            })),
          ],
        },
      ],
      outputs: {
        workspace: "[basics('workspace')]",
        location: '[location()]',
        'workspace-location':
          "[first(map(filter(basics('getLAWorkspace').value, (filter) => and(contains(toLower(filter.id), toLower(resourceGroup().name)),equals(filter.name,basics('workspace')))), (item) => item.location))]",
        expectedTenants: "[steps('watchlists').expectedTenants]",
        approvers: "[steps('watchlists').approvers]",
      },
    },
  };
}

/** CustomTables/MicrosoftSecureScore_CL.json, the table schema Azure-Sentinel's KQL validation reads. */
export function buildCustomTable(): Record<string, unknown> {
  // As in .script/tests/KqlvalidationsTests/CustomTables/*.json: Kusto type names.
  return { Name: TABLE, Properties: COLUMNS.map((c) => ({ name: c.name, type: c.type === 'boolean' ? 'bool' : c.type })) };
}

/** Path → exact text of every generated file of the solution. */
export function renderSolution(content: SentinelContent, versions: VersionsRecord = readVersions()): Record<string, string> {
  const render = (t: unknown) => `${JSON.stringify(t, null, 2)}\n`;
  const copy = (folder: string, file: string) => [`${SOLUTION_DIR}/${folder}/${basename(file)}`, readFileSync(file, 'utf8')] as const;
  const items = versionedContent(content, versions);
  const workbookVersion = items.find((i) => i.id === WORKBOOK_CONTENT_ID)!.version;
  const data = {
    Name: SOLUTION_NAME,
    Author: PUBLISHER,
    Logo: '<img src="https://raw.githubusercontent.com/Azure/Azure-Sentinel/master/Logos/Azure_Sentinel.svg" width="75px" height="75px">',
    Description:
      'Microsoft Secure Score of one or many tenants, from the securescore-connector job: data connector page, parsers, analytics rules, hunting queries and a workbook.',
    'Data Connectors': ['Data Connectors/SecureScoreConnector.json'],
    Parsers: content.parsers.map(({ file }) => `Parsers/${basename(file)}`),
    Workbooks: [`Workbooks/${basename(content.workbook.file)}`],
    'Analytic Rules': content.rules.map(({ file }) => `Analytic Rules/${basename(file)}`),
    'Hunting Queries': content.hunting.map(({ file }) => `Hunting Queries/${basename(file)}`),
    BasePath: SOLUTION_DIR,
    Version: SOLUTION_VERSION,
    Metadata: 'SolutionMetadata.json',
    TemplateSpec: true,
    Is1PConnector: false,
  };
  const solutionMetadata = {
    publisherId: PUBLISHER,
    offerId: 'microsoft-secure-score',
    firstPublishDate: RELEASES[RELEASES.length - 1]!.date,
    lastPublishDate: RELEASES[0]!.date,
    providers: [PUBLISHER],
    categories: { domains: ['Security - Cloud Security', 'Compliance'], verticals: [] },
    support: SUPPORT,
  };
  const releaseNotes = [
    '| **Version** | **Date Modified (DD-MM-YYYY)** | **Change History** |',
    '|-------------|--------------------------------|--------------------|',
    ...RELEASES.map((r) => `| ${r.version} | ${r.date.split('-').reverse().join('-')} | ${r.notes} |`),
    '',
  ].join('\n');
  return {
    [`${SOLUTION_DIR}/Data/Solution_MicrosoftSecureScore.json`]: render(data),
    [`${SOLUTION_DIR}/Package/mainTemplate.json`]: render(buildMainTemplate(content, versions)),
    [`${SOLUTION_DIR}/Package/createUiDefinition.json`]: render(buildCreateUiDefinition(content)),
    [`${SOLUTION_DIR}/SolutionMetadata.json`]: render(solutionMetadata),
    [`${SOLUTION_DIR}/ReleaseNotes.md`]: releaseNotes,
    [`${SOLUTION_DIR}/Workbooks/WorkbooksMetadata.json`]: render([workbookMetadata(content, workbookVersion)]),
    [`${SOLUTION_DIR}/CustomTables/${TABLE}.json`]: render(buildCustomTable()),
    ...Object.fromEntries([
      ...content.rules.map(({ file }) => copy('Analytic Rules', file)),
      ...content.hunting.map(({ file }) => copy('Hunting Queries', file)),
      ...content.parsers.map(({ file }) => copy('Parsers', file)),
      copy('Workbooks', content.workbook.file),
    ]),
  };
}
