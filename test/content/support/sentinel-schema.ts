/**
 * What Azure-Sentinel's own checks accept in an analytics rule (detectionTemplateSchemaValidation's
 * ScheduledTemplateInternalModel, EntityMappingIdentifiers.cs), for the content tests to hold our rules to.
 */

/** The tactics a rule may name. */
export const SENTINEL_TACTICS: readonly string[] = [
  'Reconnaissance',
  'ResourceDevelopment',
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'ImpairProcessControl',
  'InhibitResponseFunction',
];

/** For the entity types our rules map: their identifiers, and the sets one of which is required. */
export const ENTITY_IDENTIFIERS: Readonly<Record<string, { identifiers: string[]; required: string[][] }>> = {
  Account: {
    identifiers: [
      'Name',
      'FullName',
      'NTDomain',
      'DnsDomain',
      'UPNSuffix',
      'Sid',
      'AadTenantId',
      'AadUserId',
      'PUID',
      'IsDomainJoined',
      'DisplayName',
      'ObjectGuid',
    ],
    required: [['FullName'], ['Sid'], ['Name'], ['AadUserId'], ['PUID'], ['ObjectGuid']],
  },
  CloudApplication: { identifiers: ['AppId', 'Name', 'InstanceName'], required: [['AppId'], ['Name']] },
  URL: { identifiers: ['Url'], required: [['Url']] },
};

/** A rule duration (`5m`, `1h`, `14d`) in minutes. */
export function minutes(duration: string): number {
  const match = /^(\d+)([mhd])$/.exec(duration);
  if (!match) throw new Error(`duration "${duration}" is not like 5m, 1h or 14d`);
  return Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'];
}
