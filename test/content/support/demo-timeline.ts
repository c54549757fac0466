/**
 * The demo tenant's records as the connector writes them, delivered on a simulated timeline: each
 * delivery is a connector run (its records stamped with the run's id and start) arriving in the
 * workspace a few minutes later. ControlState rows depend on when a run reads the state history, so
 * each simulated run builds them here, in the connector's shape and with its RecordId.
 */
import type { Delivery } from '../../../src/sentinel/alert-model.js';
import { normalizeConnectorRun } from '../../../src/normalize/connector-run.js';
import { recordId } from '../../../src/normalize/record.js';
import type { TableRecord } from '../../../src/schema/records.js';
import { normalizeTenant } from '../../../src/normalize/tenant.js';
import { Warnings } from '../../../src/normalize/warnings.js';
import { demoControlProfiles, demoSecureScores, DEMO_SNAPSHOT_COUNT, DEMO_TENANT_ID } from '../../../src/source/demo-data.js';

/** The demo history's newest day, fixed: these are pure tests of dated facts, not of the clock. */
const DEMO_NEWEST_DAY = '2026-11-04';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const ctx = {
  // After the newest demo snapshot: the normalizer quarantines snapshots dated after its clock.
  now: '2026-11-05T00:00:00.000Z',
  runId: 'normalize',
  tenantId: DEMO_TENANT_ID,
  tenantDisplayName: 'Contoso demo',
  warnings: new Warnings(),
};

/**
 * Every fact the normalizers write for the demo tenant: all snapshots (the oldest only as "previous")
 * and the whole state history. ControlState rows depend on when a run reads, so each simulated run
 * builds its own (controlStateRows).
 */
export const DEMO_FACTS: readonly TableRecord[] = normalizeTenant(
  { secureScores: demoSecureScores(DEMO_NEWEST_DAY), profiles: demoControlProfiles(DEMO_NEWEST_DAY) },
  { snapshotCount: DEMO_SNAPSHOT_COUNT - 1 },
  ctx,
).records.filter((r) => r.RecordType !== 'ControlState');

const ms = (v: unknown) => Date.parse(String(v));

/** The emitted snapshot dates, oldest first, as epoch ms. */
export const SNAPSHOT_TIMES: readonly number[] = [
  ...new Set(DEMO_FACTS.filter((r) => r.RecordType === 'DailyScore').map((r) => ms(r.SnapshotDate))),
].sort((a, b) => a - b);

/** The facts of one snapshot: its DailyScore and ControlScore records. */
export function snapshotFacts(snapshotTime: number): TableRecord[] {
  return DEMO_FACTS.filter((r) => r.SnapshotDate !== undefined && ms(r.SnapshotDate) === snapshotTime);
}

/** State changes made in [from, to). */
export function stateChangesBetween(from: number, to: number): TableRecord[] {
  return DEMO_FACTS.filter((r) => r.RecordType === 'ControlStateUpdate' && ms(r.UpdatedDateTime) >= from && ms(r.UpdatedDateTime) < to);
}

/**
 * ControlState rows as the connector will write them (built here until it does): one per control of
 * the newest snapshot, with the control's latest state change made by `at` (Default without one).
 */
export function controlStateRows(newestSnapshot: number, at: number): TableRecord[] {
  const updates = DEMO_FACTS.filter((r) => r.RecordType === 'ControlStateUpdate' && ms(r.UpdatedDateTime) <= at).sort(
    (a, b) => ms(a.UpdatedDateTime) - ms(b.UpdatedDateTime),
  );
  const latest = new Map(updates.map((u) => [String(u.ControlName), u]));
  return snapshotFacts(newestSnapshot)
    .filter((r) => r.RecordType === 'ControlScore' && r.ChangeType !== 'Removed')
    .map((c) => {
      const u = latest.get(String(c.ControlName));
      const state = String(u?.State ?? 'Default');
      return {
        TimeGenerated: c.TimeGenerated,
        RecordType: 'ControlState',
        RecordId: recordId(
          'ControlState',
          c.AzureTenantId,
          String(c.SnapshotId),
          String(c.ControlName),
          state,
          u ? String(u.UpdatedDateTime) : '',
        ),
        AzureTenantId: c.AzureTenantId,
        TenantDisplayName: c.TenantDisplayName,
        RunId: c.RunId,
        SnapshotId: c.SnapshotId,
        SnapshotDate: c.SnapshotDate,
        ControlName: c.ControlName,
        ControlTitle: c.ControlTitle,
        ControlCategory: c.ControlCategory,
        MaxScore: c.MaxScore,
        CurrentScore: c.CurrentScore,
        State: state,
        StateLabel: u?.StateLabel ?? 'To address',
        UpdatedBy: u?.UpdatedBy,
        UpdatedDateTime: u?.UpdatedDateTime,
        Comment: u?.Comment,
      };
    });
}

/** One connector run for the demo tenant. */
export interface SimulatedRun {
  /** When the run started (its records' TimeGenerated), epoch ms. */
  readonly at: number;
  readonly facts: readonly TableRecord[];
  readonly kind: 'Backfill' | 'Incremental';
  readonly status?: 'Succeeded' | 'PartiallySucceeded' | 'Failed';
  /** Minutes between the run's start and its records' arrival. */
  readonly arrivesAfterMinutes?: number;
  readonly tenantId?: string;
}

let runCounter = 0;

/**
 * The deliveries of one run: its facts restamped with the run (a re-sent fact keeps its RecordId),
 * the ControlState rows of its newest snapshot, and its ConnectorRun record with RunKind.
 */
export function deliverRun(run: SimulatedRun): Delivery[] {
  const runId = `run-${++runCounter}`;
  const timeGenerated = new Date(run.at).toISOString();
  const ingestedAt = run.at + (run.arrivesAfterMinutes ?? 3) * MINUTE;
  const stamp = (r: TableRecord): TableRecord => ({ ...r, RunId: runId, TimeGenerated: timeGenerated });
  const status = run.status ?? 'Succeeded';
  const facts = status === 'Failed' ? [] : run.facts.map(stamp);
  const snapshots = facts.filter((r) => r.RecordType === 'DailyScore').map((r) => ms(r.SnapshotDate));
  const states = snapshots.length > 0 ? controlStateRows(Math.max(...snapshots), run.at).map(stamp) : [];
  const tenantId = run.tenantId ?? DEMO_TENANT_ID;
  const connectorRun = {
    ...normalizeConnectorRun(
      {
        status,
        kind: run.kind,
        counts: {},
        errorMessage: status === 'Failed' ? 'Graph ...: HTTP 403 (Authorization_RequestDenied)' : undefined,
        durationSeconds: 5,
        version: '0.1.0',
      },
      { now: timeGenerated, runId, tenantId, tenantDisplayName: 'Contoso demo', warnings: new Warnings() },
    ),
  };
  return [...facts, ...states, connectorRun].map((record) => ({ record, ingestedAt }));
}

/** A daily connector schedule: snapshot d is read and delivered the next day at `hourOfDay`. */
export function dailyRunTime(snapshotTime: number, hourOfDay = 6): number {
  return snapshotTime + DAY + hourOfDay * HOUR;
}
