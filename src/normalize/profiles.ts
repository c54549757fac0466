import type { RawControlProfile } from './graph-types.js';
import { toBoolean, toCategory, toInt, toLevel, toNumber, toText } from './coerce.js';
import type { Warnings } from './warnings.js';

/** The profile columns copied onto ControlScore and ControlStateUpdate records. */
export interface ProfileColumns {
  ControlTitle: string | null;
  ControlCategory: string | null;
  Service: string | null;
  Tier: string | null;
  ActionType: string | null;
  UserImpact: string | null;
  ImplementationCost: string | null;
  ActionUrl: string | null;
  MaxScore: number | null;
  Rank: number | null;
  Deprecated: boolean | null;
  Threats: unknown[] | null;
}

/** A profile normalized once, looked up by control name for every snapshot. */
export interface NormalizedProfile {
  readonly name: string;
  /**
   * The only raw fields read later: kept rather than the whole profile, whose descriptions and
   * remediation texts would stay alive for the whole tenant run, in every tenant running at once.
   */
  readonly raw: Pick<RawControlProfile, 'controlStateUpdates' | 'azureTenantId'>;
  readonly columns: ProfileColumns;
}

/** Normalizes profile fields (case variants, string numbers, nulls) into columns. */
function normalizeProfile(raw: RawControlProfile, name: string, warnings: Warnings): NormalizedProfile {
  const where = `controlProfile ${name}`;
  return {
    name,
    raw: { controlStateUpdates: raw.controlStateUpdates, azureTenantId: raw.azureTenantId },
    columns: {
      ControlTitle: toText(raw.title, `${where}.title`, warnings),
      ControlCategory: toCategory(raw.controlCategory),
      Service: toText(raw.service, `${where}.service`, warnings),
      Tier: toText(raw.tier, `${where}.tier`, warnings),
      ActionType: toText(raw.actionType, `${where}.actionType`, warnings),
      UserImpact: toLevel(raw.userImpact),
      ImplementationCost: toLevel(raw.implementationCost),
      ActionUrl: toText(raw.actionUrl, `${where}.actionUrl`, warnings),
      MaxScore: toNumber(raw.maxScore, `${where}.maxScore`, warnings),
      Rank: toInt(raw.rank, `${where}.rank`, warnings),
      Deprecated: toBoolean(raw.deprecated, `${where}.deprecated`, warnings),
      Threats: Array.isArray(raw.threats) ? raw.threats : null,
    },
  };
}

/**
 * Profiles by control name. Graph's ids match controlScores' controlName exactly, but the match
 * falls back to case-insensitive so a casing drift between the two APIs cannot orphan a control.
 */
export class ProfileIndex {
  private readonly exact = new Map<string, NormalizedProfile>();
  private readonly folded = new Map<string, NormalizedProfile>();

  constructor(profiles: readonly RawControlProfile[], warnings: Warnings) {
    profiles.forEach((raw, i) => {
      const name = raw && typeof raw === 'object' ? toText(raw.id, `controlProfiles[${i}].id`, warnings) : null;
      if (!name) {
        warnings.add('control-without-name', `controlProfiles[${i}] has no id; its state history is not ingested`);
        return;
      }
      if (this.exact.has(name)) {
        warnings.add('duplicate-control', `control profile ${name} appears twice; kept the first`);
        return;
      }
      const profile = normalizeProfile(raw, name, warnings);
      this.exact.set(name, profile);
      if (!this.folded.has(name.toLowerCase())) this.folded.set(name.toLowerCase(), profile);
    });
  }

  private readonly reportedMissing = new Set<string>();

  get(name: string): NormalizedProfile | undefined {
    return this.exact.get(name) ?? this.folded.get(name.toLowerCase());
  }

  /** The profile of a scored control; a control without one is reported once per run, not once per day. */
  forScoredControl(name: string, warnings: Warnings): NormalizedProfile | undefined {
    const profile = this.get(name);
    if (!profile && !this.reportedMissing.has(name)) {
      this.reportedMissing.add(name);
      warnings.add('control-without-profile', `control ${name} has a score but no control profile; title and maximum are empty`);
    }
    return profile;
  }

  all(): NormalizedProfile[] {
    return [...this.exact.values()];
  }
}
