/**
 * The demo tenant's records as the connector writes them, delivered on a simulated timeline: each
 * connector run reads one or more tenants under ONE RunId (as `securescore-connector run` does), stamps
 * their records with the run's id and each tenant's start, and they arrive in the workspace a few
 * minutes later. Other tenants have the demo tenant's history under their own ids (snapshot ids,
 * RecordIds and labels are theirs), so a rule that mixes tenants up shows it in the counts.
 * ControlState rows depend on when a run reads the state history, so each simulated run builds them
 * here, in the connector's shape and with its RecordId.
 */
import type { Delivery } from '../../../src/sentinel/alert-model.js';
import { normalizeConnectorRun } from '../../../src/normalize/connector-run.js';
import type { RawControlProfile, RawSecureScore } from '../../../src/normalize/graph-types.js';
import { recordId } from '../../../src/normalize/record.js';
import type { TableRecord } from '../../../src/schema/records.js';
import { normalizeTenant } from '../../support/normalize-tenant.js';
import { Warnings } from '../../../src/normalize/warnings.js';
import { demoControlProfiles, demoSecureScores, DEMO_SNAPSHOT_COUNT, DEMO_TENANT_ID } from '../../../src/source/demo-data.js';

/** The demo history's newest day, fixed: these are pure tests of dated facts, not of the clock. */
const DEMO_NEWEST_DAY = '2026-11-04';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const ms = (v: unknown) => Date.parse(String(v));

/** One tenant's facts over the demo period, and what a run reading it at a given time sends. */
export interface TenantHistory {
  readonly tenantId: string;
  readonly displayName: string;
  /** Every fact the normalizers write: all snapshots (the oldest only as "previous") and the whole state history. */
  readonly facts: readonly TableRecord[];
  /** The emitted snapshot dates, oldest first, as epoch ms. */
  readonly snapshotTimes: readonly number[];
  /** The facts of one snapshot: its DailyScore and ControlScore records. */
  snapshotFacts(snapshotTime: number): TableRecord[];
  /** State changes made in [from, to). */
  stateChangesBetween(from: number, to: number): TableRecord[];
  /**
   * ControlState rows as the connector writes them: one per control of the newest snapshot, with the
   * control's latest state change made by `at` (Default without one).
   */
  controlStateRows(newestSnapshot: number, at: number): TableRecord[];
}

/** Tenants of a many-tenant run, after the demo tenant: the same history under other ids. */
export const OTHER_TENANTS: readonly string[] = [1, 2, 3, 4, 5, 6].map(
  (n) => `${String(n).repeat(8)}-0000-4000-8000-${String(n).repeat(12)}`,
);

/** The demo data as another tenant's Graph would return it: its own ids for the tenant and its snapshots. */
function asTenant(tenantId: string): { secureScores: RawSecureScore[]; profiles: RawControlProfile[] } {
  const secureScores = demoSecureScores(DEMO_NEWEST_DAY).map((s) => ({
    ...s,
    id: String(s.id).replace(DEMO_TENANT_ID, tenantId),
    azureTenantId: tenantId,
  }));
  const profiles = demoControlProfiles(DEMO_NEWEST_DAY).map((p) => ({ ...p, azureTenantId: tenantId }));
  return { secureScores, profiles };
}

function buildHistory(tenantId: string, displayName: string): TenantHistory {
  const ctx = {
    // After the newest demo snapshot: the normalizer quarantines snapshots dated after its clock.
    now: '2026-11-05T00:00:00.000Z',
    runId: 'normalize',
    tenantId,
    tenantDisplayName: displayName,
    warnings: new Warnings(),
  };
  const facts = normalizeTenant(asTenant(tenantId), { snapshotCount: DEMO_SNAPSHOT_COUNT - 1 }, ctx).records.filter(
    (r) => r.RecordType !== 'ControlState',
  );
  const snapshotTimes = [...new Set(facts.filter((r) => r.RecordType === 'DailyScore').map((r) => ms(r.SnapshotDate)))].sort(
    (a, b) => a - b,
  );
  const snapshotFacts = (snapshotTime: number) => facts.filter((r) => r.SnapshotDate !== undefined && ms(r.SnapshotDate) === snapshotTime);
  return {
    tenantId,
    displayName,
    facts,
    snapshotTimes,
    snapshotFacts,
    stateChangesBetween: (from, to) =>
      facts.filter((r) => r.RecordType === 'ControlStateUpdate' && ms(r.UpdatedDateTime) >= from && ms(r.UpdatedDateTime) < to),
    controlStateRows: (newestSnapshot, at) => {
      const updates = facts
        .filter((r) => r.RecordType === 'ControlStateUpdate' && ms(r.UpdatedDateTime) <= at)
        .sort((a, b) => ms(a.UpdatedDateTime) - ms(b.UpdatedDateTime));
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
    },
  };
}

const histories = new Map<string, TenantHistory>();

/** A tenant's history (built once): the demo tenant's, or the same facts under another tenant's ids. */
export function tenantHistory(tenantId: string = DEMO_TENANT_ID): TenantHistory {
  let history = histories.get(tenantId);
  if (!history) {
    const index = OTHER_TENANTS.indexOf(tenantId);
    history = buildHistory(tenantId, tenantId === DEMO_TENANT_ID ? 'Contoso demo' : `Tenant ${String.fromCharCode(66 + index)}`);
    histories.set(tenantId, history);
  }
  return history;
}

/** The demo tenant's history. */
const DEMO = tenantHistory(DEMO_TENANT_ID);
/** Every fact the normalizers write for the demo tenant (ControlState rows come with each run). */
export const DEMO_FACTS: readonly TableRecord[] = DEMO.facts;
/** The demo tenant's emitted snapshot dates, oldest first, as epoch ms. */
export const SNAPSHOT_TIMES: readonly number[] = DEMO.snapshotTimes;
/** The demo tenant's facts of one snapshot. */
export const snapshotFacts = (snapshotTime: number): TableRecord[] => DEMO.snapshotFacts(snapshotTime);

/** One tenant's part of a connector run. */
export interface TenantRun {
  /** The demo tenant when absent. */
  readonly tenantId?: string;
  readonly facts: readonly TableRecord[];
  readonly kind: 'Backfill' | 'Incremental';
  readonly status?: 'Succeeded' | 'PartiallySucceeded' | 'Failed';
}

/** One connector run: one invocation of `securescore-connector run`, one RunId for all its tenants. */
export interface ConnectorInvocation {
  /** When the run started (its records' TimeGenerated and RunStartTime), epoch ms. */
  readonly at: number;
  readonly tenants: readonly TenantRun[];
  /** Minutes between the run's start and its records' arrival. */
  readonly arrivesAfterMinutes?: number;
}

/** One connector run for one tenant (the demo tenant unless named). */
export interface SimulatedRun extends TenantRun {
  readonly at: number;
  readonly arrivesAfterMinutes?: number;
}

let runCounter = 0;

/**
 * The deliveries of one connector run: each tenant's facts restamped with the run (a re-sent fact keeps
 * its RecordId), the ControlState rows of its newest snapshot, and its ConnectorRun record with
 * RunKind; every tenant's records carry the same RunId, as the connector writes them.
 */
export function deliverInvocation(invocation: ConnectorInvocation): Delivery[] {
  const runId = `run-${++runCounter}`;
  const timeGenerated = new Date(invocation.at).toISOString();
  const ingestedAt = invocation.at + (invocation.arrivesAfterMinutes ?? 3) * MINUTE;
  return invocation.tenants.flatMap((run) => {
    const history = tenantHistory(run.tenantId);
    const stamp = (r: TableRecord): TableRecord => ({ ...r, RunId: runId, TimeGenerated: timeGenerated });
    const status = run.status ?? 'Succeeded';
    const facts = status === 'Failed' ? [] : run.facts.map(stamp);
    const snapshots = facts.filter((r) => r.RecordType === 'DailyScore').map((r) => ms(r.SnapshotDate));
    const states = snapshots.length > 0 ? history.controlStateRows(Math.max(...snapshots), invocation.at).map(stamp) : [];
    const connectorRun = normalizeConnectorRun(
      {
        status,
        kind: run.kind,
        counts: {},
        errorMessage: status === 'Failed' ? 'Graph ...: HTTP 403 (Authorization_RequestDenied)' : undefined,
        durationSeconds: 5,
        version: '0.1.0',
      },
      { now: timeGenerated, runId, tenantId: history.tenantId, tenantDisplayName: history.displayName, warnings: new Warnings() },
    );
    return [...facts, ...states, connectorRun].map((record) => ({ record, ingestedAt }));
  });
}

/** The deliveries of one connector run that reads one tenant. */
export function deliverRun(run: SimulatedRun): Delivery[] {
  return deliverInvocation({ at: run.at, arrivesAfterMinutes: run.arrivesAfterMinutes, tenants: [run] });
}

/** Azure Monitor stores a TimeGenerated more than two days before the arrival as the arrival time. */
const TIME_GENERATED_KEPT_FOR = 2 * DAY;

/**
 * The same records arriving again `after` later (a replay of dead letters, or of an NDJSON file): the
 * workspace keeps their TimeGenerated unless it is more than two days old, which it replaces with the
 * arrival time.
 */
export function replayed(deliveries: readonly Delivery[], after: number): Delivery[] {
  return deliveries.map((d) => {
    const ingestedAt = d.ingestedAt + after;
    const stale = ingestedAt - ms(d.record.TimeGenerated) > TIME_GENERATED_KEPT_FOR;
    return { ingestedAt, record: stale ? { ...d.record, TimeGenerated: new Date(ingestedAt).toISOString() } : d.record };
  });
}

/** A daily connector schedule: snapshot d is read and delivered the next day at `hourOfDay`. */
export function dailyRunTime(snapshotTime: number, hourOfDay = 6): number {
  return snapshotTime + DAY + hourOfDay * HOUR;
}
