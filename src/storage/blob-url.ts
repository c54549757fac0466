import { ConnectorError } from '../errors.js';

/** Where a blob URL points: the account, the container and the path inside it. */
export interface BlobLocation {
  readonly accountUrl: string;
  readonly container: string;
  /** The path after the container, without a trailing slash: a folder, or one blob's name. */
  readonly folder: string;
  /** A shared access signature given in the URL's query (`sv=…&sig=…`), used to authenticate; never printed. */
  readonly sas?: string | undefined;
}

/** True for an http(s) URL (a blob or blob folder), false for a local path. */
export function isBlobUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Whether a host is addressed path-style (`<host>/<account>/<container>`): Azurite and Azure Stack on an IP or localhost. */
function isPathStyle(hostname: string): boolean {
  return /^(\d+\.\d+\.\d+\.\d+|localhost|\[.*\])$/.test(hostname);
}

/**
 * Splits a blob URL: `https://<account>.blob.core.windows.net/<container>/<path>`, or the path-style
 * `http://127.0.0.1:10000/<account>/<container>/<path>` of Azurite and Azure Stack. `label` names
 * the setting in the error (`--state`, `--dead-letter`, `replay`).
 */
export function parseBlobUrl(value: string, label = '--state'): BlobLocation {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const segments = url ? url.pathname.split('/').filter(Boolean).map(decodeURIComponent) : [];
  const pathStyle = url ? isPathStyle(url.hostname) : false;
  const account = pathStyle ? segments.shift() : undefined;
  const [container, ...blob] = segments;
  if (!url || !container || blob.length === 0 || (pathStyle && !account)) {
    throw new ConnectorError(
      'CONFIG',
      `${label}: "${value}" is not a blob URL. Use https://<account>.blob.core.windows.net/<container>/<folder>`,
    );
  }
  const sas = url.searchParams.has('sig') ? url.search.slice(1) : undefined;
  return { accountUrl: pathStyle ? `${url.origin}/${account}` : url.origin, container, folder: blob.join('/').replace(/\/+$/, ''), sas };
}

/** The URL of `name` inside a blob location's folder; what parseBlobUrl reads back. */
export function blobUrlOf(location: BlobLocation, name: string): string {
  const path = [location.container, ...`${location.folder}/${name}`.split('/')].map(encodeURIComponent).join('/');
  return `${location.accountUrl}/${path}`;
}

/** `<container>/<folder>/`, how messages name a blob folder. */
export function blobFolderName(location: BlobLocation): string {
  return `${location.container}/${location.folder}/`;
}
