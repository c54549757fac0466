import { describe, expect, it } from 'vitest';
import { judgeLock, staleLockAfterMs, type FoundLock, type LockOwner } from '../../src/state/file-lock.js';

const STALE_AFTER = staleLockAfterMs(30);
const MINUTE = 60_000;
const SELF: LockOwner = { host: 'job-7f9c', pidNamespace: 'pid:[4026532201]', pid: 1, token: 'this-life' };
const LIVE_PIDS = new Set([1, 4242]);
const alive = (pid: number) => LIVE_PIDS.has(pid);

function lock(owner: Partial<LockOwner>, ageMinutes: number): FoundLock {
  return { document: { ...SELF, ...owner, startedAt: '2026-11-04T06:00:00.000Z' }, ageMs: ageMinutes * MINUTE };
}
const unreadable = (ageMinutes: number): FoundLock => ({ document: undefined, ageMs: ageMinutes * MINUTE });

describe('file lock verdicts', () => {
  it('waits for the run deadline plus five minutes before a lock counts as abandoned', () => {
    expect(STALE_AFTER).toBe(35 * MINUTE);
  });

  it.each([
    ['this process holds it (same host, namespace, pid and token)', lock({}, 1), false],
    ['an earlier life of PID 1 in this container wrote it (same pid, another token)', lock({ token: 'earlier-life' }, 1), true],
    ['a live process of this host and namespace holds it', lock({ pid: 4242, token: 'other' }, 1), false],
    ['its process on this host and namespace is gone', lock({ pid: 31337, token: 'other' }, 1), true],
    ['PID 1 of another container holds it (another host), written a minute ago', lock({ host: 'job-1a2b', token: 'other' }, 1), false],
    ['PID 1 of another container killed 40 minutes ago wrote it', lock({ host: 'job-1a2b', token: 'other' }, 40), true],
    [
      'PID 1 of a container sharing the host name but not the pid namespace holds it',
      lock({ pidNamespace: 'pid:[4026532999]', token: 'other' }, 1),
      false,
    ],
    [
      'a dead pid on another host wrote it recently (the pid there cannot be checked from here)',
      lock({ host: 'vm-2', pid: 31337, token: 'other' }, 1),
      false,
    ],
    [
      'a live pid on this host wrote it longer ago than the deadline (pid reused, or the run hung)',
      lock({ pid: 4242, token: 'other' }, 36),
      true,
    ],
    ['it is empty or unreadable, written a moment ago (maybe still being written)', unreadable(0), false],
    ['it is empty or unreadable and older than the deadline', unreadable(36), true],
  ])('when %s: stale is %s', (_, found, stale) => {
    expect(judgeLock(found, SELF, STALE_AFTER, alive).stale).toBe(stale);
  });
});
