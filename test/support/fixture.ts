import { demoControlProfiles, demoSecureScores, DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { fixtureNewestDay } from './clock.js';
import { startEntraStandIn, type EntraStandIn } from './entra-stand-in.js';
import { startGraphStandIn, type GraphStandIn } from './graph-stand-in.js';
import { startIngestionStandIn, type IngestionStandIn } from './ingestion-stand-in.js';

export const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
/** Looks like a real Entra secret so the secret scan would catch it anywhere. */
export const CLIENT_SECRET = 'Zq8~Kx3.bT9-vN2_sR7pL4mH6jW1cY5dF0gA8eU3';
export const DCR_ID = 'dcr-0123456789abcdef0123456789abcdef';
export const STREAM = 'Custom-MicrosoftSecureScore';

/** The three stand-ins, wired for one tenant. */
export interface World {
  readonly entra: EntraStandIn;
  readonly graph: GraphStandIn;
  readonly ingestion: IngestionStandIn;
  readonly env: Record<string, string>;
  /** CLI flags that point the connector at the stand-ins and the DCR. */
  readonly flags: string[];
  close(): Promise<void>;
}

/**
 * The demo tenant's data as if it were another tenant's, its newest snapshot dated `newestDay`
 * (yesterday by the tests' clock unless given).
 */
export function tenantData(
  tenantId: string,
  newestDay = fixtureNewestDay(),
): { secureScores: RawSecureScore[]; profiles: RawControlProfile[]; profilePageSize: number } {
  const rename = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll(DEMO_TENANT_ID, tenantId)) as T;
  return { secureScores: rename(demoSecureScores(newestDay)), profiles: rename(demoControlProfiles(newestDay)), profilePageSize: 20 };
}

/** Starts Entra, Graph (serving the given data, or the demo tenant up to yesterday) and Logs Ingestion stand-ins. */
export async function startWorld(
  data?: { secureScores?: RawSecureScore[]; profiles?: RawControlProfile[]; profilePageSize?: number },
  entraOptions: Pick<Parameters<typeof startEntraStandIn>[0], 'otherTenants' | 'tenantApps'> = {},
): Promise<World> {
  const entra = await startEntraStandIn({ tenantId: DEMO_TENANT_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...entraOptions });
  const graph = await startGraphStandIn({
    secureScores: data?.secureScores ?? demoSecureScores(fixtureNewestDay()),
    profiles: data?.profiles ?? demoControlProfiles(fixtureNewestDay()),
    profilePageSize: data?.profilePageSize ?? 20,
  });
  const ingestion = await startIngestionStandIn({ dcrImmutableId: DCR_ID, streamName: STREAM });
  return {
    entra,
    graph,
    ingestion,
    env: { AZURE_TENANT_ID: DEMO_TENANT_ID, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: CLIENT_SECRET },
    flags: [
      '--authority-host',
      entra.url,
      '--graph-endpoint',
      graph.url,
      '--ingestion-endpoint',
      ingestion.url,
      '--dcr-immutable-id',
      DCR_ID,
      '--retry-base-ms',
      '20',
    ],
    close: async () => {
      await Promise.all([entra.close(), graph.close(), ingestion.close()]);
    },
  };
}
