// OpenLineageTransport against the strict loopback endpoint (test/helpers/strict-openlineage.ts): wire format,
// auth, gzip, 2xx handling, and the retry classification that withRetries and the delivery engine rely on.
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { ConfigError, type DeliveryError, isDeliveryError } from '../../src/errors.js';
import { withRetries } from '../../src/http/retry.js';
import { OpenLineageTransport, type OpenLineageTransportOptions } from '../../src/openlineage/http-transport.js';
import { activityComplete, activityStart } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(server: Parameters<typeof StrictOpenLineageServer.start>[0] = {}, options: Partial<OpenLineageTransportOptions> = {}) {
  const endpoint = await StrictOpenLineageServer.start(server);
  const transport = new OpenLineageTransport({ url: endpoint.url, ...options });
  cleanups.push(
    () => endpoint.close(),
    () => transport.close(),
  );
  return { endpoint, transport, event: transport.map(activityStart)[0]! };
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDeliveryError(err)).toBe(true);
  return err as DeliveryError;
}

const fast = { initialDelayMillis: 10, maxDelayMillis: 50 };

describe('OpenLineageTransport', () => {
  it('POSTs one JSON event to {url}/api/v1/lineage and resolves on 201', async () => {
    const { endpoint, transport, event } = await setup();
    await transport.send([event]);
    expect(await endpoint.waitForAccepted(1)).toEqual([event]);
    expect(endpoint.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/lineage', status: 201 });
    expect(endpoint.requests[0]!.headers['content-type']).toBe('application/json');
    expect(endpoint.requests[0]!.headers.authorization).toBeUndefined();
  });

  it.each([200, 202, 204])('treats %i as success', async (successStatus) => {
    const { endpoint, transport, event } = await setup({ successStatus });
    await transport.send([event]);
    expect(endpoint.accepted).toHaveLength(1);
  });

  it('sends Authorization: Bearer <apiKey>, and the strict endpoint refuses a wrong key with 401 (not retried)', async () => {
    const { endpoint, transport, event } = await setup({ apiKey: 's3cret' }, { apiKey: 's3cret' });
    await transport.send([event]);
    expect(endpoint.requests[0]!.headers.authorization).toBe('Bearer s3cret');
    const wrong = new OpenLineageTransport({ url: endpoint.url, apiKey: 'nope' });
    cleanups.push(() => wrong.close());
    const err = await rejection(withRetries(() => wrong.send([event]), fast));
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(endpoint.requests).toHaveLength(2);
  });

  it('gzips the body with Content-Encoding: gzip when compression is gzip', async () => {
    const { endpoint, transport, event } = await setup({}, { compression: 'gzip' });
    await transport.send([event]);
    expect(endpoint.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(endpoint.accepted).toEqual([event]);
  });

  it('joins the endpoint like urljoin: relative under a base path with a trailing slash, absolute replaces it', async () => {
    const endpoint = await StrictOpenLineageServer.start({ path: '/openapi/openlineage/api/v1/lineage' });
    cleanups.push(() => endpoint.close());
    const relative = new OpenLineageTransport({ url: `${endpoint.url}/openapi/openlineage/` });
    const absolute = new OpenLineageTransport({ url: `${endpoint.url}/ignored`, endpoint: '/openapi/openlineage/api/v1/lineage' });
    cleanups.push(
      () => relative.close(),
      () => absolute.close(),
    );
    expect(relative.endpointUrl).toBe(`${endpoint.url}/openapi/openlineage/api/v1/lineage`);
    await relative.send(relative.map(activityStart));
    await absolute.send(absolute.map(activityComplete));
    expect(endpoint.accepted).toHaveLength(2);
  });

  it('applies custom headers last, so they may override the defaults', async () => {
    const { endpoint, transport, event } = await setup({}, { apiKey: 'k', headers: { 'X-Tenant': 'acme', Authorization: 'Bearer other' } });
    await transport.send([event]);
    expect(endpoint.requests[0]!.headers['x-tenant']).toBe('acme');
    expect(endpoint.requests[0]!.headers.authorization).toBe('Bearer other');
  });

  it('delivers exactly once through withRetries when the server answers 503 twice, then 201', async () => {
    const { endpoint, transport, event } = await setup();
    endpoint.failNext(503, { times: 2 });
    await withRetries(() => transport.send([event]), fast);
    expect(endpoint.requests.map((r) => r.status)).toEqual([503, 503, 201]);
    expect(endpoint.accepted).toEqual([event]);
  });

  it('honours Retry-After on 429', async () => {
    const { endpoint, transport, event } = await setup();
    endpoint.failNext(429, { retryAfter: '1' });
    // withRetries caps a Retry-After at 10 × maxDelayMillis (http/backoff.ts): 2 s here, above the 1 s asked.
    await withRetries(() => transport.send([event]), { initialDelayMillis: 10, maxDelayMillis: 200 });
    expect(endpoint.requests[1]!.at - endpoint.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(endpoint.accepted).toHaveLength(1);
  });

  it('does not retry a 422 and reports the server message', async () => {
    const { endpoint, transport, event } = await setup();
    const broken = { ...event, run: { runId: 'not-a-uuid' } };
    const err = await rejection(withRetries(() => transport.send([broken]), fast));
    expect(err).toMatchObject({ code: 'RUNTRAIL_HTTP_STATUS', status: 422, retryable: false });
    expect(err.message).toContain('runId');
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.accepted).toEqual([]);
  });

  it('cuts a hanging server off at timeoutMillis with a retryable timeout', async () => {
    const { endpoint, transport, event } = await setup({}, { timeoutMillis: 300 });
    endpoint.hangNext();
    const started = Date.now();
    const err = await rejection(transport.send([event]));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toMatchObject({ code: 'RUNTRAIL_TIMEOUT', retryable: true });
  });

  it('reports a refused connection as a retryable network error', async () => {
    const { endpoint, transport, event } = await setup();
    await endpoint.close();
    const err = await rejection(transport.send([event]));
    expect(err).toMatchObject({ code: 'RUNTRAIL_NETWORK', retryable: true });
  });

  it('maps one event per neutral event, sends one per request and sizes events in bytes', async () => {
    const { transport, event } = await setup();
    expect(transport.maxBatchSize).toBe(1);
    expect(transport.maxBatchBytes).toBe(1024 * 1024);
    expect(transport.sizeOf(event)).toBe(Buffer.byteLength(JSON.stringify(event)));
    expect(transport.map(activityComplete)).toHaveLength(1);
    expect(transport.name).toBe('openlineage');
  });

  it('rejects bad configuration at construction with ConfigError', () => {
    expect(() => new OpenLineageTransport({ url: '' })).toThrow(ConfigError);
    expect(() => new OpenLineageTransport({ url: 'ftp://x' })).toThrow(ConfigError);
    expect(() => new OpenLineageTransport({ url: 'not a url' })).toThrow(ConfigError);
    expect(() => new OpenLineageTransport({ url: 'http://x', compression: 'br' as 'gzip' })).toThrow(ConfigError);
    expect(() => new OpenLineageTransport({ url: 'http://x', timeoutMillis: 0 })).toThrow(ConfigError);
  });

  it('close() is idempotent', async () => {
    const { transport } = await setup();
    await transport.close();
    await transport.close();
  });
});

describe('the strict endpoint', () => {
  it('answers 400 for malformed JSON, 404 for another path, 415 without a JSON content type, 422 for unknown fields', async () => {
    const { endpoint, event } = await setup();
    const post = (path: string, body: string, contentType = 'application/json') =>
      fetch(`${endpoint.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
    expect((await post('/api/v1/lineage', '{nope')).status).toBe(400);
    expect((await post('/api/v1/other', JSON.stringify(event))).status).toBe(404);
    expect((await post('/api/v1/lineage', JSON.stringify(event), 'text/plain')).status).toBe(415);
    const unknown = await post('/api/v1/lineage', JSON.stringify({ ...event, eventtime: 'x' }));
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { errors: string[] }).errors.join()).toContain('eventtime');
    const missing = await post('/api/v1/lineage', JSON.stringify({ ...event, eventTime: undefined }));
    expect(missing.status).toBe(422);
    expect(endpoint.accepted).toEqual([]);
  });
});
