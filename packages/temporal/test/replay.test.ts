// Replay and task-level behaviour: nothing is emitted on replay, the plugin never changes determinism (histories
// recorded without it replay with it and vice versa), a worker with no workflow cache emits each event once, a
// workflow-task failure is not a run failure, termination and timeouts are closed by `reconcile`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEmitter, eventKey, RunStoreTransport, readRunStore } from '@runtrail/core';
import { RuntrailPlugin, reconcile } from '@runtrail/temporal';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWireValid, RecordingSink } from '../../../test/helpers/recording-sink.js';
import { activities } from './activities.js';
import { type Harness, harness, pluginWorker, uniqueName } from './harness.js';

let withPlugin: Harness;
let withoutPlugin: Harness;
beforeAll(async () => {
  withPlugin = await harness();
  withoutPlugin = await harness(undefined, false);
}, 180_000);
afterAll(async () => {
  await withPlugin?.close();
  await withoutPlugin?.close();
});

async function historyOf(h: Harness, workflowType: string, args: unknown[], plugin: boolean) {
  const sink = new RecordingSink();
  const taskQueue = uniqueName('replay');
  const worker = await Worker.create({
    connection: h.native,
    taskQueue,
    workflowBundle: h.bundle,
    activities,
    plugins: plugin ? [new RuntrailPlugin({ emitter: sink })] : [],
  });
  const workflowId = uniqueName('hist');
  await worker.runUntil(h.client.workflow.execute(workflowType, { taskQueue, workflowId, args }));
  return { history: await h.client.workflow.getHandle(workflowId).fetchHistory(), workflowId, sink };
}

describe('replay and determinism', () => {
  it('emits nothing while replaying a history', async () => {
    const { history, workflowId, sink } = await historyOf(withPlugin, 'parentFlow', [1], true);
    expect(sink.events.length).toBeGreaterThan(0);
    const replaySink = new RecordingSink();
    await Worker.runReplayHistory(
      { workflowBundle: withPlugin.bundle, plugins: [new RuntrailPlugin({ emitter: replaySink })] },
      history,
      workflowId,
    );
    expect(replaySink.events).toEqual([]);
  });

  it('replays histories recorded without the plugin with it, and the other way round', async () => {
    const plain = await historyOf(withoutPlugin, 'retried', [uniqueName('r')], false);
    await Worker.runReplayHistory(
      { workflowBundle: withPlugin.bundle, plugins: [new RuntrailPlugin({ emitter: new RecordingSink() })] },
      plain.history,
      plain.workflowId,
    );
    const instrumented = await historyOf(withPlugin, 'continues', [1], true);
    await Worker.runReplayHistory({ workflowBundle: withoutPlugin.bundle }, instrumented.history, instrumented.workflowId);
    const child = await historyOf(withPlugin, 'parentFlow', [1], true);
    await Worker.runReplayHistory({ workflowBundle: withoutPlugin.bundle }, child.history, child.workflowId);
  });

  it('emits each event exactly once with maxCachedWorkflows: 0 (every task replays the history)', async () => {
    const { worker, sink, taskQueue } = await pluginWorker(withPlugin, {}, { maxCachedWorkflows: 0 });
    await worker.runUntil(withPlugin.client.workflow.execute('parentFlow', { taskQueue, workflowId: uniqueName('nocache'), args: [1] }));
    const keys = sink.events.map(eventKey);
    expect(keys.length).toBe(6); // parent, child and its activity: a start and an end each
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('treats a plain Error in workflow code as a task failure, and records the run once the fix is deployed', async () => {
    const buggy = await harness(new URL('./workflows/task-failure-buggy.ts', import.meta.url).pathname);
    const fixed = await harness(new URL('./workflows/task-failure-fixed.ts', import.meta.url).pathname);
    try {
      const sink = new RecordingSink();
      const plugin = new RuntrailPlugin({ emitter: sink });
      const taskQueue = uniqueName('taskfail');
      const workflowId = uniqueName('tf');
      const first = await Worker.create({ connection: buggy.native, taskQueue, workflowBundle: buggy.bundle, plugins: [plugin] });
      const handle = await first.runUntil(async () => {
        const handle = await buggy.client.workflow.start('taskFailure', { taskQueue, workflowId });
        await sink.waitFor((events) => events.some((e) => e.kind === 'start'));
        await new Promise((r) => setTimeout(r, 500));
        return handle;
      });
      expect(sink.events.filter((e) => e.kind === 'end')).toEqual([]);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const second = await Worker.create({ connection: fixed.native, taskQueue, workflowBundle: fixed.bundle, plugins: [plugin] });
      expect(await second.runUntil(handle.result())).toBe('fixed');
      const flowEnds = sink.events.filter((e) => e.kind === 'end');
      expect(flowEnds.map((e) => e.result?.status)).toEqual(['success']);
      assertWireValid(sink.events);
    } finally {
      await buggy.close();
      await fixed.close();
    }
  });

  it('closes terminated runs through reconcile, and their open activities with them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-reconcile-'));
    const store = path.join(dir, 'runs.jsonl');
    const emitter = createEmitter({ transports: [new RunStoreTransport({ path: store })], flushIntervalMillis: 20 });
    const { worker, taskQueue } = await pluginWorker(withPlugin, { emitter });
    const workflowId = uniqueName('term');
    await worker.runUntil(async () => {
      const handle = await withPlugin.client.workflow.start('waitsForever', { taskQueue, workflowId });
      await new Promise((r) => setTimeout(r, 500));
      await handle.terminate('operator said so');
    });
    await emitter.flush();
    const before = readRunStore(store);
    expect(before.filter((e) => e.kind === 'end')).toEqual([]);
    const report = await reconcile({ client: withPlugin.client, emitter, store });
    await emitter.close();
    expect(report).toMatchObject({ open: 1, closed: { terminated: 1 }, stillRunning: 0 });
    const after = readRunStore(store).filter((e) => e.kind === 'end');
    expect(after).toHaveLength(1);
    expect(after[0]?.result).toMatchObject({ status: 'terminated', native: 'TERMINATED (reconciled)' });
    assertWireValid(readRunStore(store));
  });

  it('costs nothing with the kill switch and never doubles events when registered twice', async () => {
    process.env.RUNTRAIL_DISABLED = 'true';
    try {
      const { worker, sink, taskQueue } = await pluginWorker(withPlugin);
      await worker.runUntil(withPlugin.client.workflow.execute('etl', { taskQueue, workflowId: uniqueName('off'), args: ['x'] }));
      expect(sink.events).toEqual([]);
    } finally {
      delete process.env.RUNTRAIL_DISABLED;
    }
    const sink = new RecordingSink();
    const plugin = new RuntrailPlugin({ emitter: sink });
    const taskQueue = uniqueName('twice');
    const worker = await Worker.create({
      connection: withPlugin.native,
      taskQueue,
      workflowBundle: withPlugin.bundle,
      activities,
      plugins: [plugin, plugin],
    });
    await worker.runUntil(withPlugin.client.workflow.execute('etl', { taskQueue, workflowId: uniqueName('twice'), args: ['y'] }));
    expect(sink.events.map(eventKey)).toHaveLength(4);
    expect(sink.flushed).toBe(1);
  });
});
