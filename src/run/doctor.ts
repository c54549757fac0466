import type { TokenCredential } from '@azure/identity';
import { acquireToken } from '../auth/acquire-token.js';
import { createCredential } from '../auth/credential.js';
import type { Config } from '../config/config.js';
import { inTenantTerms, loadTenants, type TenantEntry } from '../config/tenants.js';
import { tenantCredential } from '../auth/tenant-credential.js';
import { describeError, redactSecrets } from '../errors.js';
import { ingestionFix } from '../sink/ingestion-errors.js';
import { openDeadLetterFolder } from '../sink/dead-letter-store.js';
import { createSink } from '../sink/factory.js';
import { LogsIngestionSink } from '../sink/logs-ingestion-sink.js';
import { graphSource } from '../source/graph-source.js';
import type { GraphStats } from '../source/source.js';
import { openCheckpointStore } from '../state/open-store.js';
import { mapWithLimit } from './pool.js';
import { preflight } from './preflight.js';
import { UnreachableAuthority } from './whole-run-failure.js';
import { lazy } from '../lazy.js';

/** One line of the doctor's report. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What was found, or what is wrong and what to do. */
  readonly detail: string;
}

/** Runs one check; its detail, good or bad, has secrets (a SAS `sig=`, an account key) cut out. */
async function check(name: string, run: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: redactSecrets(await run()) };
  } catch (error) {
    return { name, ok: false, detail: redactSecrets(describeError(error)) };
  }
}

/** Why a DCR refused an empty batch, in terms of what to change (from the fix catalogue). */
function dcrProblem(status: number, body: string): string {
  const text = body.replace(/\s+/g, ' ').slice(0, 300);
  return `HTTP ${status}: ${text}. ${ingestionFix(status, body)}`;
}

/** A check answers within seconds: one retry at most (a transient 429 or 503), not a run's patience. */
function checkRetry(config: Config): Config['retry'] {
  return { ...config.retry, maxRetries: Math.min(config.retry.maxRetries, 1) };
}

/**
 * The checks of `doctor`, through the same source, sink and state APIs a run uses: tokens for Graph
 * and ingestion, one snapshot and one profile page, an empty batch to the DCR stream, a write to the
 * state store and one to the dead-letter folder. Each result is reported as soon as it is known.
 */
export async function runDoctorChecks(config: Config, env: NodeJS.ProcessEnv, report: (check: Check) => void): Promise<Check[]> {
  const checks: Check[] = [];
  const done = (c: Check) => {
    checks.push(c);
    report(c);
    return c;
  };
  const home = lazy(() => createCredential(config.authorityHost));

  // What run checks before reading anything, doctor checks too: the two never disagree.
  done(
    await check('local-files', async () => {
      await preflight(config);
      return config.output && config.output !== '-' ? `${config.output} can be written` : 'nothing to write locally before the run';
    }),
  );
  // The demo's tenant is bundled: no Graph token is asked for (and none could be had without Azure).
  if (config.demo) done({ name: 'graph', ok: true, detail: 'the demo reads the bundled sample tenant; no Graph token is needed' });
  if (config.tenantsFile && !config.demo) for (const c of await tenantChecks(config, config.tenantsFile, env, home)) done(c);
  const graphToken =
    config.demo || config.tenantsFile
      ? undefined
      : done(
          await check('graph-token', async () => {
            const { tenantId } = await acquireToken(home(), `${config.graphEndpoint}/.default`, 'Microsoft Graph');
            return `token issued for tenant ${tenantId ?? 'unknown'}`;
          }),
        );
  if (graphToken?.ok) {
    const stats: GraphStats = { requests: 0, retries: 0 };
    const source = graphSource(home(), config.graphEndpoint, checkRetry(config), stats);
    done(
      await check('graph-secure-scores', async () => {
        const latest = await source.latestSnapshot();
        if (!latest) return 'readable, but the tenant has no snapshot yet (new tenants get one within a day)';
        return `latest snapshot ${String(latest.createdDateTime).slice(0, 10)}: ${String(latest.currentScore)} of ${String(latest.maxScore)}`;
      }),
    );
    done(await check('graph-control-profiles', async () => `readable (${await source.firstProfilePage()} profile on the first page)`));
  }

  if (config.ingestion) {
    const destination = config.ingestion;
    const ingestionToken = done(
      await check('ingestion-token', async () => {
        await acquireToken(home(), `${config.ingestionAudience}/.default`, 'Logs Ingestion');
        return `token issued for ${config.ingestionAudience}`;
      }),
    );
    if (ingestionToken.ok) {
      const sink = createSink({ ...config, retry: checkRetry(config) }, destination, home) as LogsIngestionSink;
      done(
        await check('dcr-stream', async () => {
          let answer: { status: number; body: string };
          try {
            answer = await sink.probe();
          } catch (error) {
            const code = (error as { code?: string }).code;
            throw new Error(
              `no answer from ${destination.endpoint}${code ? ` (${code})` : ''}. Check --ingestion-endpoint (the DCR's logsIngestionEndpoint output) and the network path to it`,
              { cause: error },
            );
          }
          if (answer.status !== 204 && answer.status !== 200) throw new Error(dcrProblem(answer.status, answer.body));
          return `an empty batch was accepted by ${destination.dcrImmutableId}/${destination.streamName}`;
        }),
      );
    }
  }

  if (config.statePath) {
    const statePath = config.statePath;
    done(
      await check('state-store', async () => {
        const store = openCheckpointStore(statePath, env, home);
        await store.checkWritable();
        return `${store.description} is writable`;
      }),
    );
  }
  // Only a DCR refuses records; NDJSON output keeps no dead letters.
  if (config.ingestion) {
    done(
      await check('dead-letter', async () => {
        const folder = openDeadLetterFolder(config.deadLetter, env, home);
        await folder.checkWritable();
        return `${folder.description} is writable`;
      }),
    );
  }
  return checks;
}

/** The name of the check of one tenant: `tenant Contoso (<id>)`, or the id alone. */
const tenantCheckName = (entry: TenantEntry) => `tenant ${entry.displayName ? `${entry.displayName} (${entry.tenantId})` : entry.tenantId}`;

/**
 * One check per tenant of the tenants file, as a run would read it: its token (with its own
 * credential settings, or the environment's app) and one Graph request for its latest snapshot
 * (the Graph permission). `--concurrency` tenants at a time; an authority the first tenants cannot
 * reach is not asked for every other (as in a run). The failing ones come first, each fix in the
 * words of that tenant's own settings.
 */
async function tenantChecks(config: Config, file: string, env: NodeJS.ProcessEnv, home: () => TokenCredential): Promise<Check[]> {
  let entries: TenantEntry[];
  try {
    entries = await loadTenants(file, config.ingestion?.streamName);
  } catch (error) {
    return [{ name: 'tenants', ok: false, detail: redactSecrets(describeError(error)) }];
  }
  const authority = new UnreachableAuthority();
  const stats: GraphStats = { requests: 0, retries: 0 };
  const checks = await mapWithLimit(entries, config.concurrency, (entry) =>
    check(tenantCheckName(entry), async () => {
      try {
        const credential = tenantCredential(entry, env, config.authorityHost, home);
        const { tenantId } = await authority.guard(() => acquireToken(credential, `${config.graphEndpoint}/.default`, 'Microsoft Graph'));
        if (tenantId && tenantId.toLowerCase() !== entry.tenantId.toLowerCase())
          throw new Error(
            `Tenant ${entry.tenantId}: the credential signs in to tenant ${tenantId} instead. Check the tenant's credential settings`,
          );
        const latest = await graphSource(credential, config.graphEndpoint, checkRetry(config), stats).latestSnapshot();
        return latest
          ? `token issued; latest snapshot ${String(latest.createdDateTime).slice(0, 10)}: ${String(latest.currentScore)} of ${String(latest.maxScore)}`
          : 'token issued; readable, but the tenant has no snapshot yet (new tenants get one within a day)';
      } catch (error) {
        throw new Error(inTenantTerms(describeError(error), entry, file, env), { cause: error });
      }
    }),
  );
  return [...checks.filter((c) => !c.ok), ...checks.filter((c) => c.ok)];
}
