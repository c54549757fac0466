import { startEntraStandIn, type EntraStandIn } from '../../test/support/entra-stand-in.js';
import { CLIENT_ID, CLIENT_SECRET, DCR_ID, STREAM } from '../../test/support/fixture.js';
import { startGraphStandIn, type GraphStandIn } from '../../test/support/graph-stand-in.js';
import { startIngestionStandIn, type IngestionStandIn } from '../../test/support/ingestion-stand-in.js';
import { testCertificate } from '../../test/support/tls.js';
import { syntheticTenant, type TenantShape } from './synthetic-tenant.js';

/** The three stand-ins in this process, serving `tenantIds` synthetic tenants of one shape. */
export interface BenchWorld {
  readonly entra: EntraStandIn;
  readonly graph: GraphStandIn;
  readonly ingestion: IngestionStandIn;
  /** The first is the home tenant (AZURE_TENANT_ID), where the DCR lives. */
  readonly tenantIds: readonly string[];
  /** What every tenant serves from now on; replace it to move the tenants to another day. */
  shape: TenantShape;
  /** Environment of the CLI: the multi-tenant app's credentials and trust in the stand-ins' certificate. */
  readonly env: Record<string, string>;
  /** CLI flags that point the connector at the stand-ins and the DCR. */
  readonly flags: readonly string[];
  close(): Promise<void>;
}

/** A tenant id (GUID) per index, stable across runs so checkpoints and tenants files line up. */
function benchTenantId(index: number): string {
  return `b3${index.toString(16).padStart(6, '0')}-5c0e-4a11-8b3e-000000000000`;
}

/**
 * Starts Entra (one multi-tenant app consented in every tenant), Graph (every tenant generated on
 * request) and Logs Ingestion (counting, not keeping, what it accepts) stand-ins.
 */
export async function startBenchWorld(tenantCount: number, shape: TenantShape): Promise<BenchWorld> {
  const tenantIds = Array.from({ length: tenantCount }, (_, i) => benchTenantId(i));
  const known = new Set(tenantIds);
  const [home, ...others] = tenantIds as [string, ...string[]];
  const entra = await startEntraStandIn({ tenantId: home, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, otherTenants: others });
  const graph = await startGraphStandIn({ secureScores: [], profiles: [] });
  const ingestion = await startIngestionStandIn({ dcrImmutableId: DCR_ID, streamName: STREAM });
  ingestion.keepRecords = false;
  const world: BenchWorld = {
    entra,
    graph,
    ingestion,
    tenantIds,
    shape,
    env: {
      AZURE_TENANT_ID: home,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
      NODE_EXTRA_CA_CERTS: testCertificate().certPath,
    },
    flags: [
      '--authority-host',
      entra.url,
      '--graph-endpoint',
      graph.url,
      '--ingestion-endpoint',
      ingestion.url,
      '--dcr-immutable-id',
      DCR_ID,
    ],
    close: async () => {
      await Promise.all([entra.close(), graph.close(), ingestion.close()]);
    },
  };
  graph.generate = (tenantId) => (known.has(tenantId) ? syntheticTenant(tenantId, world.shape) : undefined);
  return world;
}
