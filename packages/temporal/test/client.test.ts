// The plugin on a Client: workflows learn how they were started (client, signal-with-start), and a termination
// requested through the intercepted client is recorded at once — no worker ever hears of it.
import { RuntrailPlugin } from '@runtrail/temporal';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWireValid, RecordingSink } from '../../../test/helpers/recording-sink.js';
import { activities } from './activities.js';
import { type Harness, harness, uniqueName } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('RuntrailPlugin on a Client', () => {
  it('marks client and signal-with-start triggers, and records a termination through the client', async () => {
    const sink = new RecordingSink();
    const plugin = new RuntrailPlugin({ emitter: sink });
    const client = new Client({ connection: h.connection, plugins: [plugin] });
    const taskQueue = uniqueName('client');
    const worker = await Worker.create({ connection: h.native, taskQueue, workflowBundle: h.bundle, activities, plugins: [plugin] });
    const terminatedId = uniqueName('term');
    const signalledId = uniqueName('sws');
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('waitsForever', { taskQueue, workflowId: terminatedId });
      await sink.waitFor((events) => events.some((e) => e.kind === 'start' && e.properties?.workflowId === terminatedId));
      await handle.terminate('operator said so');
      const sws = await client.workflow.signalWithStart('interactive', {
        taskQueue,
        workflowId: signalledId,
        signal: 'finish',
        signalArgs: ['go'],
      });
      expect(await sws.result()).toBe('go:0');
    });
    await sink.waitFor((events) =>
      events.some((e) => e.kind === 'end' && e.properties?.workflowId === undefined && e.result?.status === 'terminated'),
    );
    const starts = sink.events.filter((e) => e.kind === 'start' && !e.instance.job);
    expect(starts.find((e) => e.properties?.workflowId === terminatedId)?.properties?.trigger).toBe('client');
    expect(starts.find((e) => e.properties?.workflowId === signalledId)?.properties?.trigger).toBe('signal-with-start');
    const terminated = sink.events.find((e) => e.result?.status === 'terminated');
    expect(terminated?.instance.id).toBe(starts.find((e) => e.properties?.workflowId === terminatedId)?.instance.id);
    expect(terminated?.result).toMatchObject({ native: 'TERMINATED', error: { message: 'operator said so' } });
    assertWireValid(sink.events);
  });
});
