import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.js';
import { FIRST_TENANTS, NOT_ASKED, UnreachableAuthority } from '../../src/run/whole-run-failure.js';

const DNS = 'Network: cannot reach login.microsoftonline.com (ENOTFOUND): the host name does not resolve (DNS). The next run tries again';
const network = (message = DNS) => new ConnectorError('NETWORK', message);

/** A token request that ends when told: the test decides its order. */
function request() {
  let end!: (error?: Error) => void;
  const done = new Promise<string>((resolve, reject) => (end = (error) => (error ? reject(error) : resolve('token'))));
  return { done, end };
}

/** 200 tenants asking at once; `answer(i)` is how tenant i's request ends. Returns what each got and how many asked. */
async function runTenants(answer: (i: number) => Error | undefined, tenants = 200) {
  const authority = new UnreachableAuthority();
  let asked = 0;
  let most = 0;
  let inFlight = 0;
  const results = await Promise.allSettled(
    Array.from({ length: tenants }, (_, i) =>
      authority.guard(async () => {
        asked++;
        most = Math.max(most, ++inFlight);
        const { done, end } = request();
        setTimeout(() => end(answer(i)), 5);
        try {
          return await done;
        } finally {
          inFlight--;
        }
      }),
    ),
  );
  return { results, asked, most };
}

describe('a run that cannot reach the authority', () => {
  it('asks only the first tenants, then fails every other at once with the same problem, said as not asked', async () => {
    const { results, asked, most } = await runTenants(() => network());
    expect(asked).toBe(FIRST_TENANTS);
    expect(most).toBe(FIRST_TENANTS);
    const messages = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'token'));
    expect(messages.slice(0, FIRST_TENANTS)).toEqual(Array(FIRST_TENANTS).fill(DNS));
    expect(new Set(messages.slice(FIRST_TENANTS))).toEqual(new Set([`${DNS}${NOT_ASKED}`]));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as ConnectorError).code === 'NETWORK')).toBe(true);
  });

  it.each([
    ['one of the first gets a token', (i: number) => (i === 1 ? undefined : network())],
    [
      'the first fail for different reasons',
      (i: number) => (i === 0 ? new ConnectorError('AUTH', 'Authentication: no consent') : network()),
    ],
    ['the first fail on different hosts', (i: number) => network(`Network: cannot reach host-${i} (ECONNREFUSED)`)],
    ['the first are stopped', () => network('Interrupted: stopped while waiting for a token')],
  ])('lets every tenant ask when %s', async (_, answer) => {
    const { asked } = await runTenants(answer);
    expect(asked).toBe(200);
  });

  it('lets every tenant ask at once as soon as a token is issued', async () => {
    const { asked, most } = await runTenants(() => undefined, 50);
    expect(asked).toBe(50);
    expect(most).toBeGreaterThan(FIRST_TENANTS);
  });
});
