/**
 * One connector run reads many tenants under one RunId, and Graph snapshot and control names repeat
 * from tenant to tenant: every rule and parser that relates records of a run, a snapshot or a control
 * must relate them within one tenant. Each query's syntax tree (Kusto.Language) is walked for its
 * joins and aggregations; one over rows that carry AzureTenantId must key by it too, or say on a
 * `// tenant-key: <why>` comment why it need not.
 */
import { describe, expect, it } from 'vitest';
import { loadSentinelContent, type ParserDefinition } from '../../tools/content/load.js';
import { AUDIT_LOGS, SECURITY_ALERT, Workspace, type Relation } from '../support/kusto.js';

const content = loadSentinelContent();
const workspace = new Workspace(
  content.parsers.map((p) => p.parser),
  [AUDIT_LOGS, SECURITY_ALERT],
);

/** A parser's body with its parameters bound to their defaults, as Log Analytics analyses it when saved. */
function parserBody(parser: ParserDefinition): string {
  return `${(parser.FunctionParams ?? []).map((p) => `let ${p.Name} = ${p.Default};\n`).join('')}${parser.FunctionQuery}`;
}

/** Relations over tenants' records keyed without AzureTenantId and without a reason, as `line: text [keys]`. */
function untenanted(query: string): string[] {
  return workspace
    .relations(query)
    .filter((r) => r.overTenants && !r.keys.includes('AzureTenantId') && !r.reason)
    .map((r) => `${r.line}: ${r.text} [${r.keys.join(', ')}]`);
}

const queries = [
  ...content.rules.map((r) => ({ name: r.file, query: r.rule.query })),
  ...content.parsers.map((p) => ({ name: p.file, query: parserBody(p.parser) })),
];

describe('every rule and parser relates records within one tenant', () => {
  it.each(queries.map((q) => [q.name, q.query] as const))(
    '%s keys every join and aggregation of tenant records by AzureTenantId',
    (_name, query) => {
      expect(untenanted(query)).toEqual([]);
    },
  );

  it('finds the relations it checks: a rule that relates records has some, each with its keys', () => {
    const baseline = content.rules.find((r) => r.file.endsWith('SecureScoreHistoryBaseline.yaml'))!.rule.query;
    const relations = workspace.relations(baseline);
    expect(relations.filter((r) => r.operator === 'join').length).toBeGreaterThanOrEqual(3);
    expect(relations.filter((r) => r.operator === 'summarize').length).toBeGreaterThanOrEqual(3);
    for (const r of relations.filter((x) => x.overTenants)) expect(r.keys.length, r.text).toBeGreaterThan(0);
  });

  it('fails a join or summarize by RunId alone, and takes one with a reason', () => {
    const runs = 'MSSecureScoreConnectorRuns() | project AzureTenantId, RunId, RunKind';
    const joinByRun = `let runs = ${runs};\nMSSecureScoreDaily()\n| join kind=inner runs on RunId\n| summarize count() by RunId`;
    expect(untenanted(joinByRun)).toEqual(['3: | join kind=inner runs on RunId [RunId]', '4: | summarize count() by RunId [RunId]']);
    const keyed = `let runs = ${runs};\nMSSecureScoreDaily()\n| join kind=inner runs on AzureTenantId, RunId\n| summarize count() by AzureTenantId, RunId`;
    expect(untenanted(keyed)).toEqual([]);
    const explained = `MSSecureScoreDaily()\n// tenant-key: RecordId hashes the tenant id with the fact\n| summarize count() by RecordId`;
    expect(workspace.relations(explained)).toEqual([
      expect.objectContaining<Partial<Relation>>({
        operator: 'summarize',
        keys: ['RecordId'],
        reason: 'RecordId hashes the tenant id with the fact',
      }),
    ]);
    expect(untenanted(explained)).toEqual([]);
    // A watchlist's rows carry no tenant: relating them needs no tenant key.
    expect(untenanted('_GetWatchlist("SecureScoreApprovers") | summarize count() by SearchKey')).toEqual([]);
  });
});
