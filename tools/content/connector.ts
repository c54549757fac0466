/**
 * The Sentinel data connector definition: what the Data connectors page shows for the scheduled job
 * (status, last data received, a volume chart, sample queries, the set-up steps). The job is not a
 * connector Sentinel runs, so this is the "GenericUI" shape Azure-Sentinel uses for Azure Function and
 * REST API connectors (`.script/utils/schemas/REST_API_ConnectorSchema.json`): the page only reads the
 * workspace. Every rule's and hunting query's `requiredDataConnectors` names its id.
 */

/** The id every rule's `requiredDataConnectors` names, and the connector's contentId in the solution. */
export const CONNECTOR_ID = 'SecureScoreConnector';
export const TABLE = 'MicrosoftSecureScore_CL';

/** Path of the generated definition, in the Azure-Sentinel solution layout. */
export const CONNECTOR_PATH = 'Solutions/MicrosoftSecureScore/Data Connectors/SecureScoreConnector.json';

/**
 * Connected when a run record (RecordType ConnectorRun, through the parser) that first reached the
 * workspace within two days says a run read a tenant in the last 26 hours, the daily job's period plus
 * the slack the "expected tenant silent" rule gives it. Aged by the run's start, not TimeGenerated: a
 * replayed run record is not a sign of life. A failed run still shows Connected as long as an earlier
 * successful one is within 26 hours.
 */
export const CONNECTED_QUERY = [
  'MSSecureScoreConnectorRuns(ago(2d))',
  '| where RunStatus in ("Succeeded", "PartiallySucceeded")',
  '| summarize LastRun = max(EventTime)',
  '| project IsConnected = LastRun > ago(26h)',
].join('\n');

/** The newest record, whatever its type (the Data connectors page's "last data received"). */
export const LAST_DATA_RECEIVED_QUERY = `${TABLE}\n| summarize Time = max(TimeGenerated)\n| where isnotempty(Time)`;

export interface ConnectorDefinition {
  id: string;
  title: string;
  publisher: string;
  descriptionMarkdown: string;
  graphQueries: Array<{ metricName: string; legend: string; baseQuery: string }>;
  sampleQueries: Array<{ description: string; query: string }>;
  dataTypes: Array<{ name: string; lastDataReceivedQuery: string }>;
  connectivityCriterias: Array<{ type: string; value: string[] }>;
  availability: { status: number; isPreview: boolean };
  permissions: {
    resourceProvider: Array<{
      provider: string;
      permissionsDisplayText: string;
      providerDisplayName: string;
      scope: string;
      requiredPermissions: Record<string, boolean>;
    }>;
    customs: Array<{ name: string; description: string }>;
  };
  instructionSteps: Array<{
    title: string;
    description: string;
    instructions?: Array<{ type: string; parameters: Record<string, unknown> }>;
  }>;
}

export function buildConnectorDefinition(): ConnectorDefinition {
  return {
    id: CONNECTOR_ID,
    title: 'Microsoft Secure Score (securescore-connector)',
    publisher: 'securescore-connector',
    descriptionMarkdown:
      "The securescore-connector job reads Microsoft Secure Score from Microsoft Graph (`secureScores` and `secureScoreControlProfiles`) for one or many tenants, once a day, and sends daily scores, per-control scores, control state changes (who set Risk accepted, Third party, Reviewed), each control's current state and one run record per tenant to the `MicrosoftSecureScore_CL` table through a data collection rule. The analytics rules, hunting queries, workbook and parsers of this solution read that table through the `MSSecureScore*` functions.\n\nThe job runs outside Sentinel (an Azure Container Apps job, a Kubernetes CronJob, or any scheduler): **Connected** means a run read a tenant successfully in the last 26 hours.",
    graphQueries: [
      { metricName: 'Records received', legend: 'MicrosoftSecureScore_CL', baseQuery: TABLE },
      {
        metricName: 'Connector runs',
        legend: 'Connector runs',
        baseQuery: `${TABLE}\n| where RecordType == "ConnectorRun"`,
      },
    ],
    sampleQueries: [
      {
        description: 'Secure Score of each tenant, newest snapshot',
        query:
          'MSSecureScoreDaily\n| summarize arg_max(SnapshotDate, *) by AzureTenantId\n| project SnapshotDate, TenantLabel, CurrentScore, MaxScore',
      },
      {
        description: 'Controls risk accepted now',
        query:
          'MSSecureScoreCurrentState\n| where State == "Ignored"\n| project TenantLabel, ControlName, ControlTitle, UpdatedBy, UpdatedDateTime, Comment',
      },
      {
        description: 'Connector runs of the last 7 days, newest first',
        query:
          'MSSecureScoreConnectorRuns(ago(7d))\n| project EventTime, TenantLabel, RunStatus, RunKind, ErrorMessage\n| order by EventTime desc',
      },
    ],
    dataTypes: [{ name: TABLE, lastDataReceivedQuery: LAST_DATA_RECEIVED_QUERY }],
    connectivityCriterias: [{ type: 'IsConnectedQuery', value: [CONNECTED_QUERY] }],
    availability: { status: 1, isPreview: false },
    permissions: {
      resourceProvider: [
        {
          provider: 'Microsoft.OperationalInsights/workspaces',
          permissionsDisplayText: 'read and write permissions on the workspace are required.',
          providerDisplayName: 'Workspace',
          scope: 'Workspace',
          requiredPermissions: { read: true, write: true, delete: true },
        },
      ],
      customs: [
        {
          name: 'Microsoft Graph SecurityEvents.Read.All',
          description:
            'The application permission SecurityEvents.Read.All, with admin consent, in every tenant the job reads (an app registration, multi-tenant for many tenants, or a managed identity).',
        },
        {
          name: 'Monitoring Metrics Publisher on the DCR',
          description:
            "The job's identity needs the Monitoring Metrics Publisher role on the data collection rule (the DCR template grants it when given principalId).",
        },
      ],
    },
    instructionSteps: [
      {
        title: '1. Create the table and the data collection rule',
        description:
          "Deploy `dcr-templates/securescore-dcr.json` of securescore-connector into the resource group of this workspace, with `principalId` the object id of the job's identity (it grants Monitoring Metrics Publisher on the DCR). Note its outputs `logsIngestionEndpoint` and `dcrImmutableId`.",
        instructions: [{ type: 'CopyableLabel', parameters: { fillWith: ['WorkspaceName'], label: 'Workspace name' } }],
      },
      {
        title: '2. Grant the Graph permission',
        description:
          "Give the job's identity the Microsoft Graph application permission `SecurityEvents.Read.All` and grant admin consent in every tenant it reads.",
      },
      {
        title: '3. Deploy the scheduled job',
        description:
          'Deploy `deploy/container-apps-job.json` (Azure Container Apps job) or `deploy/kubernetes/` (CronJob with Workload ID) with the ingestion endpoint and DCR immutable id of step 1; `securescore-connector doctor` checks every piece before the first run. The first run sends 30 days of history; this page shows Connected after it.',
      },
      {
        title: '4. Expected tenants and approvers',
        description:
          'Fill the `SecureScoreExpectedTenants` watchlist (the install wizard, or `securescore-connector watchlist`) so a tenant that stops reporting alerts, and optionally `SecureScoreApprovers` with the accounts allowed to accept risk.',
      },
    ],
  };
}

/** The exact text of the committed definition. */
export function renderConnectorDefinition(): string {
  return `${JSON.stringify(buildConnectorDefinition(), null, 2)}\n`;
}
