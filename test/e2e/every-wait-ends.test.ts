/**
 * Every wait ends (issue 24, delivery item 3): whatever a proxy or an endpoint does once it has
 * taken the connection (never answers, answers 407, resets, closes), on the way to Entra, Graph or
 * Logs Ingestion, the run ends in bounded time with exit 1 and a message naming the network problem,
 * and nothing keeps the process alive after it (a cron job that hangs never runs again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_REQUEST_TIMEOUT_MS } from '../../src/limits.js';
import { startConnectProxy, type ProxyMode } from '../support/connect-proxy.js';
import { startWorld, type World } from '../support/fixture.js';
import { startHalfOpenServer, type ServerFault } from '../support/half-open-server.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

type Endpoint = 'entra' | 'graph' | 'ingestion';
const FLAG: Record<Endpoint, string> = { entra: '--authority-host', graph: '--graph-endpoint', ingestion: '--ingestion-endpoint' };

/** Small time-outs, so a silent Graph or ingestion endpoint costs a second; a token request's is fixed (10 s). */
const QUICK = ['--max-retries', '0', '--request-timeout-seconds', '1', '--ingestion-timeout-seconds', '1', '--shutdown-grace-seconds', '1'];
/** The longest wait configured (a token request's time-out) and a margin for start-up on a loaded machine. */
const BOUND_MS = TOKEN_REQUEST_TIMEOUT_MS + 8_000;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** How each fault reads: the code in `cannot reach <host> (<code>): <problem>`, and what the ingestion line says. */
const READS: Record<ProxyMode | ServerFault, { code: (endpoint: Endpoint) => string; problem: string; ingestion: string }> = {
  tunnel: { code: () => '', problem: '', ingestion: '' },
  silent: {
    code: (endpoint) => `no answer within ${endpoint === 'entra' ? TOKEN_REQUEST_TIMEOUT_MS / 1000 : 1} s`,
    problem: 'no answer in time',
    ingestion: 'no answer within --ingestion-timeout-seconds',
  },
  'require-auth': { code: () => 'EPROXYAUTH', problem: 'the proxy wants credentials', ingestion: 'EPROXYAUTH' },
  drop: { code: () => 'EPROXYCLOSED', problem: 'the proxy closed the connection', ingestion: 'EPROXYCLOSED' },
  reset: { code: () => 'ECONNRESET', problem: 'the connection was cut', ingestion: 'ECONNRESET' },
  'proxy-auth': { code: () => 'HTTP 407', problem: 'a proxy on the way wants credentials', ingestion: 'HTTP 407' },
  close: { code: () => 'ECONNRESET', problem: 'the connection was cut', ingestion: 'ECONNRESET' },
};

/**
 * The line a fault must produce. Entra's ends the run (`Network: ...`); Graph's is the tenant's problem
 * (`tenant <id>: Network: ...`), and so is Logs Ingestion's when the network refused it; a request
 * never answered or answered by a proxy is the sink's own line (`Logs Ingestion: ...`).
 */
function expected(endpoint: Endpoint, fault: ProxyMode | ServerFault, target: string, proxy: string | undefined): RegExp {
  const reads = READS[fault];
  const via = proxy ? ` through proxy ${escape(`http://${proxy}`)}` : '';
  if (endpoint === 'ingestion') {
    // A request never answered is cut by --ingestion-timeout-seconds (the sink's own line); one the
    // network refused says Network:, naming the host and the proxy, as Entra's and Graph's do.
    if (fault === 'silent' || reads.ingestion.startsWith('HTTP '))
      return new RegExp(`^\\s*tenant \\S+: Logs Ingestion: .*${escape(reads.ingestion)}`, 'm');
    return new RegExp(
      `^\\s*tenant \\S+: Network: cannot reach ${escape(target)}${via} \\(${escape(reads.ingestion)}\\): ${escape(reads.problem)}.*, so .* Logs Ingestion`,
      'm',
    );
  }
  const reach = `Network: cannot reach ${escape(target)}${via} \\(${escape(reads.code(endpoint))}\\): ${escape(reads.problem)}`;
  return new RegExp(endpoint === 'entra' ? `^${reach}` : `^\\s*tenant \\S+: ${reach}`, 'm');
}

describe.concurrent('every wait ends: a faulty proxy or a half-open endpoint', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  const urlOf = (endpoint: Endpoint) => ({ entra: world.entra.url, graph: world.graph.url, ingestion: world.ingestion.url })[endpoint];
  /** The world's flags and QUICK, with `endpoint` replaced and the other two under `localhost` (NO_PROXY sends them around the proxy). */
  const flags = (endpoint: Endpoint, url: string) => {
    const args = [...world.flags, ...QUICK];
    for (const other of Object.keys(FLAG) as Endpoint[]) {
      args[args.indexOf(FLAG[other]) + 1] = other === endpoint ? url : urlOf(other).replace('127.0.0.1', 'localhost');
    }
    return args;
  };
  const run = async (args: string[], env: Record<string, string>) => {
    const started = Date.now();
    const result = await runCli(['run', ...args], { ...world.env, ...env }, { cwd: tempDir('securescore-waits-'), timeoutMs: 40_000 });
    return { ...result, ms: Date.now() - started };
  };

  const ENDPOINTS: readonly Endpoint[] = ['entra', 'graph', 'ingestion'];
  const PROXY_FAULTS: readonly ProxyMode[] = ['silent', 'require-auth', 'drop', 'reset'];
  const SERVER_FAULTS: readonly ServerFault[] = ['silent', 'proxy-auth', 'reset', 'close'];

  it.each(ENDPOINTS.flatMap((endpoint) => PROXY_FAULTS.map((fault) => [endpoint, fault] as const)))(
    'a proxy on the way to %s that does "%s" to the CONNECT: exit 1 within the time-outs, naming the proxy',
    async (endpoint, fault) => {
      const proxy = await startConnectProxy({ mode: fault });
      try {
        const target = urlOf(endpoint);
        const result = await run(flags(endpoint, target), { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' });
        expect(proxy.connects.get(new URL(target).host), 'the request went to the proxy').toBeGreaterThan(0);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(expected(endpoint, fault, new URL(target).host, proxy.host));
        expect(result.stderr).not.toMatch(/^Authentication:|Check AZURE_TENANT_ID|SecurityEvents\.Read\.All|Monitoring Metrics Publisher/m);
        expect(result.ms, `ended after ${result.ms} ms`).toBeLessThan(BOUND_MS);
      } finally {
        await proxy.close();
      }
    },
  );

  it.each(ENDPOINTS.flatMap((endpoint) => SERVER_FAULTS.map((fault) => [endpoint, fault] as const)))(
    'a %s endpoint that takes the connection and then does "%s": exit 1 within the time-outs, naming the host',
    async (endpoint, fault) => {
      const server = await startHalfOpenServer(fault);
      try {
        const result = await run(flags(endpoint, server.url), {});
        expect(server.requests(), 'the request reached the endpoint').toBeGreaterThan(0);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(expected(endpoint, fault, server.host, undefined));
        expect(result.stderr).not.toMatch(/^Authentication:|Check AZURE_TENANT_ID|SecurityEvents\.Read\.All|Monitoring Metrics Publisher/m);
        expect(result.ms, `ended after ${result.ms} ms`).toBeLessThan(BOUND_MS);
      } finally {
        await server.close();
      }
    },
  );
});
