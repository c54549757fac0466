/**
 * What the report shows, computed from NDJSON records by `ReportAccumulator` and rendered by
 * `renderReport`. Plain data: a test can build one by hand, and the renderer never sees a raw record.
 */
import type { RecordType } from '../schema/columns.js';

/** One day of a tenant's total score (a DailyScore record). */
export interface DailyPoint {
  readonly date: string;
  readonly score: number | null;
  readonly maxScore: number | null;
  readonly percent: number | null;
  /** Versus the previous snapshot; empty on the oldest. */
  readonly change: number | null;
}

/** A category's points on the newest snapshot, and how they moved since the oldest in the input. */
export interface CategoryRow {
  readonly category: string;
  readonly score: number;
  readonly maxScore: number;
  readonly percent: number | null;
  /** Points on the oldest snapshot (controls present then); empty when the input has one day. */
  readonly firstScore: number | null;
  readonly change: number | null;
}

/** A control named in a table, with what the profile says about it. */
export interface ControlRef {
  readonly controlName: string;
  readonly title: string | null;
  readonly category: string | null;
}

/** A day the tenant's total went down, with the controls that lost points that day. */
export interface ScoreDrop {
  readonly date: string;
  readonly previous: number | null;
  readonly current: number | null;
  readonly pointsLost: number;
  /** The controls that lost points on that snapshot, most first (ControlDrop rows of the same day). */
  readonly causes: readonly ControlDrop[];
}

/**
 * A control that cost the total points between two snapshots: its score went down (ChangeType
 * Decreased), or it was removed while it had points (Removed: those points left the total with it).
 */
export interface ControlDrop extends ControlRef {
  readonly date: string;
  readonly cause: 'Decreased' | 'Removed';
  readonly previous: number | null;
  /** Empty for a removed control. */
  readonly current: number | null;
  readonly pointsLost: number;
}

/** A control currently in the state Ignored ("Risk accepted"), with who, when and why. */
export interface AcceptedControl extends ControlRef {
  readonly updatedBy: string | null;
  readonly updatedAt: string | null;
  readonly comment: string | null;
  readonly assignedTo: string | null;
  /** The points the tenant forgoes while the risk stays accepted. */
  readonly maxScore: number | null;
}

/** Where "currently risk accepted" was read from: the per-run ControlState records, or (older files) the state history. */
export type AcceptedSource = Extract<RecordType, 'ControlState' | 'ControlStateUpdate'> | 'none';

/** One change of a control's state (a ControlStateUpdate record). */
export interface StateChange extends ControlRef {
  readonly updatedAt: string | null;
  readonly state: string | null;
  readonly stateLabel: string | null;
  readonly previousState: string | null;
  readonly updatedBy: string | null;
  readonly comment: string | null;
}

/** A control that appeared (New) or disappeared (Removed) between two snapshots. */
export interface ControlAppearance extends ControlRef {
  readonly date: string;
  readonly change: 'New' | 'Removed';
  /** Its score on the first snapshot with it (New), or on the last one with it (Removed). */
  readonly score: number | null;
}

/** Everything the report says about one tenant. */
export interface TenantReport {
  readonly tenantId: string;
  readonly label: string;
  /** Oldest first. */
  readonly daily: readonly DailyPoint[];
  /** The snapshot day the category breakdown is for, and the oldest one it is compared with. */
  readonly categoriesDate: string | null;
  readonly categoriesFirstDate: string | null;
  readonly categories: readonly CategoryRow[];
  /** Newest first. */
  readonly scoreDrops: readonly ScoreDrop[];
  readonly controlDrops: readonly ControlDrop[];
  readonly accepted: readonly AcceptedControl[];
  readonly acceptedSource: AcceptedSource;
  readonly stateChanges: readonly StateChange[];
  readonly appearances: readonly ControlAppearance[];
}

/** One ConnectorRun record. */
export interface RunRow {
  readonly time: string;
  readonly tenantId: string;
  readonly tenantLabel: string;
  readonly status: string | null;
  readonly recordCounts: Readonly<Record<string, number>>;
  readonly durationSeconds: number | null;
  readonly errorMessage: string | null;
  readonly version: string | null;
}

/** What was read to make the report. */
interface InputSummary {
  readonly files: readonly string[];
  readonly records: number;
  /** Lines that were not JSON records of this table (skipped). */
  readonly unreadableLines: number;
  /** Records of a type this report does not show. */
  readonly otherRecords: number;
}

/** The whole report. */
export interface ReportModel {
  readonly generatedAt: string;
  readonly input: InputSummary;
  readonly tenants: readonly TenantReport[];
  /** Newest first. */
  readonly runs: readonly RunRow[];
}
