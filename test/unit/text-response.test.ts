import { describe, expect, it } from 'vitest';
import { TextResponse } from '../../src/source/graph-transport.js';

describe('a Graph answer already read as text', () => {
  const page = '{"value":[{"controlName":"AdminMFAV2","description":"Plus d’authentification"}]}';

  it('gives the same text and JSON as a fetch Response, and its status and headers', async () => {
    const response = new TextResponse(page, 200, { 'content-type': 'application/json; charset=utf-8' });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe(page);
    expect(await response.json()).toEqual(JSON.parse(page));
    expect(await response.clone().json()).toEqual(JSON.parse(page));
  });

  it('gives the body as UTF-8 bytes to any other read, as the Graph client does for other content types', async () => {
    const response = new TextResponse(page, 502, { 'content-type': 'text/html' });
    expect(response.ok).toBe(false);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.toString('utf8')).toBe(page);
    expect((await response.blob()).size).toBe(Buffer.byteLength(page));
    expect(await new Response(response.body).text()).toBe(page);
  });

  it('has no body for an empty answer, and rejects JSON that does not parse', async () => {
    const empty = new TextResponse('', 204, {});
    expect(empty.body).toBeNull();
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
    await expect(new TextResponse('<html>', 200, {}).json()).rejects.toThrow(SyntaxError);
  });
});
