import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';

/** Azurite's documented development account (public, not a secret). */
const ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite blob service. */
export interface Azurite {
  readonly connectionString: string;
  /** Path-style URL of a blob in the dev account. */
  blobUrl(container: string, blob: string): string;
  readonly service: BlobServiceClient;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts Azurite (the npm package) in memory on a free loopback port and waits until it answers. */
async function startAzurite(): Promise<Azurite> {
  const port = await freePort();
  const main = fileURLToPath(new URL('../../node_modules/azurite/dist/src/blob/main.js', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ],
    { stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${endpoint};`;
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await service.getProperties();
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill();
        throw new Error(`Azurite did not start on port ${port}: ${String(error)}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    connectionString,
    blobUrl: (container, blob) => `${endpoint}/${container}/${blob}`,
    service,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * Starts Azurite with a `state` container for the enclosing describe block and stops it afterwards.
 * Returns a getter: the instance exists only once the block's beforeAll has run.
 */
export function useAzurite(): () => Azurite {
  let azurite: Azurite | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.service.createContainer('state');
  }, 30_000);
  afterAll(async () => azurite?.stop());
  return () => {
    if (!azurite) throw new Error('useAzurite: Azurite is not running (use it inside a test)');
    return azurite;
  };
}
