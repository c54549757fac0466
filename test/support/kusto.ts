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

/**
 * Sentinel's SecurityAlert table, with the columns its schema reference documents
 * (learn.microsoft.com/azure/sentinel/security-alert-schema): every alert a scheduled rule raises, its
 * custom details in ExtendedProperties.
 */
export const SECURITY_ALERT: TableSchema = {
  name: 'SecurityAlert',
  columns: [
    { name: 'TenantId', type: 'string' },
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'DisplayName', type: 'string' },
    { name: 'AlertName', type: 'string' },
    { name: 'AlertSeverity', type: 'string' },
    { name: 'Description', type: 'string' },
    { name: 'ProviderName', type: 'string' },
    { name: 'VendorName', type: 'string' },
    { name: 'VendorOriginalId', type: 'string' },
    { name: 'SystemAlertId', type: 'string' },
    { name: 'ResourceId', type: 'string' },
    { name: 'SourceComputerId', type: 'string' },
    { name: 'AlertType', type: 'string' },
    { name: 'ConfidenceLevel', type: 'string' },
    { name: 'ConfidenceScore', type: 'real' },
    { name: 'IsIncident', type: 'bool' },
    { name: 'StartTime', type: 'datetime' },
    { name: 'EndTime', type: 'datetime' },
    { name: 'ProcessingEndTime', type: 'datetime' },
    { name: 'RemediationSteps', type: 'string' },
    { name: 'ExtendedProperties', type: 'string' },
    { name: 'Entities', type: 'string' },
    { name: 'SourceSystem', type: 'string' },
    { name: 'WorkspaceSubscriptionId', type: 'string' },
    { name: 'WorkspaceResourceGroup', type: 'string' },
    { name: 'ExtendedLinks', type: 'string' },
    { name: 'ProductName', type: 'string' },
    { name: 'ProductComponentName', type: 'string' },
    { name: 'AlertLink', type: 'string' },
    { name: 'Status', type: 'string' },
    { name: 'CompromisedEntity', type: 'string' },
    { name: 'Tactics', type: 'string' },
    { name: 'Techniques', type: 'string' },
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

  /** Every name a query references (columns, lets, functions), from its syntax tree: comments do not count. */
  names(query: string): string[] {
    return [...new Set(referencedNames(K.KustoCode.ParseAndAnalyze(query, this.globals).Syntax))];
  }

  /**
   * Every join, lookup, summarize, distinct and make-series of a query, walked in its syntax tree, with
   * the keys it relates rows by and whether those rows carry AzureTenantId (from the analysed types of
   * its inputs), in the order they appear.
   */
  relations(query: string): Relation[] {
    const code = K.KustoCode.ParseAndAnalyze(query, this.globals);
    const lines = query.split('\n');
    const found: Relation[] = [];
    const visit = (node: any): void => {
      if (!node) return;
      if (syntaxType(node) === 'PipeExpression') {
        const op = node.Operator;
        const kind = syntaxType(op);
        const operator = (
          {
            JoinOperator: 'join',
            LookupOperator: 'lookup',
            SummarizeOperator: 'summarize',
            DistinctOperator: 'distinct',
            MakeSeriesOperator: 'make-series',
          } as const
        )[kind as 'JoinOperator'];
        if (operator) {
          const keys =
            operator === 'join' || operator === 'lookup'
              ? referencedNames(op.ConditionClause ?? op.LookupClause)
              : operator === 'distinct'
                ? referencedNames(op.Expressions)
                : referencedNames(op.ByClause);
          const inputs = [node.Expression, ...(operator === 'join' || operator === 'lookup' ? [op.Expression] : [])];
          const line = query.slice(0, op.TextStart).split('\n').length;
          const reason = tenantKeyReason(lines, line);
          found.push({
            operator,
            keys: [...new Set(keys)],
            overTenants: inputs.some((input) => columnsOf(input).includes('AzureTenantId')),
            line,
            text: lines[line - 1]!.trim(),
            ...(reason ? { reason } : {}),
          });
        }
      }
      for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
    };
    visit(code.Syntax);
    return found.sort((a, b) => a.line - b.line);
  }
}

/** An operator that relates rows to each other: a join (or lookup) or an aggregation (summarize, distinct, make-series). */
export interface Relation {
  readonly operator: 'join' | 'lookup' | 'summarize' | 'distinct' | 'make-series';
  /** The columns its keys name: a join's `on` clause, a summarize's `by` clause, distinct's columns. */
  readonly keys: readonly string[];
  /** Whether a row it relates carries AzureTenantId: the operator relates records of tenants. */
  readonly overTenants: boolean;
  /** 1-based line of the operator in the query. */
  readonly line: number;
  /** That line, trimmed. */
  readonly text: string;
  /** Why it needs no tenant key, from a `// tenant-key: <why>` comment on its line or the comment lines just above it. */
  readonly reason?: string;
}

const syntaxType = (node: any): string => String(Bridge.getTypeName(node)).replace('Kusto.Language.Syntax.', '');

function columnsOf(expression: any): string[] {
  const result = expression?.ResultType;
  return result?.Columns ? (Bridge.toArray(result.Columns) as Array<{ Name: string }>).map((c) => c.Name) : [];
}

/** The names a syntax node references (columns, mostly), without the `$left` and `$right` of a join. */
function referencedNames(node: any, out: string[] = []): string[] {
  if (!node) return out;
  if (syntaxType(node) === 'NameReference' && !String(node.SimpleName).startsWith('$')) out.push(String(node.SimpleName));
  for (let i = 0; i < node.ChildCount; i++) referencedNames(node.GetChild(i), out);
  return out;
}

/** The `// tenant-key: why` comment on the operator's line or on the comment lines right above it. */
function tenantKeyReason(lines: readonly string[], line: number): string | undefined {
  const own = /\/\/\s*tenant-key:\s*(.+)$/.exec(lines[line - 1] ?? '');
  if (own) return own[1]!.trim();
  for (let i = line - 2; i >= 0 && /^\s*\/\//.test(lines[i]!); i--) {
    const above = /\/\/\s*tenant-key:\s*(.+)$/.exec(lines[i]!);
    if (above) return above[1]!.trim();
  }
  return undefined;
}

/** The DCR transform runs over `source`, a table with the stream's declared columns. */
export function dcrTransformWorkspace(): Workspace {
  return new Workspace([], [{ name: 'source', columns: streamDeclarationColumns() }]);
}
