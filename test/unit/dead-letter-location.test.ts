import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/config.js';
import { ConnectorError } from '../../src/errors.js';
import { blobUrlOf, parseBlobUrl } from '../../src/storage/blob-url.js';

const TARGET = {
  ingestionEndpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com',
  dcrImmutableId: 'dcr-0123456789abcdef0123456789abcdef',
};
const STATE = 'https://contoso.blob.core.windows.net/securescore/checkpoints';

describe('where dead letters go', () => {
  it.each([
    ['a file --state keeps the default folder', { state: 'state.json' }, {}, './dead-letter'],
    [
      'a blob --state puts them in <container>/dead-letter of its account',
      { state: STATE },
      {},
      'https://contoso.blob.core.windows.net/securescore/dead-letter',
    ],
    [
      'a path-style (Azurite) blob --state keeps the account in the path',
      { state: 'http://127.0.0.1:10000/devstoreaccount1/state/x/y' },
      {},
      'http://127.0.0.1:10000/devstoreaccount1/state/dead-letter',
    ],
    ['--dead-letter wins over a blob --state', { state: STATE, deadLetter: 'local' }, {}, 'local'],
    [
      'SECURESCORE_DEAD_LETTER wins over a blob --state',
      { state: STATE },
      { SECURESCORE_DEAD_LETTER: 'https://a.blob.core.windows.net/c/dl' },
      'https://a.blob.core.windows.net/c/dl',
    ],
  ])('%s', (_, args, env, expected) => {
    expect(buildConfig({ ...TARGET, ...args }, env, 'run').deadLetter).toBe(expected);
  });

  it('reads --dead-letter and --all for replay', () => {
    const config = buildConfig({ ...TARGET, all: true, deadLetter: 'https://a.blob.core.windows.net/c/dl' }, {}, 'replay');
    expect(config).toMatchObject({ replayAll: true, deadLetter: 'https://a.blob.core.windows.net/c/dl' });
    expect(buildConfig(TARGET, {}, 'replay')).toMatchObject({ replayAll: false, deadLetter: './dead-letter' });
  });

  it('refuses a --dead-letter URL that names no blob folder, with the form to use', () => {
    const error = (() => {
      try {
        buildConfig({ ...TARGET, deadLetter: 'https://a.blob.core.windows.net/only-container' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).message).toBe(
      '--dead-letter: "https://a.blob.core.windows.net/only-container" is not a blob URL. Use https://<account>.blob.core.windows.net/<container>/<folder>',
    );
  });

  it.each([
    ['https://contoso.blob.core.windows.net/securescore/dead-letter', 'tenant-run.ndjson'],
    ['http://127.0.0.1:10000/devstoreaccount1/state/a/b', 'x y.ndjson'],
  ])('reads back the blob URL it prints for a dead letter in %s', (folder, name) => {
    const location = parseBlobUrl(folder);
    const url = blobUrlOf(location, name);
    expect(parseBlobUrl(url)).toEqual({ ...location, folder: `${location.folder}/${name}` });
  });
});
