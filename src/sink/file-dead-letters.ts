import { open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectorError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import { makePrivateFolder, PRIVATE_FILE_MODE, replaceFileAtomically } from '../storage/private-files.js';
import { deadLetterName, fileWriteError, writeDeadLetter } from './dead-letter.js';
import type { DeadLetter, DeadLetterFolder, DeadLetterWriter } from './dead-letter-store.js';
import { toNdjson } from './ndjson-sink.js';

/** Dead letters as `<folder>/<tenant>-<run>.ndjson` files, 0600 in folders created 0700. */
export class FileDeadLetterFolder implements DeadLetterFolder {
  constructor(private readonly dir: string) {}

  get description(): string {
    return `folder ${this.dir}`;
  }

  writer(tenantId: string, runId: string): DeadLetterWriter {
    const dir = this.dir;
    let file: string | undefined;
    return {
      location: join(dir, deadLetterName(tenantId, runId)),
      append: async (records) => {
        if (file) await appendWhole(file, records);
        else file = await writeDeadLetter(dir, tenantId, runId, records);
      },
    };
  }

  async list(): Promise<DeadLetter[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fileReadError(this.dir, error);
    }
    return names
      .filter((n) => n.endsWith('.ndjson'))
      .sort()
      .map((n) => new FileDeadLetter(join(this.dir, n)));
  }

  async checkWritable(): Promise<void> {
    const probe = join(this.dir, '.doctor-probe');
    try {
      await makePrivateFolder(this.dir);
      const handle = await open(probe, 'w', PRIVATE_FILE_MODE);
      await handle.close();
      await rm(probe);
    } catch (error) {
      throw fileWriteError(0, probe, error);
    }
  }
}

/** Appends to an existing dead letter; on failure cuts it back to where it was, so no half record is left. */
async function appendWhole(file: string, records: readonly TableRecord[]): Promise<void> {
  let size: number | undefined;
  try {
    size = (await stat(file)).size;
    const handle = await open(file, 'a');
    try {
      await handle.writeFile(toNdjson(records));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (size !== undefined) await truncate(file, size).catch(() => undefined);
    throw fileWriteError(records.length, file, error);
  }
}

/** A dead-letter file; rewritten through a temporary file and a rename, never in place. */
export class FileDeadLetter implements DeadLetter {
  constructor(readonly location: string) {}

  async read(): Promise<Buffer> {
    try {
      return await readFile(this.location);
    } catch (error) {
      throw fileReadError(this.location, error);
    }
  }

  async replace(bytes: Buffer): Promise<void> {
    try {
      await replaceFileAtomically(this.location, bytes);
    } catch (error) {
      throw fileUpdateError(this.location, error);
    }
  }

  async remove(): Promise<void> {
    try {
      await rm(this.location);
    } catch (error) {
      throw fileUpdateError(this.location, error);
    }
  }
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown error';
}

function fileReadError(path: string, error: unknown): ConnectorError {
  return new ConnectorError(
    'DELIVERY',
    `Dead letter: cannot read ${path} (${errnoOf(error)}). Give a path printed by run after "Dead letter:"`,
    {
      cause: error,
    },
  );
}

function fileUpdateError(path: string, error: unknown): ConnectorError {
  return new ConnectorError(
    'DELIVERY',
    `Dead letter: could not update ${path} (${errnoOf(error)}); it is unchanged. Free space there or make the folder writable, then replay it again`,
    { cause: error },
  );
}
