import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** An outbound HTTP proxy on loopback that tunnels HTTPS with CONNECT, as corporate proxies do. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY. */
  readonly url: string;
  /** Tunnels opened, per target `host:port`. */
  readonly tunnels: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts a CONNECT proxy on 127.0.0.1: for each CONNECT it opens a TCP connection to the target and
 * pipes both ways, counting tunnels per target. TLS stays end to end: the proxy sees only host and
 * port, like a real one without TLS inspection.
 */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels = new Map<string, number>();
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((_req, res) => {
    // Only CONNECT is served: plain HTTP through this proxy would be a test mistake.
    res.writeHead(405).end();
  });
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
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
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
