import { describe, expect, it } from 'vitest';
import { findFix, networkFailure } from '../../src/fixes.js';
import { PROXY_CODES } from '../../src/http/proxy-tunnel.js';
import { classifyGraphResponse } from '../../src/source/graph-response.js';

describe('a proxy that opens no tunnel, in the catalogue', () => {
  it.each<[string, RegExp, RegExp]>([
    [PROXY_CODES.auth, /wants credentials/, /user and password in the proxy URL/],
    [PROXY_CODES.refused, /refused to open/, /allow this host/],
    [PROXY_CODES.closed, /closed the connection without answering/, /allow this host/],
    [PROXY_CODES.silent, /never answered/, /HTTPS_PROXY names the right proxy/],
  ])('explains %s as a network problem with its fix (exit 1, the next run may succeed)', (code, problem, fix) => {
    const failure = networkFailure(Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('x'), { code }) }));
    expect(failure?.code).toBe(code);
    expect(failure?.rule.problem).toMatch(problem);
    expect(failure?.rule.fix).toMatch(fix);
    expect(failure?.rule.code).toBe('NETWORK');
  });

  it('does not retry within the run what needs credentials first', () => {
    expect(findFix('network', undefined, PROXY_CODES.auth)?.retry).toBe(false);
    expect(findFix('network', 407)?.retry).toBe(false);
    expect(findFix('network', undefined, 'ECONNRESET')?.retry).toBeUndefined();
  });

  it('explains a 407 answered in place of Graph, ingestion or storage as the way there, not the service', () => {
    for (const service of ['graph', 'ingestion', 'storage'] as const) {
      const rule = findFix(service, 407, '<h1>Login needed</h1>');
      expect(rule?.service, service).toBe('network');
      expect(rule?.problem).toMatch(/a proxy on the way wants credentials/);
    }
  });

  it('explains a Logs Ingestion request with no answer by the error it got, and leaves its own rows first', () => {
    expect(findFix('ingestion', undefined, 'the proxy http://p:8080 answered CONNECT h:443 with 407 (EPROXYAUTH)')?.problem).toMatch(
      /proxy wants credentials/,
    );
    expect(findFix('ingestion', undefined, 'connect ECONNREFUSED 10.0.0.1:443')?.problem).toMatch(/refused/);
    expect(findFix('ingestion', 403, 'IsDcrDceBindingValid: False')?.service).toBe('ingestion');
    expect(findFix('identity', undefined, 'ECONNRESET')).toBeUndefined();
  });

  it("turns Graph's 407 into a network failure, not a Graph error that blames --graph-endpoint", () => {
    const outcome = classifyGraphResponse(407, '', null);
    expect(outcome.kind).toBe('network');
    expect(outcome.kind === 'network' && outcome.failure.code).toBe('HTTP 407');
  });
});
