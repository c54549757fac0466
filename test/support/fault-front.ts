import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP front for a plain-HTTP service (Azurite) that can answer chosen requests itself. */
export interface FaultFront {
  /** The front's origin, to use in place of the service's. */
  readonly url: string;
  /**
   * Asked for every request: a status to answer instead of forwarding (the service's error shape), or
   * undefined to forward it. Set between runs.
   */
  fault: ((req: IncomingMessage) => number | undefined) | undefined;
  /** Requests answered by `fault`, as `METHOD path?query`. */
  readonly faulted: string[];
  close(): Promise<void>;
}

/** Starts a front for `target` (http://host:port). */
export async function startFaultFront(target: string): Promise<FaultFront> {
  const faulted: string[] = [];
  const state: { fault: FaultFront['fault'] } = { fault: undefined };
  const server = createServer((req, res) => {
    const status = state.fault?.(req);
    if (status !== undefined) {
      faulted.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': status === 503 ? 'ServerBusy' : 'InternalError' });
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${status === 503 ? 'ServerBusy' : 'InternalError'}</Code><Message>injected by the test front</Message></Error>`,
      );
      return;
    }
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.defineProperties({ url: `http://127.0.0.1:${port}`, faulted } as unknown as FaultFront, {
    fault: { get: () => state.fault, set: (v: FaultFront['fault']) => (state.fault = v) },
    close: {
      value: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    },
  });
}
