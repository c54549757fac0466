import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { testCertificate } from './tls.js';

/**
 * What a faulty HTTPS endpoint does once it has read a request (the TLS handshake always succeeds):
 * - `silent`: nothing, ever: the connection stays open and unanswered (a half-open endpoint);
 * - `proxy-auth`: answers 407 Proxy Authentication Required, as an intercepting proxy on the path;
 * - `reset`: resets the connection (TCP RST);
 * - `close`: closes the connection without an answer.
 */
export type ServerFault = 'silent' | 'proxy-auth' | 'reset' | 'close';

/** A loopback HTTPS endpoint that fails every request the same way. */
export interface HalfOpenServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Requests read so far. */
  readonly requests: () => number;
  /** Connections from clients still open. */
  readonly openClients: () => number;
  close(): Promise<void>;
}

/** Starts an HTTPS endpoint on 127.0.0.1 (the test certificate) that answers every request with `fault`. */
export async function startHalfOpenServer(fault: ServerFault): Promise<HalfOpenServer> {
  const { cert, key } = testCertificate();
  const secureContext = createSecureContext({ cert, key });
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => raw.destroy());
    const tls = new TLSSocket(raw, { isServer: true, secureContext });
    tls.on('error', () => raw.destroy());
    tls.once('data', () => {
      requests++;
      switch (fault) {
        case 'silent':
          tls.resume();
          break;
        case 'proxy-auth':
          tls.end(
            'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="path"\r\n' +
              'Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
          );
          break;
        case 'reset':
          raw.resetAndDestroy();
          break;
        case 'close':
          tls.end();
          break;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: () => requests,
    openClients: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
