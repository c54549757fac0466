/**
 * Graph payload shapes as they arrive. Every field is optional and loosely typed on purpose:
 * real tenants send strings for numbers, nulls, and open-type extras, and the normalizers are
 * the one place that decides what to do with each.
 */

/** A `controlScores` entry of a secureScore: documented fields plus open-type extras. */
export interface RawControlScore {
  controlName?: unknown;
  controlCategory?: unknown;
  score?: unknown;
  description?: unknown;
  [extra: string]: unknown;
}

/** A daily `secureScore` snapshot. */
export interface RawSecureScore {
  id?: unknown;
  azureTenantId?: unknown;
  createdDateTime?: unknown;
  currentScore?: unknown;
  maxScore?: unknown;
  activeUserCount?: unknown;
  licensedUserCount?: unknown;
  enabledServices?: unknown;
  averageComparativeScores?: unknown;
  controlScores?: unknown;
  [extra: string]: unknown;
}

/** One entry of a profile's `controlStateUpdates` history. */
export interface RawControlStateUpdate {
  state?: unknown;
  updatedBy?: unknown;
  updatedDateTime?: unknown;
  comment?: unknown;
  assignedTo?: unknown;
  [extra: string]: unknown;
}

/** A `secureScoreControlProfile`. */
export interface RawControlProfile {
  id?: unknown;
  azureTenantId?: unknown;
  title?: unknown;
  controlCategory?: unknown;
  actionType?: unknown;
  actionUrl?: unknown;
  service?: unknown;
  tier?: unknown;
  userImpact?: unknown;
  implementationCost?: unknown;
  maxScore?: unknown;
  rank?: unknown;
  deprecated?: unknown;
  threats?: unknown;
  controlStateUpdates?: unknown;
  [extra: string]: unknown;
}
