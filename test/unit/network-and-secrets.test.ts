import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../src/auth/proxy.js';
import { exitCodeFor, redactSecrets } from '../../src/errors.js';
import { networkFailure } from '../../src/fixes.js';

describe('redactSecrets', () => {
  it.each([
    [
      'a SAS URL',
      'state https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sp=rw&sig=AbC%2Bd%3D&se=2030',
      'state https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sp=rw&sig=REDACTED&se=2030',
    ],
    ['a SAS whose sig comes first', 'https://a/c/b?sig=xyz%3D', 'https://a/c/b?sig=REDACTED'],
    [
      'a percent-encoded SAS inside another URL',
      'next=https%3A%2F%2Fa%2Fc%3Fsp%3Dr%26sig=xyz',
      'next=https%3A%2F%2Fa%2Fc%3Fsp%3Dr%26sig=REDACTED',
    ],
    [
      'a storage connection string',
      'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Eby8vdM02x+/KBHBeksoGMGw==;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net',
    ],
    [
      'a SharedAccessSignature setting',
      'BlobEndpoint=https://a/;SharedAccessSignature=sv=1&sig=x',
      'BlobEndpoint=https://a/;SharedAccessSignature=REDACTED',
    ],
    [
      'a token request body',
      'grant_type=client_credentials&client_secret=Zq8~Kx3.bT9&scope=x',
      'grant_type=client_credentials&client_secret=REDACTED&scope=x',
    ],
    ['a bearer token', 'Authorization: Bearer eyJhbGciOi.eyJ0aWQiOi.c2ln', 'Authorization: Bearer REDACTED'],
  ])('cuts the secret out of %s and keeps the rest', (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('leaves text without secrets alone, signature-like words included', () => {
    const text = 'Graph https://graph.microsoft.com/v1.0/security/secureScores: HTTP 403 (design=sig). Grant the permission';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('networkFailure', () => {
  const wrapped = (code: string) => ({
    message: 'outer',
    cause: { message: 'inner', cause: Object.assign(new Error(`getaddrinfo ${code}`), { code }) },
  });

  it.each([
    ['ENOTFOUND', /does not resolve \(DNS\)/],
    ['EAI_AGAIN', /does not resolve \(DNS\)/],
    ['ECONNREFUSED', /refused/],
    ['ECONNRESET', /cut/],
    ['ETIMEDOUT', /no answer in time/],
    ['EHOSTUNREACH', /no route/],
  ])('finds %s under the SDK wrappers and names what it means, exit 1', (code, problem) => {
    const failure = networkFailure(wrapped(code));
    expect(failure?.code).toBe(code);
    expect(failure?.rule.problem).toMatch(problem);
    expect(exitCodeFor(failure!.rule.code!)).toBe(1);
  });

  it('treats an untrusted certificate as configuration (retrying will not help)', () => {
    expect(networkFailure(wrapped('SELF_SIGNED_CERT_IN_CHAIN'))?.rule.code).toBe('CONFIG');
  });

  it('is undefined for an error that is not about the network, and survives a cycle of causes', () => {
    const cyclic: { message: string; cause?: unknown } = { message: 'x' };
    cyclic.cause = cyclic;
    expect(networkFailure(Object.assign(new Error('AADSTS7000215'), { code: 'invalid_client' }))).toBeUndefined();
    expect(networkFailure(cyclic)).toBeUndefined();
  });
});

describe('proxyFor', () => {
  it.each<[string, NodeJS.ProcessEnv, string | undefined]>([
    ['no proxy set', {}, undefined],
    ['HTTPS_PROXY, credentials left out', { HTTPS_PROXY: 'http://user:pw@proxy.corp:3128' }, 'http://proxy.corp:3128'],
    ['lower-case https_proxy', { https_proxy: 'http://proxy.corp:3128' }, 'http://proxy.corp:3128'],
    ['HTTP_PROXY when HTTPS_PROXY is unset', { HTTP_PROXY: 'http://p:8080' }, 'http://p:8080'],
    ['a host NO_PROXY names', { HTTPS_PROXY: 'http://p:8080', NO_PROXY: 'localhost, graph.microsoft.com' }, undefined],
    ['a domain NO_PROXY names with a dot', { HTTPS_PROXY: 'http://p:8080', NO_PROXY: '.microsoft.com' }, undefined],
    ['another host than NO_PROXY names', { HTTPS_PROXY: 'http://p:8080', NO_PROXY: 'login.microsoftonline.com' }, 'http://p:8080'],
  ])('for https://graph.microsoft.com with %s is %s', (_name, env, expected) => {
    expect(proxyFor('https://graph.microsoft.com/v1.0', env)).toBe(expected);
  });
});
