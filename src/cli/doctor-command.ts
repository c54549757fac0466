import type { TokenCredential } from '@azure/identity';
import { acquireToken } from '../auth/acquire-token.js';
import { createCredential } from '../auth/credential.js';
import { buildConfig, type Config, type RunArgs } from '../config/config.js';
import { describeError } from '../errors.js';
import { createGraphConnection } from '../source/graph-client.js';
import { getGraphJson } from '../source/get-json.js';
import { ingestionFix } from '../sink/ingestion-errors.js';
import { LogsIngestionSink } from '../sink/logs-ingestion-sink.js';
import { openCheckpointStore } from '../state/open-store.js';
import type { CommandContext } from './context.js';

/** One line of the doctor's report. */
interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What was found, or what is wrong and what to do. */
  readonly detail: string;
}

/** Why a DCR refused an empty batch, in terms of what to change. */
export function dcrProblem(status: number, body: string): string {
  const text = body.replace(/\s+/g, ' ').slice(0, 300);
  if (status === 404 && /stream/i.test(text))
    return `HTTP 404: ${text}. The stream is not declared in this DCR: check --stream-name (Custom-MicrosoftSecureScore) or redeploy dcr-templates/securescore-dcr.json`;
  if (status === 404)
    return `HTTP 404: ${text}. No DCR with that immutable id behind this endpoint: check --dcr-immutable-id (dcr-...) and that --ingestion-endpoint is the DCR's own endpoint, in the DCR's region`;
  return `HTTP ${status}: ${text}. ${ingestionFix(status, body) ?? 'See the troubleshooting table in the README'}`;
}

async function check(name: string, run: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await run() };
  } catch (error) {
    return { name, ok: false, detail: describeError(error) };
  }
}

/**
 * `doctor`: proves a deployment is wired right, one line per check with the fix when it fails:
 * configuration, tokens for Graph and ingestion, one snapshot and one profile page from Graph, an
 * empty batch to the DCR stream, and a write to the state store.
 */
export async function doctorCommand(args: RunArgs, context: CommandContext): Promise<number> {
  const checks: Check[] = [];
  const report = (c: Check) => {
    checks.push(c);
    context.log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  };
  let config: Config;
  try {
    // The destination is optional here: doctor also serves a connector that writes NDJSON.
    config = buildConfig(
      { ...args, output: args.ingestionEndpoint || args.dcrImmutableId ? undefined : (args.output ?? '-') },
      context.env,
    );
    report({
      name: 'configuration',
      ok: true,
      detail: `cloud ${config.cloud}, Graph ${config.graphEndpoint}, ${config.ingestion ? `DCR ${config.ingestion.dcrImmutableId}/${config.ingestion.streamName}` : 'no DCR (NDJSON)'}, state ${config.statePath}`,
    });
  } catch (error) {
    report({ name: 'configuration', ok: false, detail: describeError(error) });
    return 2;
  }
  let credential: TokenCredential | undefined;
  const home = () => (credential ??= createCredential(config.authorityHost));

  const graphToken = await check('graph-token', async () => {
    const { tenantId } = await acquireToken(home(), `${config.graphEndpoint}/.default`, 'Microsoft Graph');
    return `token issued for tenant ${tenantId ?? 'unknown'}`;
  });
  report(graphToken);
  if (graphToken.ok) {
    const graph = createGraphConnection(home(), config.graphEndpoint);
    const policy = { ...config.retry, maxRetries: Math.min(config.retry.maxRetries, 1) };
    const stats = { requests: 0, retries: 0 };
    report(
      await check('graph-secure-scores', async () => {
        const body = (await getGraphJson(graph, '/security/secureScores?$top=1', policy, stats)) as {
          value?: Array<Record<string, unknown>>;
        };
        const latest = body.value?.[0];
        if (!latest) return 'readable, but the tenant has no snapshot yet (new tenants get one within a day)';
        return `latest snapshot ${String(latest.createdDateTime).slice(0, 10)}: ${String(latest.currentScore)} of ${String(latest.maxScore)}`;
      }),
    );
    report(
      await check('graph-control-profiles', async () => {
        const body = (await getGraphJson(graph, '/security/secureScoreControlProfiles?$top=1', policy, stats)) as { value?: unknown[] };
        return `readable (${body.value?.length ?? 0} profile on the first page)`;
      }),
    );
  }

  if (config.ingestion) {
    const ingestionToken = await check('ingestion-token', async () => {
      await acquireToken(home(), `${config.ingestionAudience}/.default`, 'Logs Ingestion');
      return `token issued for ${config.ingestionAudience}`;
    });
    report(ingestionToken);
    if (ingestionToken.ok) {
      const sink = new LogsIngestionSink(
        { ...config.ingestion, audience: config.ingestionAudience, resendRounds: 0, resendDelayMs: config.retry.baseDelayMs },
        home(),
      );
      report(
        await check('dcr-stream', async () => {
          let answer: { status: number; body: string };
          try {
            answer = await sink.probe();
          } catch (error) {
            const code = (error as { code?: string }).code;
            throw new Error(
              `no answer from ${config.ingestion!.endpoint}${code ? ` (${code})` : ''}. Check --ingestion-endpoint (the DCR's logsIngestionEndpoint output) and the network path to it`,
              { cause: error },
            );
          }
          if (answer.status !== 204 && answer.status !== 200) throw new Error(dcrProblem(answer.status, answer.body));
          return `an empty batch was accepted by ${config.ingestion!.dcrImmutableId}/${config.ingestion!.streamName}`;
        }),
      );
    }
  }

  if (config.statePath) {
    report(
      await check('state-store', async () => {
        const store = openCheckpointStore(config.statePath!, context.env, home);
        await store.checkWritable();
        return `${store.description} is writable`;
      }),
    );
  }

  const failed = checks.filter((c) => !c.ok).length;
  context.log(failed === 0 ? `doctor: all ${checks.length} checks passed` : `doctor: ${failed} of ${checks.length} checks failed`);
  return failed === 0 ? 0 : 1;
}
