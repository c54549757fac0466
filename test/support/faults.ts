import type { ServerResponse } from 'node:http';
import { sendJson } from './https-server.js';

/** One injected failure, consumed by the first request whose path+query matches. */
export type Fault =
  | { match: RegExp; status: number; headers?: Record<string, string>; body?: unknown }
  | { match: RegExp; kind: 'reset' | 'hang' | 'invalid-json' | 'partial-content' }
  /** 200 with this body as JSON after a UTF-8 byte order mark, as some proxies and Windows tools write it. */
  | { match: RegExp; withByteOrderMark: unknown };

/** A queue of faults; `times` copies are consumed one per matching request. */
export class FaultQueue {
  private readonly faults: Fault[] = [];
  /** Faults answered so far, for assertions. */
  readonly served: string[] = [];

  /** Drops the faults not yet served (the service recovers). */
  clear(): void {
    this.faults.length = 0;
  }

  add(fault: Fault, times = 1): this {
    for (let i = 0; i < times; i++) this.faults.push(fault);
    return this;
  }

  /** Answers with the first matching fault and returns true, or returns false to serve normally. */
  serve(pathAndQuery: string, res: ServerResponse): boolean {
    const index = this.faults.findIndex((f) => f.match.test(pathAndQuery));
    if (index < 0) return false;
    const [fault] = this.faults.splice(index, 1);
    if (!fault) return false;
    if ('status' in fault) {
      this.served.push(`${fault.status} ${pathAndQuery}`);
      sendJson(
        res,
        fault.status,
        fault.body ?? { error: { code: `Status${fault.status}`, message: 'injected by the stand-in' } },
        fault.headers,
      );
      return true;
    }
    if ('withByteOrderMark' in fault) {
      this.served.push(`bom ${pathAndQuery}`);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(`\uFEFF${JSON.stringify(fault.withByteOrderMark)}`);
      return true;
    }
    this.served.push(`${fault.kind} ${pathAndQuery}`);
    switch (fault.kind) {
      case 'reset':
        res.socket?.destroy();
        break;
      case 'hang':
        // Never answer: the client's time-out must fire. The socket is destroyed when the server closes.
        break;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"value": [ {"id": "truncated');
        break;
      case 'partial-content':
        res.writeHead(206, { 'content-type': 'application/json', warning: '199 - "Provider SecureScore failed to respond"' });
        res.end(JSON.stringify({ value: [] }));
        break;
    }
    return true;
  }
}
