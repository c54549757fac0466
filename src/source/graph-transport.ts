import { createRequire } from 'node:module';
import type { HttpClient, Pipeline } from '@azure/core-rest-pipeline';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { describeError } from '../errors.js';
import { boundSdkProxyTunnels } from '../http/proxy-tunnel.js';
import { lazy } from '../lazy.js';

// The CommonJS builds, as @azure/identity's (lazy-credential.ts): one copy of core-rest-pipeline in
// the process, without the ESM loader's cost per file.
const require = createRequire(import.meta.url);
const { createDefaultHttpClient, createEmptyPipeline, createHttpHeaders, createPipelineRequest, decompressResponsePolicy, proxyPolicy } =
  require('@azure/core-rest-pipeline') as typeof import('@azure/core-rest-pipeline');
const { GraphClientError } = require('@microsoft/microsoft-graph-client') as typeof import('@microsoft/microsoft-graph-client');

/**
 * The last link of graph-client's middleware chain, in place of its HTTPMessageHandler. That one
 * calls the global fetch, which in Node 20 ignores HTTPS_PROXY and NO_PROXY; this one sends through
 * @azure/core-rest-pipeline's HTTP client with its proxy policy, so Graph takes the same proxy as
 * the token and ingestion requests, decided by the same code.
 *
 * No retries here (getGraphJson retries); the answer is a fetch `Response` whatever its status. A
 * request that got no answer rejects with a GraphClientError (graph-client would wrap any other error,
 * keeping only its message) whose `cause` is the signal's reason or the HTTP client's error and code.
 */
export class PipelineTransport implements Middleware {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;

  constructor() {
    ({ pipeline: this.pipeline, httpClient: this.httpClient } = sharedTransport());
  }

  async execute(context: Context): Promise<void> {
    const url = requestUrl(context.request);
    const options = context.options ?? {};
    const headers = new Headers(options.headers);
    const signal = options.signal ?? undefined;
    const request = createPipelineRequest({
      url,
      method: (options.method ?? 'GET').toUpperCase() as 'GET',
      headers: createHttpHeaders(Object.fromEntries(headers.entries())),
      body: typeof options.body === 'string' ? options.body : undefined,
      abortSignal: signal,
    });
    try {
      const response = await this.pipeline.sendRequest(this.httpClient, request);
      // As fetch's text() would: a UTF-8 byte order mark is not part of the text.
      const text = response.status === 204 || response.status === 304 ? '' : (response.bodyAsText ?? '').replace(/^\uFEFF/, '');
      context.response = new TextResponse(text, response.status, response.headers.toJSON());
    } catch (error) {
      const cause: unknown = signal?.aborted ? signal.reason : error;
      throw Object.assign(new GraphClientError(describeError(cause)), { cause });
    }
  }
}

/**
 * A fetch `Response` over a body already read as text: `new Response(text)` would make two more copies
 * of every page, held by every tenant at once. Only reads other than `json()` and `text()` get bytes.
 */
export class TextResponse extends Response {
  constructor(
    private readonly bodyText: string,
    status: number,
    headers: Record<string, string>,
  ) {
    super(null, { status, headers });
  }

  override text(): Promise<string> {
    return Promise.resolve(this.bodyText);
  }

  override json(): Promise<unknown> {
    return Promise.resolve().then(() => JSON.parse(this.bodyText) as unknown);
  }

  override get body(): Response['body'] {
    return this.bodyText === '' ? null : this.asBytes().body;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.asBytes().arrayBuffer();
  }

  override blob(): Promise<Blob> {
    return this.asBytes().blob();
  }

  override clone(): TextResponse {
    return new TextResponse(this.bodyText, this.status, Object.fromEntries(this.headers));
  }

  private asBytes(): Response {
    // A 204 or 304 may not have a body, even an empty one.
    return new Response(this.bodyText === '' ? null : this.bodyText, { status: this.status, headers: this.headers });
  }
}

/**
 * One pipeline and HTTP client for every tenant, so the tenants of a run reuse Graph connections
 * instead of each paying for its own handshakes. Nothing tenant-specific: the token is added earlier.
 */
const sharedTransport = lazy((): { pipeline: Pipeline; httpClient: HttpClient } => {
  // A request that ends (time-out, stop) ends the proxy tunnel it was waiting for too.
  boundSdkProxyTunnels();
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(proxyPolicy());
  // fetch asked for gzip and unpacked it; so does this.
  pipeline.addPolicy(decompressResponsePolicy());
  return { pipeline, httpClient: createDefaultHttpClient() };
});

function requestUrl(request: Context['request']): string {
  if (typeof request === 'string') return request;
  return request instanceof Request ? request.url : String(request);
}
