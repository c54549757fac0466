/**
 * Network is not identity: an unreachable, silent or proxied endpoint (Entra, Graph, Logs Ingestion)
 * is reported as a network problem naming the host, with exit 1 (the next run may succeed); proxies
 * from HTTPS_PROXY/NO_PROXY carry all three; and no wait on the token endpoint lasts forever.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_REQUEST_TIMEOUT_MS } from '../../src/limits.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

type Endpoint = 'entra' | 'graph' | 'ingestion';
const ENDPOINTS: readonly Endpoint[] = ['entra', 'graph', 'ingestion'];
const FLAG: Record<Endpoint, string> = { entra: '--authority-host', graph: '--graph-endpoint', ingestion: '--ingestion-endpoint' };

/** `host:port` of a stand-in URL. */
const hostOf = (url: string) => new URL(url).host;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** What a message that blames the authority's credentials, tenant or permissions looks like: never right for these. */
const NOT_IDENTITY =
  /^Authentication:|Check AZURE_TENANT_ID|the authority does not know this tenant|SecurityEvents\.Read\.All|Monitoring Metrics Publisher/m;

describe('network failures and proxies', () => {
  let world: World;
  let proxy: ConnectProxy;
  beforeAll(async () => {
    world = await startWorld();
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await Promise.all([world.close(), proxy.close()]);
  });
  afterEach(() => {
    world.entra.stallTokens = false;
    proxy.tunnels.clear();
  });

  const urlOf = (endpoint: Endpoint) => ({ entra: world.entra.url, graph: world.graph.url, ingestion: world.ingestion.url })[endpoint];
  /** The world's flags with some endpoints replaced. */
  const flags = (replace: Partial<Record<Endpoint, string>> = {}) => {
    const args = [...world.flags, '--max-retries', '1'];
    for (const [endpoint, url] of Object.entries(replace)) args[args.indexOf(FLAG[endpoint as Endpoint]) + 1] = url;
    return args;
  };
  /** The same stand-in under the name `localhost`, which NO_PROXY=localhost sends around the proxy. */
  const viaLocalhost = (endpoint: Endpoint) => urlOf(endpoint).replace('127.0.0.1', 'localhost');
  const run = (args: string[], env: Record<string, string> = {}, options: Parameters<typeof runCli>[2] = {}) =>
    runCli(['run', ...args], { ...world.env, ...env }, { cwd: tempDir('securescore-network-'), ...options });

  describe('a token endpoint that sends headers, then stalls', () => {
    it('ends the run with a network error naming the authority, exit 1, instead of hanging', async () => {
      world.entra.stallTokens = true;
      const result = await run(flags(), {}, { timeoutMs: 45_000 });
      expect(world.entra.stalled.length).toBeGreaterThan(0);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^Network: cannot reach ${hostOf(world.entra.url).replace(/\./g, '\\.')} \\(no answer within \\d+ s\\): no answer in time`,
          'm',
        ),
      );
      expect(result.stderr).not.toContain('AZURE_TENANT_ID');
    });

    it('stops on SIGTERM with exit 143 instead of ignoring it', async () => {
      world.entra.stallTokens = true;
      const earlier = world.entra.stalled.length;
      let stalledAt = 0;
      // The signal goes once this run's token request hangs, so the CLI is past start-up and waiting.
      const stalled = () => world.entra.stalled.length > earlier && (stalledAt ||= Date.now()) > 0;
      const result = await run(flags(), {}, { timeoutMs: 45_000, kill: { signal: 'SIGTERM', afterMs: 200, when: stalled } });
      expect(result.code, result.stderr).toBe(143);
      expect(result.stderr).toContain('SIGTERM received');
      // Bounded by the token request's deadline even where the run's stop signal does not reach it.
      expect(Date.now() - stalledAt).toBeLessThan(30_000);
    });
  });

  describe('an endpoint whose host name does not resolve', () => {
    it.each<[Endpoint, string, RegExp]>([
      [
        'entra',
        'https://login.example.invalid',
        /^Network: cannot reach login\.example\.invalid \(ENOTFOUND\): the host name does not resolve \(DNS\)/m,
      ],
      [
        'graph',
        'https://graph.example.invalid',
        /^ {2}tenant .*?: Network: cannot reach graph\.example\.invalid \(ENOTFOUND\): the host name does not resolve \(DNS\), so Graph https:\/\/graph\.example\.invalid\//m,
      ],
      [
        'ingestion',
        'https://dce.example.invalid',
        /^ {2}tenant .*?: Network: cannot reach dce\.example\.invalid \(ENOTFOUND\): the host name does not resolve \(DNS\), so \d+ request\(s\) with \d+ record\(s\) were not sent to Logs Ingestion/m,
      ],
    ])('%s is a network problem naming the host, exit 1, never a credential one', async (endpoint, url, message) => {
      const result = await run(flags({ [endpoint]: url }));
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/Check AZURE_TENANT_ID|retrying will not help/);
    });

    it('tells an authority that refuses connections from a wrong tenant: network, exit 1', async () => {
      const result = await run(flags({ entra: 'https://127.0.0.1:9' }));
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/^Network: cannot reach 127\.0\.0\.1:9 \(ECONNREFUSED\): the connection was refused/m);
    });
  });

  describe('through an outbound proxy (HTTPS_PROXY)', () => {
    it('sends Entra, Graph and Logs Ingestion through the CONNECT proxy', async () => {
      const result = await run(flags(), { HTTPS_PROXY: proxy.url });
      expect(result.code, result.stderr).toBe(0);
      for (const endpoint of ENDPOINTS) expect(proxy.tunnels.get(hostOf(urlOf(endpoint))), endpoint).toBeGreaterThan(0);
      expect(world.ingestion.accepted.length).toBeGreaterThan(0);
    });

    it.each(ENDPOINTS)('lets NO_PROXY send %s around the proxy while the others go through it', async (bypassed) => {
      const result = await run(flags({ [bypassed]: viaLocalhost(bypassed) }), { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' });
      expect(result.code, result.stderr).toBe(0);
      for (const endpoint of ENDPOINTS) {
        const tunnels = (proxy.tunnels.get(hostOf(urlOf(endpoint))) ?? 0) + (proxy.tunnels.get(hostOf(viaLocalhost(endpoint))) ?? 0);
        if (endpoint === bypassed) expect(tunnels, endpoint).toBe(0);
        else expect(tunnels, endpoint).toBeGreaterThan(0);
      }
    });

    it.each<[Endpoint, (proxyHost: string) => RegExp]>([
      ['entra', (p) => new RegExp(`^Network: cannot reach 127\\.0\\.0\\.1:\\d+ through proxy http://${p} \\(ECONNREFUSED\\)`, 'm')],
      [
        'graph',
        (p) =>
          new RegExp(
            `^ {2}tenant .*?: Network: cannot reach 127\\.0\\.0\\.1:\\d+ through proxy http://${p} \\(ECONNREFUSED\\): .*, so Graph https://127\\.0\\.0\\.1:\\d+/`,
            'm',
          ),
      ],
      [
        'ingestion',
        (p) => new RegExp(`Network: cannot reach \\S+ through proxy \\S*${p}\\S* \\(ECONNREFUSED\\).*not sent to Logs Ingestion`),
      ],
    ])('reports a proxy that refuses the connection to %s as a network problem naming it, exit 1', async (endpoint, message) => {
      const dead = await startConnectProxy();
      await dead.close();
      const others = Object.fromEntries(ENDPOINTS.filter((e) => e !== endpoint).map((e) => [e, viaLocalhost(e)]));
      const result = await run(flags(others), { HTTPS_PROXY: dead.url, NO_PROXY: 'localhost' });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message(hostOf(dead.url).replace(/\./g, '\\.')));
      expect(result.stderr).not.toMatch(/Check AZURE_TENANT_ID|SecurityEvents\.Read\.All|Monitoring Metrics Publisher/);
    });

    describe('that will not open the tunnel (issue 24, rows 6 and 7)', () => {
      /** Starts a proxy for one test; closed after it whatever happens. */
      const withProxy = async (options: Parameters<typeof startConnectProxy>[0], test: (p: ConnectProxy) => Promise<void>) => {
        const p = await startConnectProxy(options);
        try {
          await test(p);
        } finally {
          await p.close();
        }
      };
      const timed = async (...args: Parameters<typeof run>) => {
        const started = Date.now();
        const result = await run(...args);
        return { ...result, ms: Date.now() - started };
      };

      it('reports a proxy that wants credentials (407) as a network problem naming it, never its credentials: exit 1, not AUTH', async () => {
        await withProxy({ credentials: { user: 'svc-connector', password: 'Pr0xy-Pa55' } }, async (strict) => {
          const result = await run(flags(), { HTTPS_PROXY: strict.url.replace('//', '//svc-connector:wrong-Pa55@') });
          expect(result.code, result.stderr).toBe(1);
          expect(result.stderr).toMatch(
            new RegExp(
              `^Network: cannot reach 127\\.0\\.0\\.1:\\d+ through proxy http://${escape(strict.host)} \\(EPROXYAUTH\\): the proxy wants credentials`,
              'm',
            ),
          );
          expect(result.stderr).toMatch(/user and password in the proxy URL/);
          expect(result.stderr).not.toMatch(NOT_IDENTITY);
          expect(result.stderr + result.stdout).not.toMatch(/svc-connector|Pa55/);

          // The fix the message gives works: the same proxy with its credentials in the URL lets the run through.
          const right = await run(flags(), { HTTPS_PROXY: strict.url.replace('//', '//svc-connector:Pr0xy-Pa55@') });
          expect(right.code, right.stderr).toBe(0);
          expect(strict.tunnels.size).toBeGreaterThan(0);
          expect(right.stderr + right.stdout).not.toMatch(/Pa55/);
        });
      });

      it('reports a proxy that drops the CONNECT as a network problem naming it: exit 1, not AUTH', async () => {
        await withProxy({ mode: 'drop' }, async (dropping) => {
          const result = await run(flags(), { HTTPS_PROXY: dropping.url });
          expect(result.code, result.stderr).toBe(1);
          expect(result.stderr).toMatch(
            new RegExp(
              `^Network: cannot reach 127\\.0\\.0\\.1:\\d+ through proxy http://${escape(dropping.host)} \\(EPROXYCLOSED\\): the proxy closed the connection`,
              'm',
            ),
          );
          expect(result.stderr).not.toMatch(NOT_IDENTITY);
        });
      });

      it('ends a run whose proxy never answers the CONNECT at the token time-out, naming the proxy, and the process with it', async () => {
        await withProxy({ mode: 'silent' }, async (silent) => {
          const result = await timed(flags(), { HTTPS_PROXY: silent.url }, { timeoutMs: 40_000 });
          expect(silent.connects.size).toBeGreaterThan(0);
          expect(result.code, result.stderr).toBe(1);
          expect(result.stderr).toMatch(
            new RegExp(
              `^Network: cannot reach 127\\.0\\.0\\.1:\\d+ through proxy http://${escape(silent.host)} \\(no answer within ${TOKEN_REQUEST_TIMEOUT_MS / 1000} s\\)`,
              'm',
            ),
          );
          // The message comes at the token request's time-out; the process ends right after it, not when the proxy lets go.
          expect(result.ms).toBeGreaterThanOrEqual(TOKEN_REQUEST_TIMEOUT_MS);
          expect(result.ms).toBeLessThan(TOKEN_REQUEST_TIMEOUT_MS + 6_000);
        });
      });

      it.each<Endpoint>(['graph', 'ingestion'])(
        'ends within the deadline and grace period a run whose %s requests wait on a silent proxy with long time-outs',
        async (endpoint) => {
          await withProxy({ mode: 'silent' }, async (silent) => {
            const others = Object.fromEntries(ENDPOINTS.filter((e) => e !== endpoint).map((e) => [e, viaLocalhost(e)]));
            const long = ['--request-timeout-seconds', '600', '--ingestion-timeout-seconds', '600'];
            const deadline = ['--max-run-minutes', '0.1', '--shutdown-grace-seconds', '1'];
            const result = await timed(
              [...flags(others), ...long, ...deadline],
              { HTTPS_PROXY: silent.url, NO_PROXY: 'localhost' },
              { timeoutMs: 40_000 },
            );
            expect(silent.connects.get(hostOf(urlOf(endpoint)))).toBeGreaterThan(0);
            expect(result.code, result.stderr).toBe(1);
            expect(result.stderr).toContain('the run deadline (--max-run-minutes 0.1) is reached');
            // 6 s of deadline, 1 s of grace, and a margin for start-up: not the proxy's own time-out, and not
            // the last-resort exit 5 s after the grace period (StopControl), which would mean something hung on.
            expect(result.stderr).not.toContain('exiting now');
            expect(result.ms).toBeLessThan(6_000 + 1_000 + 3_000);
          });
        },
      );
    });
  });
});
