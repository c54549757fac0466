import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findFix, FIX_RULES } from '../../src/fixes.js';
import { spliceTroubleshooting, TROUBLESHOOTING_PATH } from '../../tools/troubleshooting.js';

describe('the fix catalogue', () => {
  it.each<[Parameters<typeof findFix>, RegExp]>([
    [['graph', 403, '{"error":{"code":"Authorization_RequestDenied"}}'], /SecurityEvents\.Read\.All/],
    [['ingestion', 403, 'PipelineAccessResult: IsRbacPresent: True, IsDcrDceBindingValid: False'], /logsIngestionEndpoint output/],
    [['ingestion', 403, 'PipelineAccessResult: IsRbacPresent: False'], /Monitoring Metrics Publisher/],
    [['ingestion', 404, 'The stream Custom-X is not found'], /--stream-name/],
    [['ingestion', 404, 'not found'], /--dcr-immutable-id/],
    [['storage', 403, ''], /Storage Blob Data Contributor/],
    [['identity', undefined, 'AADSTS7000215: Invalid client secret provided.'], /secret value/],
  ])('answers %j with the specific fix', (args, fix) => {
    expect(findFix(...args)?.fix).toMatch(fix);
  });

  it('has no answer for what it does not know, so callers fall back to the service default', () => {
    expect(findFix('graph', 418, '')).toBeUndefined();
  });

  it('is what the troubleshooting table the README links says (npm run generate writes it)', () => {
    const readme = readFileSync(TROUBLESHOOTING_PATH, 'utf8');
    expect(spliceTroubleshooting(readme)).toBe(readme);
    for (const rule of FIX_RULES) expect(readme).toContain(rule.fix);
  });
});
