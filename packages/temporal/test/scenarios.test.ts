// The plugin on a real dev server: what users see for each kind of run. Every recorded event is also mapped to
// OpenLineage (validated against the official schemas) and to DataHub MCPs (checked against DataHub's models).
import { eventKey, type RunEvent } from '@runtrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWireValid } from '../../../test/helpers/recording-sink.js';
import { type Harness, harness, pluginWorker, uniqueName } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const ends = (events: RunEvent[]) => events.filter((e) => e.kind === 'end');
const summary = (events: RunEvent[]) => events.map((e) => `${e.kind}#${e.attempt}${e.result ? `:${e.result.status}` : ''}`);
function byJob(events: RunEvent[], job?: string): RunEvent[] {
  return events.filter((e) => e.instance.job === job);
}

describe('RuntrailPlugin scenarios', () => {
  it('records a successful run: flow instance, job instance, links, properties and lineage', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h, { uiUrl: 'http://localhost:8233' });
    const workflowId = uniqueName('etl');
    const handle = await worker.runUntil(async () => {
      const handle = await h.client.workflow.start('etl', { taskQueue, workflowId, args: ['orders'] });
      await handle.result();
      return handle;
    });
    const runId = handle.firstExecutionRunId;
    const flow = byJob(sink.events);
    expect(summary(flow)).toEqual(['start#1', 'end#1:success']);
    expect(flow[0]?.instance).toMatchObject({
      orchestrator: 'temporal',
      cluster: 'prod',
      flow: 'etl',
      id: `default/${workflowId}/${runId}`,
      runUuid: runId,
    });
    expect(flow[0]?.properties).toMatchObject({ taskQueue, workflowId, runId, namespace: 'default', trigger: 'client', attempt: '1' });
    expect(flow[0]?.url).toBe(`http://localhost:8233/namespaces/default/workflows/${workflowId}/${runId}/history`);
    expect(flow[1]).toMatchObject({
      inputs: [{ platform: 'postgres', name: 'orders' }],
      outputs: [{ platform: 's3', name: 'lake/out' }],
      properties: { business: 'daily' },
    });
    const act = byJob(sink.events, 'extract');
    expect(summary(act)).toEqual(['start#1', 'end#1:success']);
    expect(act[0]?.instance).toMatchObject({ flow: 'etl', job: 'extract', id: `default/${workflowId}/${runId}/1` });
    expect(act[0]?.parent?.id).toBe(flow[0]?.instance.id);
    expect(act[0]?.root?.id).toBe(flow[0]?.instance.id);
    expect(act[1]).toMatchObject({ inputs: [{ name: 'shop.orders' }], outputs: [{ name: 'lake/orders' }], metrics: { rows: 42 } });
    assertWireValid(sink.events);
  });

  it('records an activity retried twice then succeeding as three attempts of one instance', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(h.client.workflow.execute('retried', { taskQueue, workflowId: uniqueName('retried'), args: [uniqueName('k')] }));
    const act = byJob(sink.events, 'flaky');
    expect(new Set(act.map((e) => e.instance.id)).size).toBe(1);
    expect(summary(act)).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:retry', 'start#3', 'end#3:success']);
    expect(act[1]?.result?.error?.message).toBe('transient failure 1');
    expect(act[0]?.maxAttempts).toBe(5);
    assertWireValid(sink.events);
  });

  it('records an activity failing for good, and the workflow failing with it', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(
      expect(h.client.workflow.execute('failsForGood', { taskQueue, workflowId: uniqueName('fails') })).rejects.toThrow(),
    );
    expect(summary(byJob(sink.events, 'alwaysFails'))).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:failure']);
    expect(ends(byJob(sink.events, 'alwaysFails'))[1]?.result).toMatchObject({
      native: 'MAXIMUM_ATTEMPTS_REACHED',
      error: { message: 'the warehouse is gone', type: 'WarehouseGone' },
    });
    expect(ends(byJob(sink.events))[0]?.result?.status).toBe('failure');
    assertWireValid(sink.events);
  });

  it('records a non-retryable failure as final on its first attempt', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(expect(h.client.workflow.execute('nonRetryable', { taskQueue, workflowId: uniqueName('nr') })).rejects.toThrow());
    expect(summary(byJob(sink.events, 'nonRetryable'))).toEqual(['start#1', 'end#1:failure']);
    expect(ends(sink.events).find((e) => e.instance.job)?.result).toMatchObject({
      native: 'NON_RETRYABLE_FAILURE',
      error: { type: 'BadInput' },
    });
  });

  it('records an activity timeout (seen only by the server) from the workflow side', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    const result = await worker.runUntil(h.client.workflow.execute('timesOut', { taskQueue, workflowId: uniqueName('to') }));
    expect(result).toBe('timed out');
    const act = byJob(sink.events, 'slow');
    expect(summary(act).slice(0, 2)).toEqual(['start#1', 'end#1:timed_out']);
    expect(act[1]?.result?.native).toBe('TIMEOUT_START_TO_CLOSE');
    assertWireValid(sink.events);
  });

  it('records a workflow cancelled mid-activity as cancelled, and the activity too', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(async () => {
      const handle = await h.client.workflow.start('cancellable', { taskQueue, workflowId: uniqueName('cancel') });
      await sink.waitFor((events) => events.some((e) => e.kind === 'start' && e.instance.job === 'heartbeating'));
      await new Promise((r) => setTimeout(r, 300));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
    });
    await sink.waitFor((events) => ends(events).length === 2);
    expect(ends(byJob(sink.events, 'heartbeating'))[0]?.result?.status).toBe('cancelled');
    expect(ends(byJob(sink.events))[0]?.result).toMatchObject({ status: 'cancelled', native: 'cancelled' });
    assertWireValid(sink.events);
  });

  it('links child workflows two levels deep to their parent and to the root', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    const workflowId = uniqueName('tree');
    await worker.runUntil(h.client.workflow.execute('parentFlow', { taskQueue, workflowId, args: [2] }));
    const starts = sink.events.filter((e) => e.kind === 'start' && !e.instance.job);
    expect(starts).toHaveLength(3);
    const [top, child, grandchild] = [workflowId, `${workflowId}-child`, `${workflowId}-child-child`].map((id) =>
      starts.find((e) => e.properties?.workflowId === id),
    );
    expect(top?.parent).toBeUndefined();
    expect(child?.parent?.id).toBe(top?.instance.id);
    expect(grandchild?.parent?.id).toBe(child?.instance.id);
    expect(grandchild?.root?.id).toBe(top?.instance.id);
    expect(child?.properties?.trigger).toBe('parent');
    const leaf = sink.events.find((e) => e.kind === 'start' && e.instance.job === 'extract');
    expect(leaf?.parent?.id).toBe(grandchild?.instance.id);
    expect(leaf?.root?.id).toBe(top?.instance.id);
    expect(ends(sink.events).every((e) => e.result?.status === 'success')).toBe(true);
    assertWireValid(sink.events);
  });

  it('links continue-as-new successors with upstream and ends the predecessor as continued_as_new', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(h.client.workflow.execute('continues', { taskQueue, workflowId: uniqueName('can'), args: [2] }));
    const runs = sink.events.filter((e) => !e.instance.job && e.kind === 'start');
    expect(runs).toHaveLength(3);
    expect(runs[0]?.upstream).toBeUndefined();
    expect(runs[1]?.upstream?.[0]?.id).toBe(runs[0]?.instance.id);
    expect(runs[2]?.upstream?.[0]?.id).toBe(runs[1]?.instance.id);
    const runEnds = ends(sink.events).filter((e) => !e.instance.job);
    expect(runEnds.map((e) => e.result?.native)).toEqual(['continued_as_new', 'continued_as_new', undefined]);
    assertWireValid(sink.events);
  });

  it('records a workflow retry policy as a failed run followed by a new linked run', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    const attempt = await worker.runUntil(
      h.client.workflow.execute('retriedWorkflow', {
        taskQueue,
        workflowId: uniqueName('wfretry'),
        retry: { maximumAttempts: 2, initialInterval: '10ms' },
      }),
    );
    expect(attempt).toBe(2);
    const runEnds = ends(sink.events);
    expect(runEnds.map((e) => [e.attempt, e.result?.status])).toEqual([
      [1, 'failure'],
      [2, 'success'],
    ]);
    expect(runEnds[1]?.upstream?.[0]?.id).toBe(runEnds[0]?.instance.id);
    assertWireValid(sink.events);
  });

  it('records a local activity with retries as attempts of one instance', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(
      h.client.workflow.execute('localRetries', { taskQueue, workflowId: uniqueName('local'), args: [uniqueName('lk')] }),
    );
    const act = byJob(sink.events, 'flaky');
    expect(summary(act)).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:retry', 'start#3', 'end#3:success']);
    expect(new Set(act.map((e) => e.instance.id)).size).toBe(1);
    expect(act[0]?.properties?.local).toBe('true');
  });

  it('turns heartbeats into throttled running events with progress when asked to', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h, { heartbeats: true, heartbeatIntervalMillis: 100 });
    await worker.runUntil(h.client.workflow.execute('heartbeats', { taskQueue, workflowId: uniqueName('hb') }));
    const running = sink.events.filter((e) => e.kind === 'running');
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running.length).toBeLessThan(8);
    expect(running[0]?.progress).toMatchObject({ current: 1, total: 8, message: 'step 1' });
    assertWireValid(sink.events);
  });

  it('handles a signal and an update without extra runs, and many workflows at once', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(h);
    await worker.runUntil(async () => {
      const handle = await h.client.workflow.start('interactive', { taskQueue, workflowId: uniqueName('inter') });
      expect(await handle.executeUpdate('bump', { args: [5] })).toBe(5);
      await handle.signal('finish', 'done');
      expect(await handle.result()).toBe('done:5');
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.client.workflow.execute('etl', { taskQueue, workflowId: uniqueName(`many-${i}`), args: [`t${i}`] }),
        ),
      );
      expect(many).toHaveLength(20);
    });
    const keys = sink.events.map(eventKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(sink.events.filter((e) => e.kind === 'end' && !e.instance.job)).toHaveLength(21);
    expect(sink.events.filter((e) => e.kind === 'end' && e.instance.job === 'extract')).toHaveLength(20);
  });

  it('applies static declarations per type and leaves excluded types out', async () => {
    const lake = { platform: 's3', name: 'lake/static' };
    const { worker, sink, taskQueue } = await pluginWorker(h, {
      workflows: { parentFlow: { outputs: [lake], properties: { team: 'data' } } },
      activities: { extract: { inputs: [{ platform: 'kafka', name: 'orders' }] } },
      excludeWorkflowTypes: ['etl'],
    });
    await worker.runUntil(async () => {
      await h.client.workflow.execute('etl', { taskQueue, workflowId: uniqueName('excluded'), args: ['x'] });
      await h.client.workflow.execute('parentFlow', { taskQueue, workflowId: uniqueName('static'), args: [0] });
    });
    expect(sink.events.some((e) => e.instance.flow === 'etl')).toBe(false);
    const start = sink.events.find((e) => e.kind === 'start' && e.instance.flow === 'parentFlow' && !e.instance.job);
    expect(start).toMatchObject({ outputs: [lake], properties: { team: 'data' } });
    const activityEnd = sink.events.find((e) => e.kind === 'end' && e.instance.job === 'extract');
    expect(activityEnd?.inputs?.map((d) => d.name)).toEqual(['orders', 'shop.leaf']);
    assertWireValid(sink.events);
  });
});
