import { request, type Agent } from 'node:https';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundProxyTunnels, boundSdkProxyTunnels, PROXY_CODES } from '../../src/http/proxy-tunnel.js';
import { startConnectProxy, type ConnectProxy, type ProxyMode } from '../support/connect-proxy.js';
import { sendJson, startHttpsServer, type RunningServer } from '../support/https-server.js';
import { testCertificate } from '../support/tls.js';

// The agent class @azure/core-rest-pipeline sends proxied requests through, as boundSdkProxyTunnels finds it.
const fromPipeline = createRequire(createRequire(import.meta.url).resolve('@azure/core-rest-pipeline'));
const { HttpsProxyAgent } = createRequire(fromPipeline.resolve('@typespec/ts-http-runtime'))('https-proxy-agent') as {
  HttpsProxyAgent: new (proxy: string) => Agent;
};

/** Subclasses, so these tests bound their own agents and never the SDK's class. */
class BoundAgent extends HttpsProxyAgent {}
boundProxyTunnels(BoundAgent as never);
class QuickAgent extends HttpsProxyAgent {}
boundProxyTunnels(QuickAgent as never, 300);

/** GETs `url` through `agent`: the status, or the error with its code. */
function get(url: string, agent: Agent, signal?: AbortSignal): Promise<{ status?: number; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const req = request(url, { agent, ca: testCertificate().cert, signal }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
    req.end();
  });
}

const until = async (condition: () => boolean, ms = 2_000) => {
  for (const end = Date.now() + ms; !condition() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  return condition();
};

describe('proxy tunnels that end with their request', () => {
  let service: RunningServer;
  let proxy: ConnectProxy;
  beforeAll(async () => {
    service = await startHttpsServer((_req, res) => sendJson(res, 200, { ok: true }));
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await Promise.all([service.close(), proxy.close()]);
  });
  const through = (mode: ProxyMode, url = proxy.url) => {
    proxy.mode = mode;
    return new BoundAgent(url);
  };

  it('still tunnels to the service through a proxy that opens the tunnel', async () => {
    expect(await get(`${service.url}/`, through('tunnel'))).toEqual({ status: 200 });
  });

  it.each<[ProxyMode, string, RegExp]>([
    [
      'require-auth',
      PROXY_CODES.auth,
      /^the proxy http:\/\/127\.0\.0\.1:\d+ answered CONNECT 127\.0\.0\.1:\d+ with 407 Proxy Authentication Required/,
    ],
    ['drop', PROXY_CODES.closed, /^the proxy http:\/\/127\.0\.0\.1:\d+ closed the connection without answering CONNECT/],
    ['reset', 'ECONNRESET', /^the proxy http:\/\/127\.0\.0\.1:\d+ failed on CONNECT 127\.0\.0\.1:\d+: read ECONNRESET/],
  ])('turns a proxy that does "%s" to the CONNECT into an error coded %s that names it', async (mode, code, message) => {
    const { status, error } = await get(`${service.url}/`, through(mode));
    expect(status).toBeUndefined();
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(message);
  });

  it('never names the proxy with its user and password', async () => {
    const { error } = await get(`${service.url}/`, through('require-auth', proxy.url.replace('//', '//svc:Pa55w0rd@')));
    expect(error?.code).toBe(PROXY_CODES.auth);
    expect(error?.message).toContain(proxy.host);
    expect(error?.message).not.toMatch(/svc|Pa55w0rd/);
  });

  it('destroys the socket to a proxy that never answers when the request is aborted', async () => {
    const silent = await startConnectProxy({ mode: 'silent' });
    try {
      const abort = new AbortController();
      const pending = get(`${service.url}/`, new BoundAgent(silent.url), abort.signal);
      expect(await until(() => silent.openClients() > 0)).toBe(true);
      abort.abort();
      expect((await pending).error?.name).toBe('AbortError');
      // Before: the socket stayed open (and the process alive) until the proxy closed it.
      expect(await until(() => silent.openClients() === 0)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it('gives up on a proxy that never answers the CONNECT after its time-out, with a code that says so', async () => {
    const silent = await startConnectProxy({ mode: 'silent' });
    try {
      const { error } = await get(`${service.url}/`, new QuickAgent(silent.url));
      expect(error?.code).toBe(PROXY_CODES.silent);
      expect(error?.message).toMatch(/did not answer CONNECT 127\.0\.0\.1:\d+ within 0\.3 s/);
      expect(await until(() => silent.openClients() === 0)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it("finds the SDK's own agent class, whatever nests it, and bounds it once", () => {
    expect(() => {
      boundSdkProxyTunnels();
      boundSdkProxyTunnels();
    }).not.toThrow();
    expect(Object.getOwnPropertySymbols(HttpsProxyAgent.prototype).map(String)).toContain(
      'Symbol(securescore-connector.boundProxyTunnels)',
    );
  });
});
