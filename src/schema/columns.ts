/**
 * The `MicrosoftSecureScore_CL` table: the single source of truth for column names and types.
 *
 * The DCR templates in `dcr-templates/` are generated from this list, the KQL content is analysed
 * against it, and a test proves every record the normalizers emit fits it. The Logs Ingestion API
 * silently drops columns a stream does not declare, so nothing may be written that is not here.
 */

/** Column types accepted by both a DCR stream declaration and a Log Analytics custom table. */
export type ColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

/** The record kinds, discriminated by the `RecordType` column. */
export const RECORD_TYPES = ['DailyScore', 'ControlScore', 'ControlStateUpdate', 'ControlState', 'ConnectorRun'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** One column of the table. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  /** Record types that carry a value in this column (others leave it empty). */
  readonly recordTypes: readonly RecordType[];
  readonly description: string;
}

const ALL = RECORD_TYPES;
const SCORES = ['DailyScore', 'ControlScore'] as const;
/** Records about one control: its daily score, its state changes, and its current state. */
const CONTROLS = ['ControlScore', 'ControlStateUpdate', 'ControlState'] as const;
/** Records that carry a state and who set it: each change, and the current state. */
const STATES = ['ControlStateUpdate', 'ControlState'] as const;

/** Every column, in table order. */
export const COLUMNS = [
  { name: 'TimeGenerated', type: 'datetime', recordTypes: ALL, description: 'When the connector produced the record.' },
  {
    name: 'RecordType',
    type: 'string',
    recordTypes: ALL,
    description: 'DailyScore, ControlScore, ControlStateUpdate, ControlState or ConnectorRun.',
  },
  {
    name: 'RecordId',
    type: 'string',
    recordTypes: ALL,
    description: 'Deterministic key of the fact; the same fact always has the same id.',
  },
  { name: 'AzureTenantId', type: 'string', recordTypes: ALL, description: 'Graph azureTenantId.' },
  {
    name: 'TenantDisplayName',
    type: 'string',
    recordTypes: ALL,
    description: 'Display name of the tenant from the connector configuration, if given.',
  },
  { name: 'SnapshotId', type: 'string', recordTypes: [...SCORES, 'ControlState'], description: 'Graph secureScore id.' },
  { name: 'SnapshotDate', type: 'datetime', recordTypes: [...SCORES, 'ControlState'], description: 'Graph secureScore createdDateTime.' },
  { name: 'CurrentScore', type: 'real', recordTypes: [...SCORES, 'ControlState'], description: 'Tenant total, or the control score.' },
  {
    name: 'MaxScore',
    type: 'real',
    recordTypes: [...SCORES, ...STATES],
    description: 'Tenant maximum, or the control profile maxScore.',
  },
  { name: 'ScorePercent', type: 'real', recordTypes: [...SCORES, 'ControlState'], description: 'CurrentScore / MaxScore * 100.' },
  { name: 'PreviousScore', type: 'real', recordTypes: SCORES, description: 'Score in the previous snapshot (empty when there is none).' },
  { name: 'ScoreChange', type: 'real', recordTypes: SCORES, description: 'CurrentScore - PreviousScore.' },
  {
    name: 'ChangeType',
    type: 'string',
    recordTypes: ['ControlScore'],
    description: 'New, Removed, Increased, Decreased or Unchanged versus the previous snapshot.',
  },
  { name: 'ActiveUserCount', type: 'int', recordTypes: ['DailyScore'], description: 'Graph activeUserCount.' },
  { name: 'LicensedUserCount', type: 'int', recordTypes: ['DailyScore'], description: 'Graph licensedUserCount.' },
  { name: 'EnabledServices', type: 'dynamic', recordTypes: ['DailyScore'], description: 'Graph enabledServices.' },
  {
    name: 'ComparativeScores',
    type: 'dynamic',
    recordTypes: ['DailyScore'],
    description: 'Graph averageComparativeScores (averageScore empty where Graph sent -1).',
  },
  { name: 'ControlName', type: 'string', recordTypes: CONTROLS, description: 'Control profile id, equal to controlScores controlName.' },
  { name: 'ControlCategory', type: 'string', recordTypes: CONTROLS, description: 'Identity, Data, Device, Apps or Infrastructure.' },
  { name: 'ControlTitle', type: 'string', recordTypes: CONTROLS, description: 'Control profile title.' },
  { name: 'Service', type: 'string', recordTypes: CONTROLS, description: 'Service that owns the control.' },
  { name: 'Tier', type: 'string', recordTypes: CONTROLS, description: 'Control tier.' },
  { name: 'ActionType', type: 'string', recordTypes: CONTROLS, description: 'Config, Review or Behavior.' },
  { name: 'UserImpact', type: 'string', recordTypes: CONTROLS, description: 'Low, Moderate or High.' },
  { name: 'ImplementationCost', type: 'string', recordTypes: CONTROLS, description: 'Low, Moderate or High.' },
  { name: 'ActionUrl', type: 'string', recordTypes: CONTROLS, description: 'Where the control is actioned.' },
  { name: 'Rank', type: 'int', recordTypes: ['ControlScore'], description: 'Control profile rank.' },
  { name: 'Deprecated', type: 'boolean', recordTypes: ['ControlScore', 'ControlState'], description: 'Control profile deprecated flag.' },
  { name: 'Threats', type: 'dynamic', recordTypes: ['ControlScore'], description: 'Control profile threats.' },
  {
    name: 'ImplementationStatus',
    type: 'string',
    recordTypes: ['ControlScore'],
    description: 'The control score implementationStatus property.',
  },
  { name: 'LastSynced', type: 'datetime', recordTypes: ['ControlScore'], description: 'The control score lastSynced property.' },
  {
    name: 'ControlProperties',
    type: 'dynamic',
    recordTypes: ['ControlScore'],
    description: 'Every control score property not mapped to a column.',
  },
  {
    name: 'State',
    type: 'string',
    recordTypes: STATES,
    description: 'Graph state: Default, Ignored, ThirdParty, Reviewed.',
  },
  {
    name: 'PreviousState',
    type: 'string',
    recordTypes: ['ControlStateUpdate'],
    description: 'The state before this update in the control history.',
  },
  {
    name: 'StateLabel',
    type: 'string',
    recordTypes: STATES,
    description: 'The portal wording of State (Ignored = Risk accepted).',
  },
  { name: 'UpdatedBy', type: 'string', recordTypes: STATES, description: 'Who changed the state.' },
  { name: 'UpdatedDateTime', type: 'datetime', recordTypes: STATES, description: 'When the state was changed.' },
  { name: 'Comment', type: 'string', recordTypes: STATES, description: 'Justification entered with the change.' },
  { name: 'AssignedTo', type: 'string', recordTypes: STATES, description: 'Who the control is assigned to.' },
  { name: 'RunId', type: 'string', recordTypes: ALL, description: 'The connector run that produced the record.' },
  {
    name: 'RunStatus',
    type: 'string',
    recordTypes: ['ConnectorRun'],
    description: 'Succeeded, PartiallySucceeded, Failed, or Interrupted (stopped by a signal or the run deadline).',
  },
  { name: 'RecordCounts', type: 'dynamic', recordTypes: ['ConnectorRun'], description: 'Records produced per record type.' },
  { name: 'Warnings', type: 'dynamic', recordTypes: ['ConnectorRun'], description: 'Counted data-quality warnings by code.' },
  { name: 'ErrorMessage', type: 'string', recordTypes: ['ConnectorRun'], description: 'Why the run failed, if it did.' },
  {
    name: 'RunStartTime',
    type: 'datetime',
    recordTypes: ['ConnectorRun'],
    description:
      "When the run started reading the tenant: the run's event time, kept as sent (Log Analytics replaces a TimeGenerated more than two days old, as on a replay).",
  },
  { name: 'DurationSeconds', type: 'real', recordTypes: ['ConnectorRun'], description: 'How long the tenant took.' },
  {
    name: 'RunKind',
    type: 'string',
    recordTypes: ['ConnectorRun'],
    description: 'Backfill when the tenant had no checkpoint (its history was sent), Incremental otherwise.',
  },
  { name: 'ConnectorVersion', type: 'string', recordTypes: ['ConnectorRun'], description: 'securescore-connector version.' },
] as const satisfies readonly ColumnDefinition[];

/** Table name in Log Analytics. */
export const TABLE_NAME = 'MicrosoftSecureScore_CL';
/** Default DCR stream name. */
export const DEFAULT_STREAM_NAME = 'Custom-MicrosoftSecureScore';

/** Names Log Analytics reserves; a column with one of these names is rejected or rewritten. */
export const RESERVED_COLUMN_NAMES = [
  'TenantId',
  'Title',
  'Type',
  'id',
  'UniqueId',
  '_ResourceId',
  'SourceSystem',
  'MG',
  'ManagementGroupName',
  'Computer',
  '_ItemId',
] as const;

/** Lookup of a column by name. */
export const COLUMN_BY_NAME: ReadonlyMap<string, ColumnDefinition> = new Map(COLUMNS.map((c): [string, ColumnDefinition] => [c.name, c]));
