// OpenLineageClient: awaited emission with retries and per-run START-before-terminal ordering.
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { OpenLineageClient } from '../../src/openlineage/client.js';
import { OpenLineageTransport } from '../../src/openlineage/http-transport.js';
import { activityComplete, activityStart } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup() {
  const endpoint = await StrictOpenLineageServer.start();
  const transport = new OpenLineageTransport({ url: endpoint.url });
  const client = new OpenLineageClient({ transport, retry: { initialDelayMillis: 100, maxDelayMillis: 200 } });
  cleanups.push(
    () => endpoint.close(),
    () => client.close(),
  );
  const [start] = transport.map(activityStart);
  const [complete] = transport.map(activityComplete);
  return { endpoint, client, start: start!, complete: complete! };
}

describe('OpenLineageClient', () => {
  it('holds COMPLETE until the retried START was accepted', async () => {
    const { endpoint, client, start, complete } = await setup();
    endpoint.failNext(503, { times: 2 });
    await Promise.all([client.emit(start), client.emit(complete)]);
    expect((endpoint.accepted as Array<{ eventType: string }>).map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
  });

  it('still attempts COMPLETE when START finally failed', async () => {
    const { endpoint, client, start, complete } = await setup();
    endpoint.failNext(400, { body: '{"code":400,"message":"bad"}' });
    const results = await Promise.allSettled([client.emit(start), client.emit(complete)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((endpoint.accepted as Array<{ eventType: string }>).map((e) => e.eventType)).toEqual(['COMPLETE']);
  });

  it('maps and emits neutral events with emitRunEvent', async () => {
    const { endpoint, client } = await setup();
    await client.emitRunEvent(activityStart);
    await client.emitRunEvent(activityComplete);
    expect(endpoint.accepted).toHaveLength(2);
  });
});
