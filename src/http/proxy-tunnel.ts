import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { PROXY_CONNECT_TIMEOUT_MS } from '../limits.js';

/** Codes of a CONNECT that opened no tunnel; the catalogue's network rows explain each (src/fixes.ts). */
export const PROXY_CODES = {
  /** The proxy answered 407 Proxy Authentication Required. */
  auth: 'EPROXYAUTH',
  /** The proxy answered another status than 200 (403 for a host it does not allow, 502...). */
  refused: 'EPROXYREFUSED',
  /** The proxy closed the connection without answering. */
  closed: 'EPROXYCLOSED',
  /** The proxy took the connection and did not answer within PROXY_CONNECT_TIMEOUT_MS. */
  silent: 'EPROXYTIMEOUT',
} as const;

/** The part of https-proxy-agent's HttpsProxyAgent (v7) this module relies on. */
interface ProxyAgent {
  readonly proxy: URL;
  connectOpts: Record<string, unknown>;
  connect(req: ClientRequest, opts: { host?: string; port?: number | string }): Promise<Socket>;
}

interface ProxyAgentClass {
  prototype: ProxyAgent & { [BOUND]?: true };
}

const BOUND = Symbol.for('securescore-connector.boundProxyTunnels');

/**
 * Makes every CONNECT tunnel the Azure SDKs open through HTTPS_PROXY end with the request that
 * asked for it. @azure/core-rest-pipeline's proxy policy sends each proxied request through
 * https-proxy-agent, whose CONNECT has three flaws this corrects in place, for every SDK client of
 * the process (Entra, Graph's transport, Logs Ingestion, Blob Storage):
 *
 * - its socket to the proxy belongs to no request until the tunnel is open, so a request aborted or
 *   timed out while the proxy has not answered leaves that socket open, and the process alive, until
 *   the proxy closes it (a cron job that never ends): here the request's end destroys it, and so does
 *   a proxy silent for PROXY_CONNECT_TIMEOUT_MS;
 * - a proxy's refusal (407 Proxy Authentication Required, 403...) is handed to the HTTP client as if
 *   the service had answered it, so Entra's discovery read a 407 as "unknown tenant": here it is an
 *   error with a code of PROXY_CODES, naming the proxy;
 * - a proxy that closes the connection without answering gives an error with no code: here it has one.
 *
 * The SDKs are loaded from their CommonJS builds (lazy-credential.ts, graph-transport.ts), so the agent
 * class is the one `require` finds from @azure/core-rest-pipeline's own runtime. Idempotent.
 */
export function boundSdkProxyTunnels(): void {
  const fromHere = createRequire(import.meta.url);
  const fromPipeline = createRequire(fromHere.resolve('@azure/core-rest-pipeline'));
  const fromRuntime = createRequire(fromPipeline.resolve('@typespec/ts-http-runtime'));
  const { HttpsProxyAgent } = fromRuntime('https-proxy-agent') as { HttpsProxyAgent: ProxyAgentClass };
  boundProxyTunnels(HttpsProxyAgent);
}

/** boundSdkProxyTunnels for a given agent class (tests pass the one they use). */
export function boundProxyTunnels(agentClass: ProxyAgentClass, connectTimeoutMs = PROXY_CONNECT_TIMEOUT_MS): void {
  const prototype = agentClass.prototype;
  if (prototype[BOUND]) return;
  const connect = prototype.connect;
  if (typeof connect !== 'function') throw new Error('https-proxy-agent has no connect(): the proxy tunnel bound needs updating');
  prototype.connect = function (this: ProxyAgent, req, opts) {
    return boundedConnect(this, connect, req, opts, connectTimeoutMs);
  };
  prototype[BOUND] = true;
}

async function boundedConnect(
  agent: ProxyAgent,
  connect: ProxyAgent['connect'],
  req: ClientRequest,
  opts: { host?: string; port?: number | string },
  timeoutMs: number,
): Promise<Socket> {
  // Named without its user and password, which messages must never show.
  const proxy = `${agent.proxy.protocol}//${agent.proxy.host}`;
  const target = `${opts.host}:${opts.port}`;
  const abandon = new AbortController();
  let answer: { statusCode: number; statusText?: string } | undefined;
  const onAnswer = (connectAnswer: { statusCode: number; statusText?: string }) => (answer = connectAnswer);
  req.once('proxyConnect', onAnswer);
  // req.destroy() does nothing to a socket the request does not have yet: destroy the tunnel with it.
  const destroy = req.destroy;
  req.destroy = function (this: ClientRequest, error?: Error) {
    abandon.abort(error);
    return destroy.call(this, error);
  };
  let silent = false;
  const timer = setTimeout(() => {
    silent = true;
    abandon.abort();
  }, timeoutMs);
  timer.unref();
  // connect() opens its socket to the proxy before its first await, with the options it reads here:
  // a signal among them destroys that socket when the tunnel is abandoned.
  const shared = agent.connectOpts;
  agent.connectOpts = { ...shared, signal: abandon.signal };
  let opening: Promise<Socket>;
  try {
    opening = connect.call(agent, req, opts);
  } finally {
    agent.connectOpts = shared;
  }
  try {
    const socket = await opening;
    if (answer && answer.statusCode !== 200) {
      // What came back is a stand-in replaying the proxy's answer as the service's: never given out.
      socket.destroy();
      const status = `${answer.statusCode}${answer.statusText ? ` ${answer.statusText}` : ''}`;
      throw proxyError(
        answer.statusCode === 407 ? PROXY_CODES.auth : PROXY_CODES.refused,
        `the proxy ${proxy} answered CONNECT ${target} with ${status}`,
      );
    }
    return socket;
  } catch (error) {
    if (silent) throw proxyError(PROXY_CODES.silent, `the proxy ${proxy} did not answer CONNECT ${target} within ${timeoutMs / 1000} s`);
    if (abandon.signal.aborted || answer) throw error;
    // The proxy refused or reset the connection, or closed it without a word: its error, naming it.
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string') {
      throw proxyError(code, `the proxy ${proxy} failed on CONNECT ${target}: ${error instanceof Error ? error.message : String(error)}`);
    }
    throw proxyError(PROXY_CODES.closed, `the proxy ${proxy} closed the connection without answering CONNECT ${target}`);
  } finally {
    clearTimeout(timer);
    req.off('proxyConnect', onAnswer);
    // Back to the prototype's destroy: from now on the request owns its socket and destroys it itself.
    delete (req as { destroy?: unknown }).destroy;
  }
}

function proxyError(code: string, message: string): Error {
  // The code is in the text too: some callers keep only an error's message (and the catalogue reads it there).
  return Object.assign(new Error(message.includes(code) ? message : `${message} (${code})`), { code });
}
