import { createRequire } from 'node:module';
import { COLUMNS, TABLE_NAME } from '../../src/schema/columns.js';
import { streamDeclarationColumns } from '../../tools/dcr-template.js';
import type { ParserDefinition } from '../../tools/content/load.js';

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

function schemaText(columns: Array<{ name: string; type: string }>): string {
  return `(${columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`;
}

/** A workspace with our table and parser functions, as Sentinel sees it. */
export class Workspace {
  private readonly globals: unknown;

  constructor(
    parsers: readonly ParserDefinition[],
    extraTables: Array<{ name: string; columns: Array<{ name: string; type: string }> }> = [],
  ) {
    const table = new S.TableSymbol.$ctor7(TABLE_NAME, schemaText(COLUMNS.map((c) => ({ name: c.name, type: c.type }))), null);
    const tables = extraTables.map((t) => new S.TableSymbol.$ctor7(t.name, schemaText(t.columns), null));
    const functions = parsers.map((p) => new S.FunctionSymbol.$ctor16(p.FunctionAlias, '()', `{\n${p.FunctionQuery}\n}`, null));
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
