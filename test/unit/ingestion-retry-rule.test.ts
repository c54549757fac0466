import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.js';
import { isWorthRetrying } from '../../src/sink/logs-ingestion-sink.js';

/** A request that got no answer, as core-rest-pipeline rejects it: a RestError with the Node error code and no status. */
const lost = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.4:443`), { name: 'RestError', code });

describe('an ingestion request that got no answer is sent again only when another attempt can help', () => {
  it.each([
    ['a refused connection', lost('ECONNREFUSED'), true],
    ['a connection cut mid-request', lost('ECONNRESET'), true],
    ['a name that did not resolve (DNS may recover)', lost('EAI_AGAIN'), true],
    ['our own time-out or a stop (AbortError)', Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }), false],
    ['a proxy that wants credentials', lost('EPROXYAUTH'), false],
    ['a TLS certificate nobody trusts (a person must add the CA)', lost('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), false],
    [
      'a token the credential could not get (its guard already tried)',
      new ConnectorError('NETWORK', 'Network: cannot reach login.microsoftonline.com (ECONNREFUSED)'),
      false,
    ],
    [
      'a credential that cannot be used at all',
      Object.assign(new Error('ClientSecretCredential: tenantId is required'), { name: 'CredentialUnavailableError' }),
      false,
    ],
    ['a bug (no code at all)', new TypeError("Cannot read properties of undefined (reading 'x')"), false],
  ])('%s: %s', (_, error, expected) => {
    expect(isWorthRetrying(error)).toBe(expected);
  });
});
