import { describe, expect, it } from 'vitest';
import { retryDelayMs, type RetryPolicy } from '../../src/http/retry-policy.js';
import { classifyGraphResponse } from '../../src/source/graph-response.js';

const POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 1000 };

describe('Graph response classification', () => {
  it.each([
    [200, '{"value":[]}', 'ok'],
    [200, '{"value":[', 'retry'],
    [206, '{"value":[]}', 'retry'],
    [429, '', 'retry'],
    [500, '', 'retry'],
    [503, '', 'retry'],
    [504, '', 'retry'],
    [401, '{"error":{"code":"InvalidAuthenticationToken"}}', 'fatal'],
    [403, '{"error":{"code":"Authorization_RequestDenied"}}', 'fatal'],
    [404, '', 'fatal'],
  ])('HTTP %i with body %j is %s', (status, body, kind) => {
    expect(classifyGraphResponse(status, body, null).kind).toBe(kind);
  });

  it('names the missing permission on 403', () => {
    const outcome = classifyGraphResponse(403, '{"error":{"code":"Authorization_RequestDenied"}}', null);
    expect(outcome).toMatchObject({ kind: 'fatal', code: 'AUTH', problem: expect.stringContaining('Authorization_RequestDenied') });
    expect(outcome.kind === 'fatal' && outcome.fix).toContain('SecurityEvents.Read.All');
  });

  it('quotes the Warning header of a 206', () => {
    expect(classifyGraphResponse(206, '{}', '199 - "Provider failed"')).toEqual({
      kind: 'retry',
      problem: 'HTTP 206 Partial Content (Warning: 199 - "Provider failed")',
    });
  });
});

describe('retry delays', () => {
  it('honours Retry-After in seconds and as an HTTP date, capped', () => {
    expect(retryDelayMs(0, '3', POLICY)).toBe(3000);
    expect(retryDelayMs(0, '3600', POLICY)).toBe(30_000);
    const now = Date.parse('2026-11-22T00:00:00Z');
    expect(retryDelayMs(0, 'Sun, 22 Nov 2026 00:00:05 GMT', POLICY, Math.random, now)).toBe(5000);
  });

  it('backs off exponentially with jitter when the server gives no Retry-After', () => {
    expect(retryDelayMs(0, null, POLICY, () => 0)).toBe(500);
    expect(retryDelayMs(0, null, POLICY, () => 1)).toBe(1000);
    expect(retryDelayMs(3, null, POLICY, () => 1)).toBe(8000);
    expect(retryDelayMs(10, null, POLICY, () => 1)).toBe(30_000);
  });
});
