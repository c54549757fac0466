import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoControlProfiles, demoSecureScores, DEMO_TENANT_ID } from '../../src/source/demo-data.js';
import { normalizeConnectorRun } from '../../src/normalize/connector-run.js';
import { normalizeTenant } from '../support/normalize-tenant.js';
import { Warnings } from '../../src/normalize/warnings.js';
import { COLUMN_BY_NAME, COLUMNS, RESERVED_COLUMN_NAMES } from '../../src/schema/columns.js';

/** The demo history's newest day, fixed: these are pure tests of dated facts, not of the clock. */
const DEMO_NEWEST_DAY = '2026-11-04';
import { buildDcrArmTemplate, streamDeclarationColumns } from '../../tools/dcr-template.js';
import { DCR_TEMPLATE_PATH, renderDcrTemplate } from '../../tools/write-templates.js';

function demoRecords() {
  const warnings = new Warnings();
  const ctx = { now: '2026-11-22T00:00:00.000Z', runId: 'r', tenantId: DEMO_TENANT_ID, tenantDisplayName: 'Contoso', warnings };
  const { records } = normalizeTenant(
    { secureScores: demoSecureScores(DEMO_NEWEST_DAY), profiles: demoControlProfiles(DEMO_NEWEST_DAY) },
    { snapshotCount: 90 },
    ctx,
  );
  records.push(
    normalizeConnectorRun(
      { status: 'Failed', kind: 'Incremental', counts: { DailyScore: 1 }, errorMessage: 'x', durationSeconds: 1.5, version: '0.0.0' },
      ctx,
    ),
  );
  return records;
}

function fits(type: string, value: unknown): boolean {
  if (value === null) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'real':
      return typeof value === 'number';
    case 'int':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value);
    case 'dynamic':
      return typeof value === 'object';
    default:
      return false;
  }
}

describe('the table schema', () => {
  it('is what the committed DCR template declares (run "npm run generate" after changing src/schema)', () => {
    expect(readFileSync(DCR_TEMPLATE_PATH, 'utf8')).toBe(renderDcrTemplate());
  });

  it('uses no reserved or repeated column names', () => {
    const names = COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const reserved of RESERVED_COLUMN_NAMES) expect(names.map((n) => n.toLowerCase())).not.toContain(reserved.toLowerCase());
  });

  it('declares the same columns for the table and the DCR stream, which feeds the table unchanged', () => {
    const template = buildDcrArmTemplate() as { resources: Array<{ type: string; properties: Record<string, any> }> };
    const table = template.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/tables')!;
    const dcr = template.resources.find((r) => r.type === 'Microsoft.Insights/dataCollectionRules')!;
    const tableColumns = table.properties.schema.columns.map((c: { name: string; type: string }) => `${c.name}:${c.type.toLowerCase()}`);
    const streamColumns = dcr.properties.streamDeclarations['Custom-MicrosoftSecureScore'].columns.map(
      (c: { name: string; type: string }) => `${c.name}:${c.type}`,
    );
    expect(tableColumns).toEqual(streamColumns);
    expect(dcr.properties.dataFlows[0]).toMatchObject({ transformKql: 'source', outputStream: 'Custom-MicrosoftSecureScore_CL' });
  });

  it('fits every record the normalizers emit: each column declared, each value of its declared type', () => {
    const records = demoRecords();
    const problems: string[] = [];
    const used = new Set<string>();
    for (const record of records) {
      for (const [name, value] of Object.entries(record)) {
        used.add(name);
        const column = COLUMN_BY_NAME.get(name);
        if (!column) problems.push(`${record.RecordType}.${name} is not declared`);
        else if (!fits(column.type, value)) problems.push(`${record.RecordType}.${name}=${JSON.stringify(value)} is not ${column.type}`);
        else if (value !== null && !column.recordTypes.includes(record.RecordType))
          problems.push(`${record.RecordType}.${name} is not listed for that record type`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // Every declared column is written by some record, so the schema carries nothing dead.
    expect(COLUMNS.map((c) => c.name).filter((n) => !used.has(n))).toEqual([]);
    expect(streamDeclarationColumns()).toHaveLength(COLUMNS.length);
  });
});
