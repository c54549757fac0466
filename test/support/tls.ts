import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';

/** A throwaway self-signed certificate for 127.0.0.1 and localhost. */
export interface TestCertificate {
  readonly certPath: string;
  readonly cert: string;
  readonly key: string;
}

let cached: TestCertificate | undefined;

/**
 * Makes (once per test file) a self-signed certificate with openssl. The CLI under test trusts it
 * through NODE_EXTRA_CA_CERTS, so the SDKs do real TLS against the loopback stand-ins.
 */
export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const dir = tempDir('securescore-tls-');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  makeSelfSignedCertificate(keyPath, certPath, '/CN=localhost', ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  cached = { certPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  return cached;
}

/** Writes a throwaway self-signed certificate and its key (PEM) with openssl, valid for two days. */
export function makeSelfSignedCertificate(keyPath: string, certPath: string, subject: string, extra: string[] = []): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', subject, ...extra],
    { stdio: 'ignore' },
  );
}
