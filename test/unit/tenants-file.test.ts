import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTenants, pickShard } from '../../src/config/tenants.js';
import { ConnectorError } from '../../src/errors.js';

const A = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const B = '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b';

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

function file(name: string, text: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'securescore-tenants-'));
  folders.push(folder);
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

describe('--tenants file', () => {
  it('reads YAML with per-tenant settings', async () => {
    const path = file(
      'tenants.yaml',
      `tenants:\n  - tenantId: ${A}\n    displayName: Contoso\n  - tenantId: ${B}\n    clientId: app-b\n    clientSecretEnv: FABRIKAM_SECRET\n    ingestionEndpoint: https://dce-b.westeurope-1.ingest.monitor.azure.com\n    dcrImmutableId: dcr-0123456789abcdef0123456789abcdef\n`,
    );
    expect(await loadTenants(path)).toEqual([
      {
        tenantId: A,
        displayName: 'Contoso',
        clientId: undefined,
        clientSecretEnv: undefined,
        certificatePath: undefined,
        destination: undefined,
      },
      {
        tenantId: B,
        displayName: undefined,
        clientId: 'app-b',
        clientSecretEnv: 'FABRIKAM_SECRET',
        certificatePath: undefined,
        destination: {
          endpoint: 'https://dce-b.westeurope-1.ingest.monitor.azure.com',
          dcrImmutableId: 'dcr-0123456789abcdef0123456789abcdef',
          streamName: 'Custom-MicrosoftSecureScore',
        },
      },
    ]);
  });

  it('reads a plain JSON list', async () => {
    expect((await loadTenants(file('tenants.json', JSON.stringify([{ tenantId: A }, { tenantId: B }])))).map((t) => t.tenantId)).toEqual([
      A,
      B,
    ]);
  });

  it.each([
    ['an empty list', '[]', /has no tenants/],
    ['not YAML', 'tenants: [', /is not valid YAML/],
    ['JSON with a trailing comma', '[{"tenantId":"x"},\n]', /is not valid JSON at line 2, column 1/],
    [
      'a DCR name instead of its immutable id',
      `[{"tenantId":"${A}","ingestionEndpoint":"https://x.westeurope-1.ingest.monitor.azure.com","dcrImmutableId":"dcr-mine"}]`,
      /tenants\[0\]\.dcrImmutableId: "dcr-mine" is not an immutable id/,
    ],
    [
      'an http endpoint',
      `[{"tenantId":"${A}","ingestionEndpoint":"http://x.westeurope-1.ingest.monitor.azure.com","dcrImmutableId":"dcr-0123456789abcdef0123456789abcdef"}]`,
      /tenants\[0\]\.ingestionEndpoint: .* is not https/,
    ],
    [
      'a stream of another table',
      `[{"tenantId":"${A}","streamName":"Microsoft-Syslog"}]`,
      /tenants\[0\]\.streamName: "Microsoft-Syslog" does not start with "Custom-"/,
    ],
    [
      'a domain instead of a tenant id',
      '[{"tenantId":"contoso.onmicrosoft.com"}]',
      /tenants\[0\]\.tenantId: "contoso\.onmicrosoft\.com" is not a tenant id \(GUID\)\. Use the Directory \(tenant\) ID/,
    ],
    ['a repeated tenant', `[{"tenantId":"${A}"},{"tenantId":"${A.toUpperCase()}"}]`, /tenants\[1\]\.tenantId: .* appears twice/],
    [
      'a secret in the file',
      `[{"tenantId":"${A}","clientSecret":"abc"}]`,
      /tenants\[0\]\.clientSecret: secrets do not belong in the tenants file\. Put the secret in an environment variable and name it in clientSecretEnv/,
    ],
    ['an unknown field', `[{"tenantId":"${A}","tenant":"x"}]`, /tenants\[0\]\.tenant: is not a known field/],
    [
      'half a destination',
      `[{"tenantId":"${A}","dcrImmutableId":"dcr-0123456789abcdef0123456789abcdef"}]`,
      /sets only one of ingestionEndpoint and dcrImmutableId/,
    ],
    [
      'two ways to authenticate',
      `[{"tenantId":"${A}","clientSecretEnv":"X","certificatePath":"/c.pem"}]`,
      /sets both clientSecretEnv and certificatePath/,
    ],
    ['a number for a string', `[{"tenantId":"${A}","displayName":42}]`, /tenants\[0\]\.displayName: is not a string/],
  ])('refuses %s with the entry and field named', async (_name, text, message) => {
    const error = await loadTenants(file('t.yaml', text)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('CONFIG');
    expect((error as ConnectorError).message).toMatch(/^--tenants .*t\.yaml: /);
    expect((error as ConnectorError).message).toMatch(message);
  });

  it('refuses a file that does not exist', async () => {
    await expect(loadTenants('/nonexistent/tenants.yaml')).rejects.toThrow(/--tenants \/nonexistent\/tenants\.yaml: cannot be read/);
  });

  it.each([
    [undefined, [0, 1, 2, 3, 4]],
    [{ index: 0, count: 2 }, [0, 2, 4]],
    [{ index: 1, count: 2 }, [1, 3]],
    [{ index: 2, count: 3 }, [2]],
  ])('gives shard %j the tenants %j', (shard, expected) => {
    expect(pickShard([0, 1, 2, 3, 4], shard)).toEqual(expected);
  });
});
