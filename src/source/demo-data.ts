import type { RawControlProfile, RawSecureScore } from '../normalize/graph-types.js';

/**
 * Bundled sample tenant for `run --demo` and for the tests' Graph stand-in: 40 daily snapshots of
 * 65 controls over all five categories, shaped like real Graph data (string numbers, "true"/"false"
 * strings, HTML descriptions, case variants, null userImpact), with the events the Sentinel rules
 * look for. Dated back from a given newest day (the demo's is yesterday, so it looks current);
 * deterministic: the same newest day gives the same data, and so the same RecordIds.
 */
export const DEMO_TENANT_ID = '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b';
export const DEMO_SNAPSHOT_COUNT = 40;
/** Day index (0 = oldest) on which each demo event happens. */
export const DEMO_EVENTS = {
  addedControl: 'MDO_SafeAttachmentsPolicyV2',
  addedOnDay: 20,
  removedControl: 'LegacyExchangeAuditLogSearch',
  removedOnDay: 25,
  regressedControl: 'AdminMFAV2',
  regressedOnDay: 33,
  ignoredControl: 'BlockLegacyAuthentication',
  ignoredOnDay: 15,
  thirdPartyControl: 'MDE_TamperProtection',
  thirdPartyOnDay: 22,
} as const;

const CATEGORIES = ['Identity', 'Data', 'Device', 'Apps', 'Infrastructure'] as const;
const NAMED: Array<[string, (typeof CATEGORIES)[number], string]> = [
  ['AdminMFAV2', 'Identity', 'Ensure multifactor authentication is enabled for all users in administrative roles'],
  ['MFARegistrationV2', 'Identity', 'Ensure all users can complete multifactor authentication'],
  ['BlockLegacyAuthentication', 'Identity', 'Enable Conditional Access policies to block legacy authentication'],
  ['SelfServicePasswordReset', 'Identity', 'Enable self-service password reset'],
  ['PWAgePolicyNew', 'Identity', 'Set the password expiration policy to never expire'],
  ['SPO_SharingLinks', 'Data', 'Restrict anonymous sharing links in SharePoint'],
  ['DLPEnabled', 'Data', 'Turn on data loss prevention policies'],
  ['LegacyExchangeAuditLogSearch', 'Data', 'Turn on audit log search (retired control)'],
  ['MDE_TamperProtection', 'Device', 'Turn on tamper protection'],
  ['MDE_DeviceEncryption', 'Device', 'Encrypt all supported devices'],
  ['MDO_SafeAttachmentsPolicyV2', 'Apps', 'Create Safe Attachments policies for email'],
  ['MCAS_OAuthApps', 'Apps', 'Review permissions and block risky OAuth applications'],
  ['MDI_SensorHealth', 'Infrastructure', 'Resolve Defender for Identity sensor health issues'],
];
const LEVELS = ['Low', 'low', 'Moderate', 'medium', 'High', 'high'];

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DemoControl {
  name: string;
  category: string;
  title: string;
  maxScore: number;
  baseScore: number;
}

function demoControls(): DemoControl[] {
  const random = mulberry32(42);
  const controls: DemoControl[] = NAMED.map(([name, category, title]) => ({ name, category, title, maxScore: 0, baseScore: 0 }));
  for (let i = 0; controls.length < 65; i++) {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    controls.push({
      name: `${category}Baseline${String(i + 1).padStart(2, '0')}`,
      category,
      title: `${category} baseline setting ${i + 1}`,
      maxScore: 0,
      baseScore: 0,
    });
  }
  for (const c of controls) {
    c.maxScore = [1, 2, 3, 5, 8, 10][Math.floor(random() * 6)]!;
    c.baseScore = Math.floor(random() * (c.maxScore + 1));
  }
  const admin = controls.find((c) => c.name === DEMO_EVENTS.regressedControl)!;
  admin.maxScore = 10;
  admin.baseScore = 10;
  return controls;
}

/** Midnight UTC of day index `day` (0 = oldest) of a history whose newest day is `newestDay` (YYYY-MM-DD). */
function dateOf(newestDay: string, day: number): string {
  const newest = Date.parse(`${newestDay}T00:00:00Z`);
  if (Number.isNaN(newest)) throw new Error(`demo data: ${newestDay} is not a YYYY-MM-DD day`);
  return new Date(newest - (DEMO_SNAPSHOT_COUNT - 1 - day) * 86_400_000).toISOString().replace('.000Z', 'Z');
}

/** The newest day of the demo tenant run at `now`: yesterday (UTC), as a daily Graph snapshot would be. */
export function demoNewestDay(now: Date): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

function isPresent(name: string, day: number): boolean {
  if (name === DEMO_EVENTS.addedControl) return day >= DEMO_EVENTS.addedOnDay;
  if (name === DEMO_EVENTS.removedControl) return day < DEMO_EVENTS.removedOnDay;
  return true;
}

function scoreOn(c: DemoControl, day: number, index: number): number {
  if (c.name === DEMO_EVENTS.regressedControl) return day >= DEMO_EVENTS.regressedOnDay ? 0 : c.baseScore;
  // Every seventh control improves by one point every ten days, up to its maximum.
  const gain = index % 7 === 0 ? Math.floor(day / 10) : 0;
  return Math.min(c.maxScore, c.baseScore + gain);
}

/** The demo tenant's secureScores, newest first, as Graph returns them, the newest dated `newestDay`. */
export function demoSecureScores(newestDay: string): RawSecureScore[] {
  const dayDate = (day: number) => dateOf(newestDay, day);
  const controls = demoControls();
  const snapshots: RawSecureScore[] = [];
  for (let day = 0; day < DEMO_SNAPSHOT_COUNT; day++) {
    const present = controls.map((c, i) => ({ c, i })).filter(({ c }) => isPresent(c.name, day));
    const controlScores = present.map(({ c, i }) => {
      const score = scoreOn(c, day, i);
      const entry: Record<string, unknown> = {
        controlCategory: c.category,
        controlName: c.name,
        description: `<p>${c.title}.</p><ul><li>You have <b>${score}</b> of ${c.maxScore} points.</li></ul>`,
        score,
        scoreInPercentage: Math.round((score / c.maxScore) * 10000) / 100,
        implementationStatus: score >= c.maxScore ? 'Completed' : `${score} of ${c.maxScore} settings applied`,
        lastSynced: `${dayDate(day).slice(0, 10)}T03:12:45Z`,
      };
      // Real controlScores carry open-type extras with numbers and booleans as strings.
      if (i % 3 === 0) Object.assign(entry, { on: score > 0 ? 'true' : 'false', count: String(score), total: String(c.maxScore) });
      return entry;
    });
    const currentScore = controlScores.reduce((sum, e) => sum + (e.score as number), 0);
    const maxScore = present.reduce((sum, { c }) => sum + c.maxScore, 0);
    snapshots.push({
      id: `${DEMO_TENANT_ID}_${dayDate(day).slice(0, 10)}`,
      azureTenantId: DEMO_TENANT_ID,
      activeUserCount: 180 + day,
      createdDateTime: dayDate(day),
      currentScore,
      enabledServices: ['HasExchange', 'HasSharePoint', 'HasOD4B', 'HasMDEP'],
      licensedUserCount: 250,
      maxScore,
      averageComparativeScores: [
        { basis: 'AllTenants', averageScore: 52.31 },
        { basis: 'TotalSeats', averageScore: day % 10 === 0 ? -1 : 47.8, seatSizeRangeLowerValue: '100', seatSizeRangeUpperValue: '500' },
      ],
      controlScores,
      vendorInformation: { provider: 'SecureScore', providerVersion: null, subProvider: null, vendor: 'Microsoft' },
    });
  }
  return snapshots.reverse();
}

/** The demo tenant's control profiles with their state histories, dated like {@link demoSecureScores}. */
export function demoControlProfiles(newestDay: string): RawControlProfile[] {
  const update = (state: string, day: number, by: string, comment: string): Record<string, unknown> => ({
    assignedTo: '',
    comment,
    state,
    updatedBy: by,
    updatedDateTime: `${dateOf(newestDay, day).slice(0, 10)}T14:03:27.123Z`,
  });
  return demoControls().map((c, i) => {
    const history: unknown[] = [];
    if (c.name === DEMO_EVENTS.ignoredControl) {
      history.push(
        update(
          'Ignored',
          DEMO_EVENTS.ignoredOnDay,
          'secops.admin@contoso.com',
          'Legacy printers still use SMTP basic auth; accepted until Q1 replacement.',
        ),
      );
    }
    if (c.name === DEMO_EVENTS.thirdPartyControl) {
      history.push(update('ThirdParty', DEMO_EVENTS.thirdPartyOnDay, 'it.endpoint@contoso.com', 'Covered by our third-party EDR.'));
    }
    if (c.name === 'SPO_SharingLinks') {
      history.push(update('Ignored', 3, 'data.owner@contoso.com', 'Marketing needs anonymous links.'));
      history.push(update('Default', 8, 'ciso@contoso.com', 'Risk acceptance revoked.'));
    }
    return {
      id: c.name,
      azureTenantId: DEMO_TENANT_ID,
      actionType: ['Config', 'Review', 'Behavior'][i % 3],
      actionUrl: `https://security.microsoft.com/securescore?viewid=actions&actionId=${c.name}`,
      controlCategory: i % 4 === 0 ? c.category.toLowerCase() : c.category,
      controlStateUpdates: history,
      deprecated: c.name === DEMO_EVENTS.removedControl,
      implementationCost: LEVELS[i % LEVELS.length],
      lastModifiedDateTime: null,
      maxScore: c.maxScore,
      rank: i + 1,
      remediation: `<p>Go to the admin center and configure ${c.title.toLowerCase()}.</p>`,
      remediationImpact: '<p>Users may be prompted.</p>',
      service: ['AzureAD', 'SharePoint', 'MDATP', 'MDO', 'Azure ATP'][CATEGORIES.indexOf(c.category as (typeof CATEGORIES)[number])],
      threats: ['Account breach', 'Elevation of privilege'].slice(0, 1 + (i % 2)),
      tier: ['Core', 'Defense in Depth', 'Advanced'][i % 3],
      title: c.title,
      userImpact: i % 5 === 4 ? null : LEVELS[(i + 2) % LEVELS.length],
      vendorInformation: { provider: 'SecureScore', vendor: 'Microsoft' },
    };
  });
}
