import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { normalizeTenant } from './normalize-tenant.js';
import { Warnings } from '../../src/normalize/warnings.js';

/** A one-control tenant for the normalizers' unit tests: small enough to read every record. */
export const TINY_TENANT = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const TINY_PROFILES: RawControlProfile[] = [{ id: 'A', title: 'Control A', maxScore: 10 }];

/** A snapshot created at `created` (a full date-time, or a YYYY-MM-DD day read as its midnight UTC). */
export function tinySnapshot(created: string, extra: Partial<RawSecureScore> = {}): RawSecureScore {
  const createdDateTime = created.length === 10 ? `${created}T00:00:00Z` : created;
  return {
    id: `${TINY_TENANT}_${created.slice(0, 10)}`,
    azureTenantId: TINY_TENANT,
    createdDateTime,
    currentScore: 5,
    maxScore: 10,
    activeUserCount: 12,
    licensedUserCount: 20,
    controlScores: [{ controlName: 'A', score: 5 }],
    ...extra,
  };
}

/** Every record of `secureScores` (all emitted) and the warnings, normalized at `now`. */
export function normalizeTiny(now: string, secureScores: RawSecureScore[], profiles = TINY_PROFILES) {
  const warnings = new Warnings();
  const { records } = normalizeTenant(
    { secureScores, profiles },
    { snapshotCount: 90 },
    { now, runId: 'r', tenantId: TINY_TENANT, warnings },
  );
  return { records, warnings };
}
