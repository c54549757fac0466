import { writeFileSync } from 'node:fs';

/**
 * Writes the lock file a connector killed with SIGKILL as a container's PID 1 left behind: pid 1 on
 * another host (the next container has another name), so only its age can free it.
 */
export function writeKilledContainerLock(path: string): void {
  const lock = {
    host: 'securescore-job-abc12-7xk2p',
    pidNamespace: 'pid:[4026532301]',
    pid: 1,
    token: 'killed',
    startedAt: new Date().toISOString(),
  };
  writeFileSync(path, JSON.stringify(lock));
}
