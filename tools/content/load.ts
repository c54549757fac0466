import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The Sentinel content in kql/, read from its source files. Used by `npm run generate` (ARM templates)
 * and by the tests that analyse every query with Kusto.Language. Not used by the connector at run time.
 */

/** One optional parameter of a parser function, with its KQL type and default literal. */
interface FunctionParam {
  Name: string;
  Type: string;
  Default: string;
}

export interface ParserDefinition {
  id: string;
  Function: { Title: string; Version: string; LastUpdated: string };
  Category: string;
  FunctionName: string;
  FunctionAlias: string;
  Description: string;
  FunctionParams?: FunctionParam[];
  FunctionQuery: string;
}

/** A parser's parameters as Log Analytics writes them (`name:type = default, ...`); '' for none. */
export function functionParameters(parser: ParserDefinition): string {
  return (parser.FunctionParams ?? []).map((p) => `${p.Name}:${p.Type} = ${p.Default}`).join(', ');
}

export interface EntityMapping {
  entityType: string;
  fieldMappings: Array<{ identifier: string; columnName: string }>;
}

export interface AnalyticsRule {
  id: string;
  name: string;
  description: string;
  severity: string;
  status: string;
  requiredDataConnectors: Array<{ connectorId: string; dataTypes: string[] }>;
  queryFrequency: string;
  queryPeriod: string;
  triggerOperator: string;
  triggerThreshold: number;
  tactics: string[];
  relevantTechniques: string[];
  query: string;
  entityMappings?: EntityMapping[];
  customDetails?: Record<string, string>;
  alertDetailsOverride?: { alertDisplayNameFormat?: string; alertDescriptionFormat?: string; alertSeverityColumnName?: string };
  incidentConfiguration: {
    createIncident: boolean;
    groupingConfiguration: {
      enabled: boolean;
      reopenClosedIncident: boolean;
      lookbackDuration: string;
      matchingMethod: string;
      groupByEntities: string[];
      groupByAlertDetails: string[];
      groupByCustomDetails: string[];
    };
  };
  eventGroupingSettings: { aggregationKind: string };
  version: string;
  kind: string;
}

export interface HuntingQuery {
  id: string;
  name: string;
  description: string;
  requiredDataConnectors: Array<{ connectorId: string; dataTypes: string[] }>;
  tactics: string[];
  relevantTechniques: string[];
  query: string;
  entityMappings?: EntityMapping[];
  version: string;
}

/** A workbook item of type 3 (query) or 9 (parameters), loosely typed. */
interface WorkbookItem {
  type: number;
  name: string;
  content: { query?: string; title?: string; parameters?: Array<{ name: string; query?: string }> } & Record<string, unknown>;
}

export interface Workbook {
  version: string;
  items: WorkbookItem[];
  [key: string]: unknown;
}

/** Every piece of content, each with the file it came from. */
export interface SentinelContent {
  parsers: Array<{ file: string; parser: ParserDefinition }>;
  rules: Array<{ file: string; rule: AnalyticsRule }>;
  hunting: Array<{ file: string; query: HuntingQuery }>;
  workbook: { file: string; workbook: Workbook };
}

function yamlFiles<T>(dir: string): Array<{ file: string; value: T }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ file: join(dir, f), value: parse(readFileSync(join(dir, f), 'utf8')) as T }));
}

/** Reads kql/ under `root`. */
export function loadSentinelContent(root = 'kql'): SentinelContent {
  const workbookFile = join(root, 'workbooks', 'MicrosoftSecureScore.json');
  return {
    parsers: yamlFiles<ParserDefinition>(join(root, 'parsers')).map(({ file, value }) => ({ file, parser: value })),
    rules: yamlFiles<AnalyticsRule>(join(root, 'analytics-rules')).map(({ file, value }) => ({ file, rule: value })),
    hunting: yamlFiles<HuntingQuery>(join(root, 'hunting-queries')).map(({ file, value }) => ({ file, query: value })),
    workbook: { file: workbookFile, workbook: JSON.parse(readFileSync(workbookFile, 'utf8')) as Workbook },
  };
}
