import { createRequire } from 'node:module';
import { COLUMNS, TABLE_NAME } from '../../src/schema/columns.js';
import { streamDeclarationColumns } from '../../tools/dcr-template.js';
import { functionParameters, type ParserDefinition } from '../../tools/content/load.js';

/**
 * Kusto.Language (the real KQL parser and semantic analyser, via @kusto/language-service-next) loaded
 * into Node. Its Bridge.NET constructor names ($ctor7, $ctor16...) belong to the pinned build.
 */
const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');

const g = globalThis as any;
const K = g.Kusto.Language;
const S = K.Symbols;
const Bridge = g.Bridge;

export interface Analysis {
  /** Errors only: `Code Message (at offset)`. */
  readonly errors: string[];
  readonly warnings: string[];
  /** Result columns of the query's last tabular expression, `Name:type`. */
  readonly columns: Map<string, string>;
}

export interface TableSchema {
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
}

/** The table as the content sees it: the schema's columns. */
export function tableColumns(): Array<{ name: string; type: string }> {
  return COLUMNS.map((c) => ({ name: c.name, type: c.type }));
}

/**
 * `_GetWatchlist(alias)`, the function Microsoft Sentinel provides in every Sentinel workspace. Its
 * fixed columns; a watchlist's own CSV columns come on top and also inside WatchlistItem, which is
 * what the content reads so the analysis does not depend on one watchlist's columns.
 */
const GET_WATCHLIST = {
  name: '_GetWatchlist',
  parameters: '(watchlistAlias:string)',
  body: '{ datatable(_DTItemId:string, LastUpdatedTimeUTC:datetime, SearchKey:string, WatchlistItem:dynamic)[] }',
};

/**
 * Entra ID AuditLogs, with the columns the Azure Monitor table reference documents
 * (learn.microsoft.com/azure/azure-monitor/reference/tables/auditlogs); for the hunting query that
 * looks for the change behind a regression in workspaces that collect them.
 */
export const AUDIT_LOGS: TableSchema = {
  name: 'AuditLogs',
  columns: [
    { name: 'TenantId', type: 'string' },
    { name: 'SourceSystem', type: 'string' },
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'ResourceId', type: 'string' },
    { name: 'OperationName', type: 'string' },
    { name: 'OperationVersion', type: 'string' },
    { name: 'Category', type: 'string' },
    { name: 'ResultType', type: 'string' },
    { name: 'ResultSignature', type: 'string' },
    { name: 'ResultDescription', type: 'string' },
    { name: 'DurationMs', type: 'long' },
    { name: 'CorrelationId', type: 'string' },
    { name: 'Resource', type: 'string' },
    { name: 'ResourceGroup', type: 'string' },
    { name: 'ResourceProvider', type: 'string' },
    { name: 'Identity', type: 'string' },
    { name: 'Level', type: 'string' },
    { name: 'Location', type: 'string' },
    { name: 'AdditionalDetails', type: 'dynamic' },
    { name: 'Id', type: 'string' },
    { name: 'InitiatedBy', type: 'dynamic' },
    { name: 'LoggedByService', type: 'string' },
    { name: 'Result', type: 'string' },
    { name: 'ResultReason', type: 'string' },
    { name: 'TargetResources', type: 'dynamic' },
    { name: 'AADTenantId', type: 'string' },
    { name: 'ActivityDisplayName', type: 'string' },
    { name: 'ActivityDateTime', type: 'datetime' },
    { name: 'AADOperationType', type: 'string' },
    { name: 'Type', type: 'string' },
  ],
};

function schemaText(columns: ReadonlyArray<{ name: string; type: string }>): string {
  return `(${columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`;
}

/** A workspace with our table, our parser functions and Sentinel's _GetWatchlist, as Sentinel sees it. */
export class Workspace {
  private readonly globals: unknown;

  constructor(parsers: readonly ParserDefinition[], extraTables: readonly TableSchema[] = []) {
    const table = new S.TableSymbol.$ctor7(TABLE_NAME, schemaText(tableColumns()), null);
    const tables = extraTables.map((t) => new S.TableSymbol.$ctor7(t.name, schemaText(t.columns), null));
    const functions = [
      ...parsers.map((p) => ({ name: p.FunctionAlias, parameters: `(${functionParameters(p)})`, body: `{\n${p.FunctionQuery}\n}` })),
      GET_WATCHLIST,
    ].map((f) => new S.FunctionSymbol.$ctor16(f.name, f.parameters, f.body, null));
    const database = new S.DatabaseSymbol.$ctor3('workspace', null, [table, ...tables, ...functions], false);
    this.globals = K.GlobalState.Default.WithDatabase(database);
  }

  analyze(query: string): Analysis {
    const code = K.KustoCode.ParseAndAnalyze(query, this.globals);
    const diagnostics = Bridge.toArray(code.GetDiagnostics()) as Array<{ Severity: string; Code: string; Message: string; Start: number }>;
    const describe = (d: { Code: string; Message: string; Start: number }) =>
      `${d.Code} ${d.Message} (at ${d.Start}: "${query.slice(d.Start, d.Start + 30)}")`;
    const result = code.ResultType;
    const columns = new Map<string, string>();
    if (result && result.Columns) {
      for (const c of Bridge.toArray(result.Columns) as Array<{ Name: string; Type: { Name: string } }>) columns.set(c.Name, c.Type.Name);
    }
    return {
      errors: diagnostics.filter((d) => d.Severity === 'Error').map(describe),
      warnings: diagnostics.filter((d) => d.Severity === 'Warning').map(describe),
      columns,
    };
  }
}

/** The DCR transform runs over `source`, a table with the stream's declared columns. */
export function dcrTransformWorkspace(): Workspace {
  return new Workspace([], [{ name: 'source', columns: streamDeclarationColumns() }]);
}
