import { request } from 'node:https';
import { startHttpsServer, type RunningServer } from './https-server.js';
import { testCertificate } from './tls.js';

/** A loopback HTTPS server in front of a stand-in that notes every request it forwards. */
export interface RecordingFront extends RunningServer {
  /** `METHOD /path` of every request, in order of arrival. */
  readonly requests: string[];
  /**
   * Paths forwarded elsewhere, `from` → `to` (a path prefix each): makes the authority answer one
   * tenant's token request as another tenant would.
   */
  readonly rewrites: Map<string, string>;
}

/**
 * Starts a front for `target` (a stand-in's URL). The Host header is passed on unchanged, so the
 * stand-in's answers (an OpenID document naming its endpoints) point back at the front, and every
 * later request is counted too.
 */
export async function startRecordingFront(target: string): Promise<RecordingFront> {
  const requests: string[] = [];
  const rewrites = new Map<string, string>();
  const { cert } = testCertificate();
  const server = await startHttpsServer(
    (req, res, body) =>
      new Promise<void>((resolve, reject) => {
        const path = req.url ?? '/';
        requests.push(`${req.method} ${path.split('?')[0]}`);
        const from = [...rewrites.keys()].find((prefix) => path.startsWith(prefix));
        const forwarded = from === undefined ? path : `${rewrites.get(from)}${path.slice(from.length)}`;
        const upstream = request(new URL(forwarded, target), { method: req.method, headers: req.headers, ca: cert }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res).on('finish', resolve);
        });
        upstream.on('error', reject);
        upstream.end(body);
      }),
  );
  return { ...server, requests, rewrites };
}
