import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * What the proxy does with a CONNECT:
 * - `tunnel`: opens the tunnel (with `credentials`, only for a request carrying them);
 * - `require-auth`: answers 407 Proxy Authentication Required, as a proxy that wants a login;
 * - `drop`: closes the connection without an answer, as a proxy that refuses the host;
 * - `reset`: resets the connection (TCP RST) without an answer, as a firewall in front of the proxy;
 * - `silent`: reads the CONNECT and never answers, keeping the connection open (a wedged proxy).
 */
export type ProxyMode = 'tunnel' | 'require-auth' | 'drop' | 'reset' | 'silent';

/** An outbound HTTP proxy on loopback that tunnels HTTPS with CONNECT, as corporate proxies do. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY. */
  readonly url: string;
  /** `127.0.0.1:<port>`, as messages name the proxy. */
  readonly host: string;
  /** Tunnels opened, per target `host:port`. */
  readonly tunnels: Map<string, number>;
  /** CONNECT requests received, per target `host:port`, whatever was answered. */
  readonly connects: Map<string, number>;
  /** What the next CONNECTs get; tests may change it between runs. */
  mode: ProxyMode;
  /** Connections from clients still open (a client that forgot a socket keeps one here). */
  openClients(): number;
  close(): Promise<void>;
}

/**
 * Starts a CONNECT proxy on 127.0.0.1: for each CONNECT it opens a TCP connection to the target and
 * pipes both ways, counting tunnels per target. TLS stays end to end: the proxy sees only host and
 * port, like a real one without TLS inspection. `mode` (and `credentials`, a user and password the
 * proxy asks for) make it a faulty or a strict proxy.
 */
export async function startConnectProxy(
  options: { mode?: ProxyMode; credentials?: { user: string; password: string } } = {},
): Promise<ConnectProxy> {
  const tunnels = new Map<string, number>();
  const connects = new Map<string, number>();
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const server = createServer((_req, res) => {
    // Only CONNECT is served: plain HTTP through this proxy would be a test mistake.
    res.writeHead(405).end();
  });
  server.on('connection', (s: Socket) => {
    track(s);
    clients.add(s);
    s.on('close', () => clients.delete(s));
  });
  const proxy: ConnectProxy = {
    url: '',
    host: '',
    tunnels,
    connects,
    mode: options.mode ?? 'tunnel',
    openClients: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.set(target, (connects.get(target) ?? 0) + 1);
    client.on('error', () => client.destroy());
    // An HTTP server's sockets stay half-open after the client's FIN; a proxy closes its side too.
    client.on('end', () => client.destroy());
    const mode = proxy.mode === 'tunnel' && expected && req.headers['proxy-authorization'] !== expected ? 'require-auth' : proxy.mode;
    switch (mode) {
      case 'require-auth':
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="stand-in"\r\n' +
            'Content-Type: text/html\r\nContent-Length: 22\r\nConnection: close\r\n\r\n<h1>Login needed</h1>\n',
        );
        return;
      case 'drop':
        client.destroy();
        return;
      case 'reset':
        client.resetAndDestroy();
        return;
      case 'silent':
        // Read and forget: the client waits for an answer that never comes, until it gives up.
        client.resume();
        return;
      case 'tunnel':
        break;
    }
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = connect(port, host, () => {
      tunnels.set(target, (tunnels.get(target) ?? 0) + 1);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(proxy, { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` });
  return proxy;
}
