/**
 * Azure-Sentinel's own CI checks, restated from what their files say (Azure/Azure-Sentinel
 * `.script/utils/schemas/REST_API_ConnectorSchema.json`, `workbooksMetadataSchema.json`,
 * `.script/tests/detectionTemplateSchemaValidation/Models/*`, `.script/tests/KqlvalidationsTests/CustomTables`)
 * and run over our content, so a submission of Solutions/MicrosoftSecureScore would pass them. Their code
 * is not used; docs/solution.md lists the checks not reproduced here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COLUMNS } from '../../src/schema/columns.js';
import { buildConnectorDefinition, CONNECTOR_ID, TABLE } from '../../tools/content/connector.js';
import { loadSentinelContent } from '../../tools/content/load.js';
import {
  buildCustomTable,
  readVersions,
  SOLUTION_DIR,
  versionedContent,
  WORKBOOK_CONTENT_ID,
  workbookMetadata,
} from '../../tools/content/solution.js';
import { tableColumns } from '../support/kusto.js';
import { ENTITY_IDENTIFIERS, minutes, SENTINEL_TACTICS } from './support/sentinel-schema.js';

const content = loadSentinelContent();
const connector = buildConnectorDefinition() as unknown as Record<string, unknown>;

const isString = (v: unknown) => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The required properties of an object in their schema, and the JSON type of each property they type. */
function schemaErrors(value: unknown, required: readonly string[], types: Record<string, (v: unknown) => boolean>, at: string): string[] {
  if (!isObject(value)) return [`${at}: not an object`];
  return [
    ...required.filter((k) => !(k in value)).map((k) => `${at}.${k}: required`),
    ...Object.entries(types)
      .filter(([k, ok]) => k in value && !ok(value[k]))
      .map(([k]) => `${at}.${k}: wrong type`),
  ];
}

describe('REST_API_ConnectorSchema.json (their dataConnectorValidator), on the data connector', () => {
  it('has every required property with its type', () => {
    const errors = schemaErrors(
      connector,
      [
        'id',
        'title',
        'publisher',
        'descriptionMarkdown',
        'graphQueries',
        'sampleQueries',
        'dataTypes',
        'connectivityCriterias',
        'availability',
        'permissions',
        'instructionSteps',
      ],
      {
        id: isString,
        title: isString,
        publisher: isString,
        descriptionMarkdown: isString,
        graphQueries: Array.isArray,
        sampleQueries: Array.isArray,
        dataTypes: Array.isArray,
        connectivityCriterias: Array.isArray,
        availability: isObject,
        permissions: isObject,
        instructionSteps: Array.isArray,
      },
      'connector',
    );
    const c = connector as {
      graphQueries: unknown[];
      sampleQueries: unknown[];
      dataTypes: unknown[];
      connectivityCriterias: unknown[];
      availability: unknown;
      permissions: { resourceProvider?: unknown; customs?: unknown[] };
      instructionSteps: Array<{ instructions?: unknown[] }>;
    };
    c.graphQueries.forEach((g, i) =>
      errors.push(
        ...schemaErrors(
          g,
          ['metricName', 'legend', 'baseQuery'],
          { metricName: isString, legend: isString, baseQuery: isString },
          `graphQueries[${i}]`,
        ),
      ),
    );
    c.sampleQueries.forEach((s, i) =>
      errors.push(...schemaErrors(s, ['description', 'query'], { description: isString, query: isString }, `sampleQueries[${i}]`)),
    );
    c.dataTypes.forEach((d, i) =>
      errors.push(
        ...schemaErrors(d, ['name', 'lastDataReceivedQuery'], { name: isString, lastDataReceivedQuery: isString }, `dataTypes[${i}]`),
      ),
    );
    c.connectivityCriterias.forEach((d, i) =>
      errors.push(
        ...schemaErrors(
          d,
          ['type', 'value'],
          { type: isString, value: (v) => Array.isArray(v) && v.every(isString) },
          `connectivityCriterias[${i}]`,
        ),
      ),
    );
    errors.push(
      ...schemaErrors(
        c.availability,
        ['status', 'isPreview'],
        { status: Number.isInteger, isPreview: (v) => typeof v === 'boolean' },
        'availability',
      ),
    );
    errors.push(
      ...schemaErrors(c.permissions, ['resourceProvider'], { resourceProvider: Array.isArray, customs: Array.isArray }, 'permissions'),
    );
    for (const step of c.instructionSteps)
      for (const ins of step.instructions ?? [])
        errors.push(...schemaErrors(ins, [], { type: isString, parameters: isObject }, 'instruction'));
    expect(errors).toEqual([]);
  });

  it('is the connector the rules name, over the table they read', () => {
    expect(connector.id).toBe(CONNECTOR_ID);
    expect((connector.dataTypes as Array<{ name: string }>).map((d) => d.name)).toEqual([TABLE]);
  });
});

describe('workbooksMetadataSchema.json, on the workbook metadata', () => {
  const required = [
    'workbookKey',
    'logoFileName',
    'description',
    'dataTypesDependencies',
    'dataConnectorsDependencies',
    'previewImagesFileNames',
    'version',
    'title',
    'templateRelativePath',
    'subtitle',
    'provider',
  ];
  const allowed = [
    ...required,
    'featureFlag',
    'source',
    'author',
    'support',
    'categories',
    'threatAnalysisTactics',
    'threatAnalysisTechniques',
  ];
  const entries = JSON.parse(readFileSync(`${SOLUTION_DIR}/Workbooks/WorkbooksMetadata.json`, 'utf8')) as Array<Record<string, unknown>>;
  const version = versionedContent(content, readVersions()).find((i) => i.id === WORKBOOK_CONTENT_ID)!.version;

  it('has every required property, no other (additionalProperties: false), strings and non-empty string arrays', () => {
    expect(entries).toEqual([workbookMetadata(content, version)]);
    for (const entry of entries) {
      expect(required.filter((k) => !(k in entry))).toEqual([]);
      expect(Object.keys(entry).filter((k) => !allowed.includes(k))).toEqual([]);
      for (const k of ['workbookKey', 'logoFileName', 'description', 'version', 'title', 'templateRelativePath', 'subtitle', 'provider'])
        expect(typeof entry[k], k).toBe('string');
      for (const k of ['dataTypesDependencies', 'dataConnectorsDependencies']) {
        const list = entry[k] as unknown[];
        expect(Array.isArray(list)).toBe(true);
        for (const v of list) expect(typeof v === 'string' && v.length > 0, `${k}: "${String(v)}"`).toBe(true);
      }
      expect(Array.isArray(entry.previewImagesFileNames)).toBe(true);
    }
  });

  it('points at the workbook in the solution, depending on our table and connector', () => {
    const [entry] = entries;
    expect(readFileSync(`${SOLUTION_DIR}/Workbooks/${String(entry!.templateRelativePath)}`, 'utf8')).toBe(
      readFileSync(content.workbook.file, 'utf8'),
    );
    expect(entry!.dataTypesDependencies).toEqual([TABLE]);
    expect(entry!.dataConnectorsDependencies).toEqual([CONNECTOR_ID]);
  });
});

// detectionTemplateSchemaValidation: ScheduledTemplateInternalModel and its attributes.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OLD_ENTITY_COLUMNS = [
  'AccountCustomEntity',
  'HostCustomEntity',
  'IPCustomEntity',
  'URLCustomEntity',
  'ProcessCustomEntity',
  'FileHashCustomEntity',
];

describe('detectionTemplateSchemaValidation, on every analytics rule', () => {
  it.each(content.rules)('$file', ({ rule }) => {
    const errors: string[] = [];
    const fail = (ok: boolean, what: string) => {
      if (!ok) errors.push(what);
    };
    fail(GUID.test(rule.id), 'id is a GUID');
    fail(['Scheduled', 'NRT'].includes(rule.kind), 'kind Scheduled or NRT');
    fail(rule.name.length > 0 && rule.name.length <= 256, 'name ≤ 256');
    fail(rule.description.length <= 5000, 'description ≤ 5000');
    fail(Array.isArray(rule.requiredDataConnectors), 'requiredDataConnectors present');
    fail(['Informational', 'Low', 'Medium', 'High'].includes(rule.severity), 'severity');
    fail(rule.query.length >= 1 && rule.query.length <= 10000, `query 1..10000 characters (${rule.query.length})`);
    const frequency = minutes(rule.queryFrequency);
    const period = minutes(rule.queryPeriod);
    fail(frequency >= 5 && frequency <= 14 * 1440, 'queryFrequency 5m..14d');
    fail(period >= 5 && period <= 14 * 1440, 'queryPeriod 5m..14d');
    fail(period >= frequency, 'PeriodGreaterThanOrEqualFrequency');
    fail(period < 2 * 1440 || frequency >= 60, 'FrequencyLimitationForLongPeriodQuery: period ≥ 2d needs frequency ≥ 1h');
    fail(['gt', 'lt', 'eq', 'ne', 'GreaterThan', 'LessThan', 'Equal', 'NotEqual'].includes(rule.triggerOperator), 'triggerOperator');
    fail(
      Number.isInteger(rule.triggerThreshold) && rule.triggerThreshold >= 0 && rule.triggerThreshold <= 10000,
      'triggerThreshold 0..10000',
    );
    const details = Object.entries(rule.customDetails ?? {});
    fail(details.length <= 20, 'customDetails ≤ 20');
    for (const [k, v] of details) {
      fail(k.length <= 20 && /^[a-zA-Z]+\w*$/.test(k), `customDetails key ${k}: ≤ 20, ^[a-zA-Z]+\\w*$`);
      fail(v.length <= 500 && /^[a-zA-Z_]+\w*$/.test(v), `customDetails value ${v}: ≤ 500, ^[a-zA-Z_]+\\w*$`);
    }
    const mappings = rule.entityMappings;
    if (mappings) {
      fail(mappings.length >= 1 && mappings.length <= 10, 'entityMappings 1..10');
      for (const m of mappings) {
        const known = ENTITY_IDENTIFIERS[m.entityType];
        fail(known !== undefined, `entity type ${m.entityType} known here`);
        fail(m.fieldMappings.length >= 1 && m.fieldMappings.length <= 3, 'fieldMappings 1..3');
        const used = m.fieldMappings.map((f) => f.identifier);
        fail(new Set(used).size === used.length, `${m.entityType}: identifiers unique`);
        for (const f of m.fieldMappings) {
          fail(known?.identifiers.includes(f.identifier) ?? false, `${m.entityType}.${f.identifier} valid`);
          fail(f.columnName.length <= 500 && /^[a-zA-Z_]+\w*$/.test(f.columnName), `column ${f.columnName}`);
        }
        fail(known?.required.some((set) => set.every((id) => used.includes(id))) ?? false, `${m.entityType}: a required identifier`);
      }
    }
    for (const old of OLD_ENTITY_COLUMNS)
      fail(
        !rule.query.includes(old) || (mappings ?? []).some((m) => m.fieldMappings.some((f) => f.columnName === old)),
        `NewEntityMappings: ${old}`,
      );
    fail(rule.version.length <= 20 && /^(\d+\.)(\d+\.)(\d+)$/.test(rule.version), 'version X.Y.Z');
    for (const t of rule.tactics) fail(SENTINEL_TACTICS.includes(t), `tactic ${t}`);
    for (const t of rule.relevantTechniques) fail(/^T\d{4}(\.\d{3})?$/.test(t), `technique ${t}`);
    fail(
      rule.requiredDataConnectors.every((r) => r.connectorId === CONNECTOR_ID),
      "requiredDataConnectors resolve to the solution's connector",
    );
    expect(errors).toEqual([]);
  });

  it('no two templates share an id (NoSameTemplateIdTwice), rules and hunting queries alike', () => {
    const ids = [...content.rules.map((r) => r.rule.id), ...content.hunting.map((h) => h.query.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of content.hunting.map((h) => h.query.id)) expect(id).toMatch(GUID);
  });
});

describe('KqlvalidationsTests CustomTables, for the table', () => {
  const file = JSON.parse(readFileSync(`${SOLUTION_DIR}/CustomTables/${TABLE}.json`, 'utf8')) as {
    Name: string;
    Properties: Array<{ name: string; type: string }>;
  };

  it('is generated from src/schema/columns.ts, with Kusto type names', () => {
    expect(file).toEqual(buildCustomTable());
    expect(file.Name).toBe(TABLE);
    expect(file.Properties.map((p) => p.name)).toEqual(COLUMNS.map((c) => c.name));
    for (const p of file.Properties) expect(['string', 'int', 'long', 'real', 'bool', 'datetime', 'dynamic']).toContain(p.type);
  });

  it('is the schema the KQL analysis in npm test runs every query against', () => {
    const kusto = (t: string) => ({ boolean: 'bool' })[t] ?? t;
    expect(file.Properties).toEqual(tableColumns().map((c) => ({ name: c.name, type: kusto(c.type) })));
  });
});
