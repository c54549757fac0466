import { describe, expect, it } from 'vitest';
import { buildConfig, type CliArgs } from '../../src/config/config.js';
import { ConnectorError } from '../../src/errors.js';

const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const TARGET: CliArgs = { ingestionEndpoint: 'https://dce-x.westeurope-1.ingest.monitor.azure.com', dcrImmutableId: DCR };

describe('buildConfig', () => {
  it('fills the public cloud defaults', () => {
    const config = buildConfig(TARGET);
    expect(config).toMatchObject({
      cloud: 'AzurePublic',
      graphEndpoint: 'https://graph.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      ingestionAudience: 'https://monitor.azure.com',
      days: 30,
      output: undefined,
      ingestion: {
        endpoint: 'https://dce-x.westeurope-1.ingest.monitor.azure.com',
        dcrImmutableId: DCR,
        streamName: 'Custom-MicrosoftSecureScore',
      },
    });
  });

  it.each([
    ['AzureUSGovernment', 'https://graph.microsoft.us', 'https://login.microsoftonline.us', 'https://monitor.azure.us'],
    ['azureusgovernmentdod', 'https://dod-graph.microsoft.us', 'https://login.microsoftonline.us', 'https://monitor.azure.us'],
  ])('sets Graph, authority and audience together for %s', (cloud, graph, authority, audience) => {
    expect(buildConfig({ ...TARGET, cloud })).toMatchObject({
      graphEndpoint: graph,
      authorityHost: authority,
      ingestionAudience: audience,
    });
  });

  it('lets --graph-endpoint and --authority-host override the cloud', () => {
    expect(buildConfig({ ...TARGET, graphEndpoint: 'https://127.0.0.1:8443', authorityHost: 'https://127.0.0.1:9443/' })).toMatchObject({
      graphEndpoint: 'https://127.0.0.1:8443',
      authorityHost: 'https://127.0.0.1:9443',
    });
  });

  it.each<[string, CliArgs, RegExp]>([
    ['no destination', {}, /^run: no destination\. Set --ingestion-endpoint/],
    ['endpoint without DCR id', { ingestionEndpoint: TARGET.ingestionEndpoint }, /^--dcr-immutable-id: missing/],
    ['DCR id without endpoint', { dcrImmutableId: DCR }, /^--ingestion-endpoint: missing/],
    ['both destinations', { ...TARGET, output: 'x.ndjson' }, /^--output: set together with --ingestion-endpoint/],
    ['a DCR name instead of its immutable id', { ...TARGET, dcrImmutableId: 'dcr-securescore' }, /not an immutable id/],
    ['http endpoint', { ...TARGET, ingestionEndpoint: 'http://x.ingest.monitor.azure.com' }, /is not https/],
    ['endpoint with a path', { ...TARGET, ingestionEndpoint: 'https://x.ingest.monitor.azure.com/dataCollectionRules' }, /has a path/],
    ['days over 90', { ...TARGET, days: 91 }, /^--days: 91 is out of range\. Use a whole number from 1 to 90/],
    ['days zero', { ...TARGET, days: 0 }, /^--days: 0 is out of range/],
    ['fractional days', { ...TARGET, days: 1.5 }, /^--days/],
    [
      'an unknown cloud',
      { ...TARGET, cloud: 'Mars' },
      /^--cloud: "Mars" is not a cloud\. Use one of AzurePublic, AzureUSGovernment, AzureUSGovernmentDoD/,
    ],
    ['the China cloud', { ...TARGET, cloud: 'AzureChina' }, /not offered in the Microsoft Azure operated by 21Vianet/],
    ['a stream without Custom-', { ...TARGET, streamName: 'MicrosoftSecureScore' }, /^--stream-name/],
  ])('refuses %s with an actionable CONFIG error', (_name, args, message) => {
    let error: unknown;
    try {
      buildConfig(args);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('CONFIG');
    expect((error as ConnectorError).message).toMatch(message);
  });

  it('runs the demo to stdout without any destination', () => {
    expect(buildConfig({ demo: true })).toMatchObject({ demo: true, output: '-', ingestion: undefined });
  });
});

describe('clouds', () => {
  it('offers in the Container Apps template exactly the clouds the connector runs in', async () => {
    const { CLOUD_NAMES } = await import('../../src/config/clouds.js');
    const { readFileSync } = await import('node:fs');
    const template = JSON.parse(readFileSync('deploy/container-apps-job.json', 'utf8')) as {
      parameters: { cloud: { allowedValues: string[] } };
    };
    expect(template.parameters.cloud.allowedValues).toEqual([...CLOUD_NAMES]);
  });
});

describe('the configuration page the README links', () => {
  it('documents every setting of run in its table', async () => {
    const { readFileSync } = await import('node:fs');
    const { optionsOf } = await import('../../src/config/options.js');
    const table = readFileSync('docs/configuration.md', 'utf8');
    expect(
      optionsOf('run')
        .filter((o) => !table.includes(`\`--${o.flag}`))
        .map((o) => o.flag),
    ).toEqual([]);
  });
});
