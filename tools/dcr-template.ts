import { COLUMNS, DEFAULT_STREAM_NAME, TABLE_NAME, type ColumnType } from '../src/schema/columns.js';

/** Built-in role "Monitoring Metrics Publisher": the right to send data to a DCR. */
const MONITORING_METRICS_PUBLISHER_ROLE_ID = '3913510d-42f4-4e42-8a64-420c390055eb';

/** The stream declaration a DCR needs for our records: every column, in the DCR's type names. */
export function streamDeclarationColumns(): Array<{ name: string; type: ColumnType }> {
  return COLUMNS.map((c) => ({ name: c.name, type: c.type }));
}

/** The Log Analytics Tables API spells `datetime` as `dateTime`; every other type is the same word. */
function tableColumnType(type: ColumnType): string {
  return type === 'datetime' ? 'dateTime' : type;
}

/**
 * ARM template that creates the custom table, a `kind: Direct` DCR whose stream declares every
 * column, and (when a principal id is given) the Monitoring Metrics Publisher role on the DCR.
 * Deployed into the resource group of the Log Analytics workspace.
 */
export function buildDcrArmTemplate(): Record<string, unknown> {
  const outputStream = `Custom-${TABLE_NAME}`;
  const dcrId = "resourceId('Microsoft.Insights/dataCollectionRules', parameters('dataCollectionRuleName'))";
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description: `Creates ${TABLE_NAME} and a Direct DCR for securescore-connector. Generated from src/schema by "npm run generate"; do not edit.`,
    },
    parameters: {
      workspaceName: {
        type: 'string',
        metadata: { description: 'Existing Log Analytics workspace (with Microsoft Sentinel) in this resource group.' },
      },
      location: {
        type: 'string',
        defaultValue: '[resourceGroup().location]',
        metadata: { description: 'Region of the DCR; must be the workspace region.' },
      },
      dataCollectionRuleName: { type: 'string', defaultValue: 'dcr-securescore-connector' },
      retentionInDays: {
        type: 'int',
        defaultValue: 365,
        minValue: 4,
        maxValue: 730,
        metadata: { description: 'Interactive retention of the table. Graph keeps only 90 days, so this is your history.' },
      },
      principalId: {
        type: 'string',
        defaultValue: '',
        metadata: {
          description: 'Object id of the service principal or managed identity that runs the connector; empty to skip the role assignment.',
        },
      },
      principalType: { type: 'string', defaultValue: 'ServicePrincipal', allowedValues: ['ServicePrincipal', 'User', 'Group'] },
    },
    resources: [
      {
        type: 'Microsoft.OperationalInsights/workspaces/tables',
        apiVersion: '2022-10-01',
        name: `[format('{0}/{1}', parameters('workspaceName'), '${TABLE_NAME}')]`,
        properties: {
          plan: 'Analytics',
          retentionInDays: "[parameters('retentionInDays')]",
          schema: {
            name: TABLE_NAME,
            columns: COLUMNS.map((c) => ({ name: c.name, type: tableColumnType(c.type), description: c.description })),
          },
        },
      },
      {
        type: 'Microsoft.Insights/dataCollectionRules',
        apiVersion: '2023-03-11',
        name: "[parameters('dataCollectionRuleName')]",
        location: "[parameters('location')]",
        kind: 'Direct',
        dependsOn: [`[resourceId('Microsoft.OperationalInsights/workspaces/tables', parameters('workspaceName'), '${TABLE_NAME}')]`],
        properties: {
          description: 'Microsoft Secure Score records from securescore-connector.',
          streamDeclarations: { [DEFAULT_STREAM_NAME]: { columns: streamDeclarationColumns() } },
          destinations: {
            logAnalytics: [
              {
                name: 'workspace',
                workspaceResourceId: "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]",
              },
            ],
          },
          dataFlows: [{ streams: [DEFAULT_STREAM_NAME], destinations: ['workspace'], transformKql: 'source', outputStream }],
        },
      },
      {
        condition: "[not(empty(parameters('principalId')))]",
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        scope: `[format('Microsoft.Insights/dataCollectionRules/{0}', parameters('dataCollectionRuleName'))]`,
        name: `[guid(${dcrId}, parameters('principalId'), '${MONITORING_METRICS_PUBLISHER_ROLE_ID}')]`,
        dependsOn: [`[${dcrId}]`],
        properties: {
          roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${MONITORING_METRICS_PUBLISHER_ROLE_ID}')]`,
          principalId: "[parameters('principalId')]",
          principalType: "[parameters('principalType')]",
        },
      },
    ],
    outputs: {
      logsIngestionEndpoint: { type: 'string', value: `[reference(${dcrId}, '2023-03-11').endpoints.logsIngestion]` },
      dcrImmutableId: { type: 'string', value: `[reference(${dcrId}, '2023-03-11').immutableId]` },
      streamName: { type: 'string', value: DEFAULT_STREAM_NAME },
    },
  };
}

/** The DCR transform; kept here so the KQL validation can analyse it with the rest of the content. */
export const DCR_TRANSFORM_KQL = 'source';
