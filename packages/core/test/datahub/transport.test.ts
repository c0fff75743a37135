// DataHubTransport against the strict loopback GMS (test/helpers/strict-gms.ts): routes, headers, auth, bodies,
// batch limits, the /config check, and the retry classification the delivery engine relies on.
import { afterEach, describe, expect, it } from 'vitest';
import { StrictGmsServer } from '../../../../test/helpers/strict-gms.js';
import { DataHubTransport, type DataHubTransportOptions } from '../../src/datahub/transport.js';
import type { DataHubMcp } from '../../src/datahub/types.js';
import { ConfigError, type DeliveryError, isDeliveryError } from '../../src/errors.js';
import { withRetries } from '../../src/http/retry.js';
import { ACTIVITY, activityEnd, activityStart } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(server: ConstructorParameters<typeof StrictGmsServer>[0] = {}, options: Partial<DataHubTransportOptions> = {}) {
  const gms = await new StrictGmsServer(server).start();
  const transport = new DataHubTransport({ url: gms.url, timeoutMillis: 2000, ...options });
  cleanups.push(
    () => gms.stop(),
    () => transport.close(),
  );
  return { gms, transport };
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    if (isDeliveryError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const runMcps = (t: DataHubTransport) => [...t.map(activityStart), ...t.map(activityEnd)];

describe('DataHubTransport', () => {
  it('delivers a run through Rest.li ingestProposalBatch that a strict GMS accepts', async () => {
    const { gms, transport } = await setup({ token: 's3cret' }, { token: 's3cret' });
    const mcps = runMcps(transport);
    await transport.send(mcps);
    expect(gms.requests.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual(['POST /aspects?action=ingestProposalBatch 200']);
    expect(gms.requests[0]?.headers['x-restli-protocol-version']).toBe('2.0.0');
    expect(gms.accepted.map((m) => m.aspectName)).toEqual(mcps.map((m) => m.aspectName));
    expect(gms.accepted[0]?.systemMetadata).toMatchObject({ runId: 'no-run-id-provided', properties: { clientId: 'runtrail' } });
  });

  it('delivers through OpenAPI v3, one request per entity type', async () => {
    const { gms, transport } = await setup({}, { mode: 'openapi' });
    const mcps = runMcps(transport);
    await transport.send(mcps);
    expect(gms.requests.map((r) => r.url).sort()).toEqual([
      '/openapi/v3/entity/dataFlow?async=false',
      '/openapi/v3/entity/dataJob?async=false',
      '/openapi/v3/entity/dataProcessInstance?async=false',
      '/openapi/v3/entity/dataset?async=false',
    ]);
    expect(gms.accepted).toHaveLength(mcps.length);
  });

  it('is refused with 401 without the token, not retryable, with the server message', async () => {
    const { transport } = await setup({ token: 's3cret' });
    const err = await rejection(transport.send(runMcps(transport)));
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/provide a valid token/);
  });

  it('reports GMS validation failures (422) with DataHub’s message and does not retry them', async () => {
    const { gms, transport } = await setup();
    const bad: DataHubMcp = { ...(transport.map(activityEnd)[0] as DataHubMcp), aspect: { timestampMillis: 1, status: 'DONE' } };
    const err = await rejection(withRetries(() => transport.send([bad]), { initialDelayMillis: 1, maxRetries: 3 }));
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/DONE/);
    expect(gms.requests).toHaveLength(1);
  });

  it('classifies 429/5xx with Retry-After as retryable, and succeeds on retry', async () => {
    const { gms, transport } = await setup();
    gms.faults.push({ status: 503, retryAfter: '0' }, { status: 429, retryAfter: '0' });
    const mcps = runMcps(transport);
    const first = await rejection(transport.send(mcps));
    expect(first).toMatchObject({ retryable: true, status: 503, retryAfterMillis: 0 });
    await withRetries(() => transport.send(mcps), { initialDelayMillis: 1, maxRetries: 3 });
    expect(gms.requests.map((r) => r.status)).toEqual([503, 429, 200]);
  });

  it('times out a hanging GMS as a retryable error', async () => {
    const { gms, transport } = await setup({}, { timeoutMillis: 200 });
    gms.faults.push({ hang: true });
    const err = await rejection(transport.send(runMcps(transport)));
    expect(err.code).toBe('RUNTRAIL_TIMEOUT');
    expect(err.retryable).toBe(true);
  });

  it('treats a refused connection as retryable', async () => {
    const transport = new DataHubTransport({ url: 'http://127.0.0.1:9', timeoutMillis: 1000 });
    cleanups.push(() => transport.close());
    const err = await rejection(transport.send(runMcps(transport)));
    expect(err.code).toBe('RUNTRAIL_NETWORK');
    expect(err.retryable).toBe(true);
  });

  it('declares DataHub’s batch limits and sizes MCPs as their serialized bytes', () => {
    const transport = new DataHubTransport({ url: 'http://127.0.0.1:1' });
    cleanups.push(() => transport.close());
    expect(transport.maxBatchSize).toBe(200);
    expect(transport.maxBatchBytes).toBe(15 * 1024 * 1024);
    const mcp = transport.map(activityEnd)[0] as DataHubMcp;
    expect(transport.sizeOf(mcp)).toBeGreaterThan(300);
    expect(transport.sizeOf({ ...mcp, entityUrn: `${mcp.entityUrn}é` })).toBe(transport.sizeOf(mcp) + 6);
  });

  it('tells GMS from the frontend with /config', async () => {
    const { transport } = await setup();
    expect((await transport.checkConnection()).version).toBe('v1.2.0');
    const frontend = await setup({ pretendFrontend: true });
    await expect(frontend.transport.checkConnection()).rejects.toThrow(/frontend.*8080.*\/api\/gms/);
    const locked = await setup({ token: 't' });
    await expect(locked.transport.checkConnection()).rejects.toThrow(/DATAHUB_GMS_TOKEN/);
  });

  it('rejects bad configuration at construction', () => {
    expect(() => new DataHubTransport({ url: 'gms:8080' })).toThrow(ConfigError);
    expect(() => new DataHubTransport({ url: 'http://gms', mode: 'grpc' as never })).toThrow(/restli/);
    expect(() => new DataHubTransport({ url: 'http://gms', timeoutMillis: 0 })).toThrow(/timeoutMillis/);
  });

  it('is accepted by the strict GMS for every outcome and option combination', async () => {
    const { gms, transport } = await setup({}, { platformInstance: 'eu1', subType: () => 'Activity', container: 'c1' });
    for (const status of ['success', 'retry', 'failure', 'cancelled', 'timed_out', 'terminated', 'skipped'] as const) {
      const instance = { ...ACTIVITY, id: `${ACTIVITY.id}/${status}` };
      await transport.send([
        ...transport.map({ ...activityStart, instance, upstream: [ACTIVITY] }),
        ...transport.map({ ...activityEnd, instance, outputs: activityStart.outputs, result: { status, error: { message: 'é🚀' } } }),
      ]);
    }
    expect(gms.requests.every((r) => r.status === 200)).toBe(true);
  });
});
