import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  approversTemplate,
  expectedTenantsCsv,
  expectedTenantsTemplate,
  parseApprovers,
  toCsv,
  EXPECTED_TENANTS_WATCHLIST,
} from '../../src/sentinel/watchlists.js';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'securescore-watchlist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface WatchlistTemplate {
  parameters: Record<string, unknown>;
  resources: Array<{ type: string; name: string; properties: { rawContent: string; itemsSearchKey: string; contentType: string } }>;
}

describe('watchlist builder', () => {
  it.each([
    ['plain', ['a', 'b'], 'a,b\n'],
    ['a comma', ['Contoso, Ltd', 'x'], '"Contoso, Ltd",x\n'],
    ['a quote', ['say "hi"', 'x'], '"say ""hi""",x\n'],
    ['a line break', ['two\nlines', 'x'], '"two\nlines",x\n'],
  ])('writes a CSV field with %s as RFC 4180 says', (_case, row, line) => {
    expect(toCsv(['A', 'B'], [row])).toBe(`A,B\n${line}`);
  });

  it('lists expected tenants by lower-case id, the way the silent-tenant rule compares them', () => {
    expect(
      expectedTenantsCsv([
        { tenantId: '0D1C2B3A-4E5F-4A6B-8C7D-9E0F1A2B3C4D', displayName: 'Contoso' },
        { tenantId: '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b' },
      ]),
    ).toBe('TenantId,DisplayName\n0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d,Contoso\n6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b,\n');
  });

  it('creates the watchlist on the workspace with the alias the rule reads and TenantId as search key', () => {
    const template = expectedTenantsTemplate([{ tenantId: '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b' }]) as unknown as WatchlistTemplate;
    expect(Object.keys(template.parameters)).toEqual(['workspaceName']);
    expect(template.resources).toEqual([
      expect.objectContaining({
        type: 'Microsoft.SecurityInsights/watchlists',
        name: EXPECTED_TENANTS_WATCHLIST.alias,
        scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]",
        properties: expect.objectContaining({ itemsSearchKey: 'TenantId', contentType: 'text/csv', numberOfLinesToSkip: 0 }),
      }),
    ]);
  });

  it('writes an empty approvers watchlist (the approver rule stays off) when no approvers are given', () => {
    const template = approversTemplate([]) as unknown as WatchlistTemplate;
    expect(template.resources[0]!.properties.rawContent).toBe('UserPrincipalName\n');
  });

  it('reads approvers one per line, without comments or duplicates, and refuses what is not a UPN', () => {
    expect(parseApprovers('# security owners\nCISO@contoso.com\n\nciso@contoso.com  # again\nsecops.lead@contoso.com\n', 'a.txt')).toEqual([
      'ciso@contoso.com',
      'secops.lead@contoso.com',
    ]);
    expect(() => parseApprovers('ciso@contoso.com\nJohn Smith\n', 'a.txt')).toThrow(
      '--approvers a.txt: line 2 "John Smith" is not a user principal name. Write one name@domain per line',
    );
  });
});

describe('securescore-connector watchlist', () => {
  it('writes the expected-tenants template from the tenants file the connector runs with', async () => {
    const tenants = join(dir, 'tenants.yaml');
    writeFileSync(
      tenants,
      'tenants:\n  - tenantId: 0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n    displayName: Contoso\n  - tenantId: 6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b\n',
    );
    const out = join(dir, 'expected.json');
    const result = await runCli(['watchlist', '--tenants', tenants, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`watchlist: 2 expected tenant(s) written to ${out}`);
    const template = JSON.parse(readFileSync(out, 'utf8')) as WatchlistTemplate;
    expect(template.resources[0]!.properties.rawContent).toBe(
      'TenantId,DisplayName\n0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d,Contoso\n6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b,\n',
    );
  });

  it('writes the single tenant to stdout, and the approvers template next to it', async () => {
    const approvers = join(dir, 'approvers.txt');
    writeFileSync(approvers, 'ciso@contoso.com\n');
    const approversOut = join(dir, 'approvers.json');
    const result = await runCli([
      'watchlist',
      '--tenant-id',
      '6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b',
      '--display-name',
      'Fabrikam',
      '--approvers',
      approvers,
      '--approvers-out',
      approversOut,
    ]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as WatchlistTemplate).resources[0]!.properties.rawContent).toBe(
      'TenantId,DisplayName\n6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b,Fabrikam\n',
    );
    expect((JSON.parse(readFileSync(approversOut, 'utf8')) as WatchlistTemplate).resources[0]!.properties.rawContent).toBe(
      'UserPrincipalName\nciso@contoso.com\n',
    );
  });

  it.each([
    [['watchlist'], 'watchlist: no tenants given. Pass --tenants FILE, or --tenant-id GUID --display-name NAME for one tenant'],
    [['watchlist', '--tenant-id', 'contoso.onmicrosoft.com'], '--tenant-id "contoso.onmicrosoft.com" is not a tenant id (GUID)'],
    [['watchlist', '--tenants', '/nonexistent/tenants.yaml'], '--tenants /nonexistent/tenants.yaml: cannot be read'],
  ])('exits 2 and says what to do for %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});
