import type { GeneratedTenant } from '../../test/support/graph-stand-in.js';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';

/** Size of a synthetic tenant and the day its newest snapshot was taken. */
export interface TenantShape {
  readonly controls: number;
  /** Daily snapshots Graph holds (it keeps 90). */
  readonly snapshots: number;
  /** UTC midnight of the newest snapshot; moving it a day forward is "the next day" in the tenant. */
  readonly newest: Date;
}

const DAY_MS = 86_400_000;
const CATEGORIES = ['Identity', 'Data', 'Device', 'Apps', 'Infrastructure'];
const SERVICES = ['AzureAD', 'SharePoint', 'MDATP', 'MDO', 'Azure ATP'];
const LEVELS = ['Low', 'low', 'Moderate', 'medium', 'High', 'high'];
const MAX_SCORES = [1, 2, 3, 5, 8, 10];
/** Every STATEFUL-th control has a state history (risk accepted, third party), as some do in real tenants. */
const STATEFUL = 25;

const controlName = (c: number) => `BenchControl${String(c).padStart(5, '0')}`;
const maxScoreOf = (c: number) => MAX_SCORES[c % MAX_SCORES.length]!;

/**
 * A control's score on a calendar day: a function of the control and the date only, so a
 * snapshot's content does not depend on which day is "newest" (a day moved forward repeats the
 * days before it exactly, as Graph does). Each control changes every 7 days, staggered.
 */
function scoreOn(c: number, epochDay: number): number {
  return (c * 31 + Math.floor((epochDay + c) / 7)) % (maxScoreOf(c) + 1);
}

function controlScore(c: number, epochDay: number, date: string): Record<string, unknown> {
  const score = scoreOn(c, epochDay);
  const max = maxScoreOf(c);
  const entry: Record<string, unknown> = {
    controlCategory: CATEGORIES[c % CATEGORIES.length],
    controlName: controlName(c),
    description: `<p>Benchmark control ${c}: keep this setting applied across the tenant.</p><ul><li>You have <b>${score}</b> of ${max} points.</li></ul>`,
    score,
    scoreInPercentage: Math.round((score / max) * 10000) / 100,
    implementationStatus: score >= max ? 'Completed' : `${score} of ${max} settings applied`,
    lastSynced: `${date.slice(0, 10)}T03:12:45Z`,
  };
  // Real controlScores carry open-type extras with numbers and booleans as strings.
  if (c % 3 === 0) Object.assign(entry, { on: score > 0 ? 'true' : 'false', count: String(score), total: String(max) });
  return entry;
}

/**
 * A tenant of `shape.controls` controls and `shape.snapshots` daily snapshots, shaped like real
 * Graph data (string numbers, HTML, case variants, null userImpact, a few state histories), made one
 * item at a time so that neither 10,000 controls nor 1,000 tenants are ever held in memory.
 */
export function syntheticTenant(tenantId: string, shape: TenantShape): GeneratedTenant {
  const newestDay = Math.floor(shape.newest.getTime() / DAY_MS);
  return {
    scoreCount: shape.snapshots,
    profileCount: shape.controls,
    secureScore(index: number): RawSecureScore {
      const epochDay = newestDay - index;
      const date = new Date(epochDay * DAY_MS).toISOString().replace('.000Z', 'Z');
      const controlScores = [];
      let currentScore = 0;
      let maxScore = 0;
      for (let c = 0; c < shape.controls; c++) {
        controlScores.push(controlScore(c, epochDay, date));
        currentScore += scoreOn(c, epochDay);
        maxScore += maxScoreOf(c);
      }
      return {
        id: `${tenantId}_${date.slice(0, 10)}`,
        azureTenantId: tenantId,
        activeUserCount: 1800 + (epochDay % 50),
        createdDateTime: date,
        currentScore,
        enabledServices: ['HasExchange', 'HasSharePoint', 'HasOD4B', 'HasMDEP'],
        licensedUserCount: 2500,
        maxScore,
        averageComparativeScores: [
          { basis: 'AllTenants', averageScore: 52.31 },
          { basis: 'TotalSeats', averageScore: 47.8, seatSizeRangeLowerValue: '1000', seatSizeRangeUpperValue: '5000' },
        ],
        controlScores,
        vendorInformation: { provider: 'SecureScore', providerVersion: null, subProvider: null, vendor: 'Microsoft' },
      };
    },
    profile(c: number): RawControlProfile {
      const category = CATEGORIES[c % CATEGORIES.length]!;
      const history =
        c % STATEFUL === 0
          ? [
              {
                assignedTo: '',
                comment: 'Accepted until the Q1 replacement.',
                state: 'Ignored',
                updatedBy: 'secops.admin@contoso.com',
                updatedDateTime: '2026-03-02T14:03:27.123Z',
              },
              {
                assignedTo: '',
                comment: 'Covered by our third-party tool.',
                state: 'ThirdParty',
                updatedBy: 'it.endpoint@contoso.com',
                updatedDateTime: '2026-04-11T09:30:00.000Z',
              },
            ]
          : [];
      return {
        id: controlName(c),
        azureTenantId: tenantId,
        actionType: ['Config', 'Review', 'Behavior'][c % 3],
        actionUrl: `https://security.microsoft.com/securescore?viewid=actions&actionId=${controlName(c)}`,
        controlCategory: c % 4 === 0 ? category.toLowerCase() : category,
        controlStateUpdates: history,
        deprecated: false,
        implementationCost: LEVELS[c % LEVELS.length],
        lastModifiedDateTime: null,
        maxScore: maxScoreOf(c),
        rank: c + 1,
        remediation: `<p>Go to the admin center and apply benchmark setting ${c}. Review the users it affects first, then turn it on for everyone.</p>`,
        remediationImpact: '<p>Users may be prompted to sign in again.</p>',
        service: SERVICES[c % SERVICES.length],
        threats: ['Account breach', 'Elevation of privilege'].slice(0, 1 + (c % 2)),
        tier: ['Core', 'Defense in Depth', 'Advanced'][c % 3],
        title: `Benchmark setting ${c}`,
        userImpact: c % 5 === 4 ? null : LEVELS[(c + 2) % LEVELS.length],
        vendorInformation: { provider: 'SecureScore', vendor: 'Microsoft' },
      };
    },
  };
}
