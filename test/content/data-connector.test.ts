import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventTime, type Delivery } from '../../src/sentinel/alert-model.js';
import {
  buildConnectorDefinition,
  CONNECTED_QUERY,
  CONNECTOR_ID,
  CONNECTOR_PATH,
  LAST_DATA_RECEIVED_QUERY,
  renderConnectorDefinition,
} from '../../tools/content/connector.js';
import { loadSentinelContent } from '../../tools/content/load.js';
import { Workspace } from '../support/kusto.js';
import { DAY, DEMO_FACTS, deliverRun, HOUR, replayed } from './support/demo-timeline.js';

const content = loadSentinelContent();
const connector = buildConnectorDefinition();
const workspace = new Workspace(content.parsers.map((p) => p.parser));

/** Content that declares the data it needs, with the file it came from. */
const dependents = [
  ...content.rules.map(({ file, rule }) => ({ file, required: rule.requiredDataConnectors })),
  ...content.hunting.map(({ file, query }) => ({ file, required: query.requiredDataConnectors })),
];

describe('the data connector definition', () => {
  it('is committed as npm run generate writes it', () => {
    expect(readFileSync(CONNECTOR_PATH, 'utf8')).toBe(renderConnectorDefinition());
  });

  it.each(dependents)('$file: every requiredDataConnectors entry of ours resolves to it and its dataTypes', ({ required }) => {
    const ours = required.filter((r) => r.connectorId === CONNECTOR_ID);
    expect(ours.length).toBe(1);
    const declared = connector.dataTypes.map((d) => d.name);
    for (const r of ours) for (const t of r.dataTypes) expect(declared).toContain(t);
    // Any other connector named must be a Microsoft one Sentinel ships (AzureActiveDirectory for AuditLogs).
    for (const r of required.filter((x) => x.connectorId !== CONNECTOR_ID)) expect(r.connectorId).toBe('AzureActiveDirectory');
  });

  it('has queries that Kusto.Language analyses without errors against the table and parsers', () => {
    const queries = [
      CONNECTED_QUERY,
      LAST_DATA_RECEIVED_QUERY,
      ...connector.graphQueries.map((g) => g.baseQuery),
      ...connector.sampleQueries.map((s) => s.query),
    ];
    for (const q of queries) expect(workspace.analyze(q).errors, q).toEqual([]);
    const connected = workspace.analyze(CONNECTED_QUERY);
    expect([...connected.columns]).toEqual([['IsConnected', 'bool']]);
    expect([...workspace.analyze(LAST_DATA_RECEIVED_QUERY).columns.keys()]).toEqual(['Time']);
  });

  it('reads connectivity from the run records through the parser, aged by the run start, never TimeGenerated', () => {
    expect(connector.connectivityCriterias).toEqual([{ type: 'IsConnectedQuery', value: [CONNECTED_QUERY] }]);
    expect(workspace.names(CONNECTED_QUERY)).toContain('MSSecureScoreConnectorRuns');
    expect(workspace.names(CONNECTED_QUERY)).toContain('EventTime');
    expect(workspace.names(CONNECTED_QUERY)).not.toContain('TimeGenerated');
  });

  it('names the Graph permission and the DCR role it needs, and the set-up steps', () => {
    const customs = connector.permissions.customs.map((c) => c.name).join(' ');
    expect(customs).toContain('SecurityEvents.Read.All');
    expect(customs).toContain('Monitoring Metrics Publisher');
    const steps = connector.instructionSteps.map((s) => s.description).join(' ');
    expect(steps).toContain('dcr-templates/securescore-dcr.json');
    expect(steps).toContain('deploy/container-apps-job.json');
  });
});

/**
 * The Connected query, modelled over the demo tenant's records as the connector delivers them: the
 * parser's window (first ingestion in the last 2 days), the status filter and the 26-hour age by
 * EventTime (the run's start).
 */
function isConnected(deliveries: readonly Delivery[], now: number): boolean {
  const firstIngested = new Map<string, number>();
  for (const d of deliveries) {
    const id = String(d.record.RecordId);
    if (d.ingestedAt <= now) firstIngested.set(id, Math.min(firstIngested.get(id) ?? Infinity, d.ingestedAt));
  }
  const runs = deliveries.filter(
    (d) =>
      d.record.RecordType === 'ConnectorRun' &&
      firstIngested.get(String(d.record.RecordId))! >= now - 2 * DAY &&
      d.ingestedAt <= now &&
      ['Succeeded', 'PartiallySucceeded'].includes(String(d.record.RunStatus)),
  );
  if (runs.length === 0) return false;
  return Math.max(...runs.map((d) => eventTime(d.record))) > now - 26 * HOUR;
}

describe("Connected, on the demo tenant's records", () => {
  const start = Date.parse('2026-03-01T06:00:00Z');
  const first = deliverRun({ at: start, facts: DEMO_FACTS, kind: 'Backfill' });

  it('is Connected after a successful run, until 26 hours pass without another', () => {
    expect(isConnected(first, start + HOUR)).toBe(true);
    expect(isConnected(first, start + 25 * HOUR)).toBe(true);
    expect(isConnected(first, start + 27 * HOUR)).toBe(false);
  });

  it('is not Connected on a failed run alone, nor on a replay of old run records', () => {
    const failed = deliverRun({ at: start, facts: [], kind: 'Incremental', status: 'Failed' });
    expect(isConnected(failed, start + HOUR)).toBe(false);
    expect(isConnected(replayed(first, 10 * DAY), start + 10 * DAY + HOUR)).toBe(false);
  });
});
