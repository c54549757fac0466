/**
 * Network is not identity: an unreachable, silent or proxied endpoint (Entra, Graph, Logs Ingestion)
 * is reported as a network problem naming the host, with exit 1 (the next run may succeed); proxies
 * from HTTPS_PROXY/NO_PROXY carry all three; and no wait on the token endpoint lasts forever.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { startWorld, type World } from '../support/fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

type Endpoint = 'entra' | 'graph' | 'ingestion';
const ENDPOINTS: readonly Endpoint[] = ['entra', 'graph', 'ingestion'];
const FLAG: Record<Endpoint, string> = { entra: '--authority-host', graph: '--graph-endpoint', ingestion: '--ingestion-endpoint' };

/** `host:port` of a stand-in URL. */
const hostOf = (url: string) => new URL(url).host;

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
        /^ {2}tenant .*?: Graph https:\/\/graph\.example\.invalid\/.*cannot reach graph\.example\.invalid \(ENOTFOUND\)/m,
      ],
      ['ingestion', 'https://dce.example.invalid', /Logs Ingestion: .*ENOTFOUND.*dce\.example\.invalid/],
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
            `Graph https://127\\.0\\.0\\.1:\\d+/.*network: cannot reach 127\\.0\\.0\\.1:\\d+ through proxy http://${p} \\(ECONNREFUSED\\)`,
          ),
      ],
      ['ingestion', (p) => new RegExp(`Logs Ingestion: .*ECONNREFUSED.*${p}`)],
    ])('reports a proxy that refuses the connection to %s as a network problem naming it, exit 1', async (endpoint, message) => {
      const dead = await startConnectProxy();
      await dead.close();
      const others = Object.fromEntries(ENDPOINTS.filter((e) => e !== endpoint).map((e) => [e, viaLocalhost(e)]));
      const result = await run(flags(others), { HTTPS_PROXY: dead.url, NO_PROXY: 'localhost' });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message(hostOf(dead.url).replace(/\./g, '\\.')));
      expect(result.stderr).not.toMatch(/Check AZURE_TENANT_ID|SecurityEvents\.Read\.All|Monitoring Metrics Publisher/);
    });
  });
});
