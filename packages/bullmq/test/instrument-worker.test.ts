// instrumentWorker on a real Redis: what users see for each kind of job. Every recorded event is also mapped to
// OpenLineage (validated against the official schemas) and to DataHub MCPs (checked against DataHub's models).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addFlow, addJob, instrumentWorker, jobLineage, trackedProcessor } from '@runtrail/bullmq';
import {
  ConfigError,
  dataProcessInstanceGuid,
  eachEvent,
  emitterFromEnv,
  fieldText,
  type RecordCodec,
  type RecordField,
  type RecordSink,
  type RecordWriter,
  type RunEvent,
  type RunEventSink,
  readRunStore,
  runWithContext,
  ThreadedEmitter,
} from '@runtrail/core';
import { DelayedError, FlowProducer, UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { assertWireValid, RecordingSink } from '../../../test/helpers/recording-sink.js';
import { closeAll, closers, connection, queue, summary, worker } from './helpers.js';

afterEach(closeAll);

const ofJob = (sink: RecordingSink, name: string) => sink.events.filter((e) => e.instance.job === name);

/**
 * A sink that takes compact records as the delivery thread does (and calls its channels' onFlush before a flush):
 * it keeps each record's type and job id (each job's of a record of many), and every event — decoded or whole — in the order it arrived.
 */
class RecordsSink implements RunEventSink, RecordSink {
  readonly records: Array<{ type: string; jobId: string }> = [];
  readonly events: RunEvent[] = [];
  readonly #onFlush: Array<() => void> = [];

  enqueue(event: RunEvent): void {
    this.events.push(structuredClone(event));
  }

  openRecords<C>(codec: RecordCodec<C>, context: C, onFlush?: () => void): RecordWriter {
    const decode = codec.createDecoder(context);
    if (onFlush) this.#onFlush.push(onFlush);
    return {
      write: (fields: readonly RecordField[], length = fields.length) => {
        const text = fields.slice(0, length).map(fieldText);
        // Many plain jobs to a record: groups of a name, a count and 5 fields a job, the job's id first.
        if (text[0] === 'm')
          for (let i = 1; i < text.length; ) {
            const count = Number(text[i + 1]);
            i += 2;
            for (let k = 0; k < count; k++, i += 5) this.records.push({ type: 'm', jobId: text[i] as string });
          }
        else this.records.push({ type: text[0] as string, jobId: text[1] as string });
        eachEvent(decode(text), (e) => this.enqueue(e));
      },
    };
  }

  async flush(): Promise<void> {
    for (const write of this.#onFlush) write();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  typesOf(jobId: string): string[] {
    return this.records.filter((r) => r.jobId === jobId).map((r) => r.type);
  }
}

describe('instrumentWorker', () => {
  it('records a successful job with its identity, properties and declared lineage', async () => {
    const q = queue();
    const sink = new RecordingSink();
    const w = worker(q.name, async (job) => {
      jobLineage(job)
        .input({ platform: 'postgres', name: 'shop.orders' })
        .output({ platform: 's3', name: 'lake/orders' })
        .metric('rows', 7);
      return 'done';
    });
    instrumentWorker(w, { emitter: sink });
    const job = await q.add('export', { day: 1 });
    await sink.waitFor((events) => events.some((e) => e.kind === 'end'));
    expect(summary(sink.events)).toEqual(['start#1', 'end#1:success']);
    const [start, end] = sink.events as [RunEvent, RunEvent];
    expect(start.instance).toEqual({
      orchestrator: 'bullmq',
      cluster: 'prod',
      flow: q.name,
      job: 'export',
      id: `bull/${q.name}/${job.id}/${job.timestamp}`,
      createdAt: job.timestamp,
    });
    expect(start.properties).toMatchObject({ queue: q.name, jobId: job.id, jobName: 'export', attempt: '1' });
    expect(end).toMatchObject({ inputs: [{ name: 'shop.orders' }], outputs: [{ name: 'lake/orders' }], metrics: { rows: 7 } });
    expect(dataProcessInstanceGuid({ orchestrator: 'bullmq', cluster: 'prod', id: start.instance.id })).toMatch(/^[0-9a-f]{32}$/);
    assertWireValid(sink.events);
  });

  it('records retries with backoff then success, final failure, and UnrecoverableError', async () => {
    const q = queue();
    const sink = new RecordingSink();
    const failuresLeft = new Map<string, number>([
      ['flaky', 2],
      ['doomed', 99],
    ]);
    const w = worker(q.name, async (job) => {
      if (job.name === 'fatal') throw new UnrecoverableError('bad payload');
      const left = failuresLeft.get(job.name) ?? 0;
      if (left > 0) {
        failuresLeft.set(job.name, left - 1);
        throw new Error(`${job.name} failed`);
      }
      return 'ok';
    });
    instrumentWorker(w, { emitter: sink });
    const backoff = { type: 'fixed', delay: 20 };
    await q.add('flaky', {}, { attempts: 3, backoff });
    await q.add('doomed', {}, { attempts: 2, backoff });
    await q.add('fatal', {}, { attempts: 5, backoff });
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end' && e.result?.status !== 'retry').length === 3);
    expect(summary(ofJob(sink, 'flaky'))).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:retry', 'start#3', 'end#3:success']);
    expect(summary(ofJob(sink, 'doomed'))).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:failure']);
    expect(summary(ofJob(sink, 'fatal'))).toEqual(['start#1', 'end#1:failure']);
    expect(ofJob(sink, 'fatal')[1]?.result).toMatchObject({ native: 'UnrecoverableError', error: { message: 'bad payload' } });
    expect(ofJob(sink, 'flaky')[1]?.result?.native).toBe('backoff');
    expect(ofJob(sink, 'flaky')[0]?.maxAttempts).toBe(3);
    assertWireValid(sink.events);
  });

  it('closes the attempt of a job whose worker was killed (stalled) and records the retry', async () => {
    const q = queue();
    const job = await q.add('fragile', {}, { attempts: 3 });
    const child = spawn(process.execPath, [new URL('./fixtures/doomed-worker.mjs', import.meta.url).pathname, inject('redisUrl'), q.name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    child.kill('SIGKILL');
    const sink = new RecordingSink();
    const w = worker(q.name, async () => 'recovered', { lockDuration: 1000, stalledInterval: 300 });
    instrumentWorker(w, { emitter: sink });
    await sink.waitFor(
      (events) => events.some((e) => e.result?.status === 'success') && events.some((e) => e.result?.native === 'stalled'),
      30_000,
    );
    const stalled = sink.events.find((e) => e.result?.native === 'stalled');
    expect(stalled).toMatchObject({ kind: 'end', attempt: 1, result: { status: 'retry' } });
    expect(stalled?.instance.id).toBe(`bull/${q.name}/${job.id}/${job.timestamp}`);
    expect(sink.events.find((e) => e.kind === 'start')?.attempt).toBe(2);
    assertWireValid(sink.events);
  });

  it.each([
    ['failParentOnFailure', 'failure'],
    ['ignoreDependencyOnFailure', 'success'],
    ['removeDependencyOnFailure', 'success'],
    ['continueParentOnFailure', 'success'],
  ] as const)('links a three-level flow across two queues, with a failing child under %s', async (option, parentOutcome) => {
    const top = queue();
    const bottom = queue();
    const sink = new RecordingSink();
    const processor = async (job: { name: string }) => {
      if (job.name === 'bad-leaf') throw new Error('leaf broke');
      return job.name;
    };
    instrumentWorker(worker(top.name, processor), { emitter: sink });
    instrumentWorker(worker(bottom.name, processor), { emitter: sink });
    const producer = new FlowProducer({ connection: connection() });
    closers.push(() => producer.close());
    const failOpts = { [option]: true, attempts: 1 };
    const node = await addFlow(
      producer,
      {
        name: 'report',
        queueName: top.name,
        children: [
          {
            name: 'aggregate',
            queueName: bottom.name,
            opts: option === 'failParentOnFailure' ? { failParentOnFailure: true } : {},
            children: [
              { name: 'good-leaf', queueName: bottom.name },
              { name: 'bad-leaf', queueName: bottom.name, opts: failOpts },
            ],
          },
        ],
      },
      { emitter: sink },
    );
    // Every job's end, not just the top one's: a child's events wait for the lookup of its parent, so the top job
    // (no parent, nothing to look up) can end first under failParentOnFailure.
    const jobs = ['report', 'aggregate', 'good-leaf', 'bad-leaf'];
    await sink.waitFor((events) => jobs.every((name) => events.some((e) => e.kind === 'end' && e.instance.job === name)), 20_000);
    const startOf = (name: string) => sink.events.find((e) => e.kind === 'start' && e.instance.job === name);
    const report = startOf('report');
    const aggregate = startOf('aggregate');
    expect(report?.instance.id).toBe(`bull/${top.name}/${node.job.id}/${node.job.timestamp}`);
    expect(aggregate?.parent?.id).toBe(report?.instance.id);
    expect(startOf('good-leaf')?.parent?.id).toBe(aggregate?.instance.id);
    expect(startOf('good-leaf')?.root?.id).toBe(report?.instance.id);
    expect(sink.events.find((e) => e.kind === 'queued' && e.instance.job === 'report')?.time).toBeLessThanOrEqual(report?.time ?? 0);
    expect(ofJob(sink, 'bad-leaf').at(-1)?.result?.status).toBe('failure');
    expect(ofJob(sink, 'report').at(-1)?.result?.status).toBe(parentOutcome);
    assertWireValid(sink.events);
  });

  it('groups the runs of a job scheduler under it', async () => {
    const q = queue();
    const sink = new RecordingSink();
    instrumentWorker(
      worker(q.name, async () => 'tick'),
      { emitter: sink },
    );
    await q.upsertJobScheduler('every-100ms', { every: 100, limit: 3 }, { name: 'tick' });
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end').length >= 3, 20_000);
    const starts = sink.events.filter((e) => e.kind === 'start');
    expect(new Set(starts.map((e) => e.instance.job))).toEqual(new Set(['scheduler:every-100ms']));
    expect(new Set(starts.map((e) => e.instance.id)).size).toBe(starts.length);
    expect(starts[0]).toMatchObject({ type: 'BATCH_SCHEDULED', properties: { scheduler: 'every-100ms', jobName: 'tick' } });
    await q.removeJobScheduler('every-100ms');
    assertWireValid(sink.events);
  });

  it('records removeOnComplete, delayed and prioritized jobs, and a reused custom id as a new instance', async () => {
    const q = queue();
    const sink = new RecordingSink();
    instrumentWorker(
      worker(q.name, async () => 'ok'),
      { emitter: sink },
    );
    await q.add('gone', {}, { removeOnComplete: true });
    await q.add('later', {}, { delay: 150 });
    await q.add('urgent', {}, { priority: 1 });
    const first = await q.add('custom', {}, { jobId: 'order-1', removeOnComplete: true });
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end').length === 4, 10_000);
    await new Promise((r) => setTimeout(r, 5));
    const second = await q.add('custom', {}, { jobId: 'order-1' });
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end').length === 5, 10_000);
    expect(ofJob(sink, 'gone').map((e) => e.kind)).toEqual(['start', 'end']);
    expect(ofJob(sink, 'later')[0]?.properties?.delayMillis).toBe('150');
    expect(ofJob(sink, 'urgent')[0]?.properties?.priority).toBe('1');
    const customIds = new Set(ofJob(sink, 'custom').map((e) => e.instance.id));
    expect(customIds).toEqual(new Set([`bull/${q.name}/order-1/${first.timestamp}`, `bull/${q.name}/order-1/${second.timestamp}`]));
    assertWireValid(sink.events);
  });

  it('links hand-offs: a job added from a tracked run names it as upstream', async () => {
    const q = queue();
    const sink = new RecordingSink();
    instrumentWorker(
      worker(
        q.name,
        trackedProcessor(async (job) => {
          if (job.name === 'first') await addJob(q, 'second', { n: 2 });
          return job.name;
        }),
      ),
      { emitter: sink },
    );
    const temporalRun = { orchestrator: 'temporal', cluster: 'prod', flow: 'etl', job: 'load', id: 'default/wf/run/1', attempt: 1 };
    await runWithContext({ instance: temporalRun, root: { ...temporalRun, job: undefined, id: 'default/wf/run' } }, () =>
      addJob(q, 'first', { n: 1 }),
    );
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end').length === 2, 10_000);
    const first = sink.events.find((e) => e.kind === 'start' && e.instance.job === 'first');
    const second = sink.events.find((e) => e.kind === 'start' && e.instance.job === 'second');
    expect(first?.upstream?.[0]).toMatchObject({ orchestrator: 'temporal', id: 'default/wf/run/1' });
    expect(first?.root?.id).toBe('default/wf/run');
    expect(second?.upstream?.[0]?.id).toBe(first?.instance.id);
    expect(second?.root?.id).toBe('default/wf/run');
    assertWireValid(sink.events);
  });

  it('flushes the emitter when the worker closes, and detaches with its disposer', async () => {
    const q = queue();
    const sink = new RecordingSink();
    const w = worker(q.name, async () => 'ok');
    const dispose = instrumentWorker(w, { emitter: sink });
    await q.add('one', {});
    await sink.waitFor((events) => events.length === 2);
    dispose();
    await q.add('two', {});
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.events).toHaveLength(2);
    const other = worker(q.name, async () => 'ok');
    instrumentWorker(other, { emitter: sink });
    await other.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.flushed).toBeGreaterThanOrEqual(1);
  });

  it('gives every Worker the same listener functions, and a Worker instrumented twice reports to both sinks', async () => {
    // The same functions for every Worker: V8 optimizes the hooks once, not again for each new Worker (bench/README.md).
    const q = queue();
    const [a, b] = [worker(q.name, async () => 'ok', { autorun: false }), worker(q.name, async () => 'ok', { autorun: false })];
    const disposeA = instrumentWorker(a, { emitter: new RecordingSink() });
    instrumentWorker(b, { emitter: new RecordingSink() });
    for (const event of ['active', 'completed', 'failed', 'progress', 'stalled', 'closed'] as const) {
      expect(a.listeners(event)).toHaveLength(1);
      expect(a.listeners(event)[0]).toBe(b.listeners(event)[0]);
    }
    // A second instrumentation of one Worker: its own listeners beside the shared ones, each set reporting to its sink.
    const first = new RecordingSink();
    const second = new RecordingSink();
    const w = worker(q.name, async () => 'ok');
    const disposeFirst = instrumentWorker(w, { emitter: first });
    const disposeSecond = instrumentWorker(w, { emitter: second });
    expect(w.listeners('completed')).toHaveLength(2);
    await q.add('both', {});
    await first.waitFor((events) => events.length === 2);
    await second.waitFor((events) => events.length === 2);
    expect(summary(first.events)).toEqual(['start#1', 'end#1:success']);
    expect(summary(second.events)).toEqual(['start#1', 'end#1:success']);
    // Disposing the first leaves the second reporting, and a Worker's disposer leaves the other Workers' listeners.
    disposeFirst();
    await q.add('second-only', {});
    await second.waitFor((events) => events.length === 4);
    await new Promise((r) => setTimeout(r, 100));
    expect(first.events).toHaveLength(2);
    disposeSecond();
    expect(w.listeners('completed')).toHaveLength(0);
    disposeA();
    expect(a.listeners('active')).toHaveLength(0);
    expect(b.listeners('active')).toHaveLength(1);
  });

  it("sends a short attempt as one record, a long one's start while it runs, and a held start before any flush", async () => {
    const q = queue();
    const records = new RecordsSink();
    const objects = new RecordingSink();
    /** What the processor saw of its own start record while it ran. */
    const seen = new Map<string, string[]>();
    const w = worker(q.name, async (job) => {
      const id = String(job.id);
      if (job.name === 'long') {
        // Longer than the hold can last (300–600 ms here): the start is written while the job still runs.
        await new Promise((r) => setTimeout(r, 900));
        seen.set(id, records.typesOf(id));
      } else if (job.name === 'flushes') {
        // At once, within the hold: a flush must still cover this attempt's start.
        await records.flush();
        seen.set(id, records.typesOf(id));
      } else if (job.name === 'fails') throw new Error('no');
      return 'ok';
    });
    // The same hooks twice: one set hands whole events to a plain sink, the other compact records to a record sink.
    instrumentWorker(w, { emitter: objects });
    // A hold far longer than a no-op job takes even on a loaded machine (default: 5 ms), and hooks that hold nothing.
    instrumentWorker(w, { emitter: records, holdStartMillis: 300 });
    const unheld = new RecordsSink();
    instrumentWorker(w, { emitter: unheld, holdStartMillis: 0 });
    expect(() => instrumentWorker(w, { emitter: records, holdStartMillis: -1 })).toThrow(ConfigError);
    expect(() => instrumentWorker(w, { emitter: records, holdStartMillis: Number.NaN })).toThrow(/holdStartMillis/);
    const short = await q.add('short', {});
    const long = await q.add('long', {});
    const flushes = await q.add('flushes', {});
    const fails = await q.add('fails', {}, { attempts: 1 });
    // A short attempt's one record is written once its hold is over — 300 to 600 ms after its start — with no flush.
    const shortId = String(short.id);
    const isShortEnd = (e: RunEvent) => e.kind === 'end' && e.instance.id.includes(`/${shortId}/`);
    await objects.waitFor((events) => events.some(isShortEnd));
    expect(records.typesOf(shortId)).toEqual([]);
    const shortStart = objects.events.find(isShortEnd)?.startTime as number;
    while (records.typesOf(shortId).length === 0 && Date.now() - shortStart < 5000) await new Promise((r) => setTimeout(r, 5));
    const heldFor = Date.now() - shortStart;
    expect(records.typesOf(shortId)).toEqual(['m']);
    expect(heldFor).toBeGreaterThanOrEqual(300 - 5);
    // Twice the hold, and a loaded machine's lateness.
    expect(heldFor).toBeLessThan(600 + 400);
    await objects.waitFor((events) => events.filter((e) => e.kind === 'end').length === 4);
    await records.flush();
    expect(records.typesOf(String(short.id))).toEqual(['m']);
    expect(unheld.typesOf(String(short.id))).toEqual(['s', 'c']);
    expect(seen.get(String(long.id))).toEqual(['s']);
    expect(records.typesOf(String(long.id))).toEqual(['s', 'c']);
    expect(seen.get(String(flushes.id))).toEqual(['s']);
    // A failure goes as a whole event, after its held start.
    expect(records.typesOf(String(fails.id))).toEqual(['s']);
    const key = (e: RunEvent) => `${e.instance.id}#${e.attempt}:${e.kind}`;
    expect(summary(records.events.filter((e) => e.instance.job === 'fails'))).toEqual(['start#1', 'end#1:failure']);
    // Whichever way they went, the events are the ones built directly, each once.
    expect(records.events.map(key).sort()).toEqual(objects.events.map(key).sort());
    const byKey = new Map(objects.events.map((e) => [key(e), e]));
    for (const e of records.events) expect(e).toEqual(byKey.get(key(e)));
    assertWireValid(records.events);
  });

  it("turns job progress into throttled running events, after the attempt's held start and before its end", async () => {
    const q = queue();
    const records = new RecordsSink();
    const w = worker(q.name, async (job) => {
      // Within a hold (300 ms): the start must go before the first running event.
      await job.updateProgress(10);
      // Within the interval (200 ms): dropped.
      await job.updateProgress(20);
      await new Promise((r) => setTimeout(r, 250));
      await job.updateProgress({ current: 3, total: 4, message: `step ${'x'.repeat(2000)}`, other: true });
      await job.updateProgress('not a number or an object');
      return 'ok';
    });
    instrumentWorker(w, { emitter: records, holdStartMillis: 300, progressIntervalMillis: 200 });
    const job = await q.add('steps', {});
    for (const until = Date.now() + 10_000; !records.events.some((e) => e.kind === 'end') && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 10));
    const mine = records.events.filter((e) => e.instance.id.includes(`/${job.id}/`));
    expect(mine.map((e) => e.kind)).toEqual(['start', 'running', 'running', 'end']);
    const [start, first, second, end] = mine as [RunEvent, RunEvent, RunEvent, RunEvent];
    expect(first).toMatchObject({ attempt: 1, progress: { current: 10, total: 100 } });
    expect(second.progress).toEqual({ current: 3, total: 4, message: `step ${'x'.repeat(995)}` });
    expect((second.time as number) - (first.time as number)).toBeGreaterThanOrEqual(200);
    expect(first.instance).toEqual(start.instance);
    expect(end.result?.status).toBe('success');
    // The start went as a record of its own (written early for the running event), the end as one too.
    expect(records.typesOf(String(job.id))).toEqual(['s', 'c']);
    assertWireValid(mine);
  });

  it("ends a step attempt (DelayedError: no event from BullMQ) when the job's next attempt starts, whether its start was held or not", async () => {
    const q = queue();
    const records = new RecordsSink();
    const objects = new RecordingSink();
    const w = worker(q.name, async (job, token) => {
      // Attempt 1 outlives the hold (its start written while it runs), attempt 2 is short (its start held): each
      // moves the job on to a later step, as BullMQ's step-job pattern does.
      if (job.attemptsStarted === 1) await new Promise((r) => setTimeout(r, 100));
      if (job.attemptsStarted < 3) {
        await job.moveToDelayed(Date.now() + 50, token);
        throw new DelayedError();
      }
      return 'done';
    });
    instrumentWorker(w, { emitter: records, holdStartMillis: 20 });
    instrumentWorker(w, { emitter: objects });
    const job = await q.add('steps', {});
    await objects.waitFor((events) => events.some((e) => e.kind === 'end' && e.result?.status === 'success'));
    await records.flush();
    for (const sink of [records, objects]) {
      const mine = sink.events.filter((e) => e.instance.id.includes(`/${job.id}/`));
      expect(summary(mine)).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:retry', 'start#3', 'end#3:success']);
      const [, end1, start2, end2, start3] = mine as RunEvent[];
      // A step ends at the latest when the next attempt starts.
      expect(end1?.result?.native).toBe('step');
      expect(end2?.result?.native).toBe('step');
      expect(end1?.time).toBe(start2?.time);
      expect(end2?.time).toBe(start3?.time);
      assertWireValid(mine);
    }
  });

  it("ends a step re-taken within the hold (no delay), whose start was held too, at its next attempt's start", async () => {
    const q = queue();
    const records = new RecordsSink();
    const objects = new RecordingSink();
    const w = worker(q.name, async (job, token) => {
      // Steps with no delay, re-taken while the start before is still held: attempt 2 outlives the hold (its start
      // written while it runs), attempts 1 and 3 do not; attempt 4 succeeds within the hold.
      if (job.attemptsStarted === 2) await new Promise((r) => setTimeout(r, 700));
      if (job.attemptsStarted < 4) {
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      return 'done';
    });
    instrumentWorker(w, { emitter: records, holdStartMillis: 300 });
    instrumentWorker(w, { emitter: objects });
    const job = await q.add('quick-steps', {});
    await objects.waitFor((events) => events.some((e) => e.kind === 'end' && e.result?.status === 'success'));
    await records.flush();
    for (const sink of [records, objects]) {
      const mine = sink.events.filter((e) => e.instance.id.includes(`/${job.id}/`));
      expect(summary(mine)).toEqual([
        'start#1',
        'end#1:retry',
        'start#2',
        'end#2:retry',
        'start#3',
        'end#3:retry',
        'start#4',
        'end#4:success',
      ]);
      for (const i of [1, 3, 5]) {
        expect(mine[i]?.result?.native).toBe('step');
        expect(mine[i]?.time).toBe(mine[i + 1]?.time);
      }
      assertWireValid(mine);
    }
    // Attempts 3 and 4 went through the hold together: 4's start and end in one record, 3's start alone.
    expect(records.typesOf(String(job.id)).slice(-2)).toEqual(['s', 'm']);
  });

  it('ends a step held within the hold when its next attempt fails and is written first', async () => {
    const q = queue();
    const records = new RecordsSink();
    const w = worker(q.name, async (job, token) => {
      if (job.attemptsStarted === 1) {
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (job.attemptsStarted === 2) throw new Error('flaky');
      return 'done';
    });
    instrumentWorker(w, { emitter: records, holdStartMillis: 300 });
    const job = await q.add('step-then-fail', {}, { attempts: 2 });
    // Attempt 3 succeeds within its hold: flushed until its record is written.
    for (let i = 0; i < 100 && !records.events.some((e) => e.result?.status === 'success'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      await records.flush();
    }
    const mine = records.events.filter((e) => e.instance.id.includes(`/${job.id}/`));
    expect(summary(mine)).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:retry', 'start#3', 'end#3:success']);
    expect(mine[1]?.result?.native).toBe('step');
    expect(mine[1]?.time).toBe(mine[2]?.time);
    expect(mine[3]?.result).toMatchObject({ status: 'retry', native: 'retry', error: { message: 'flaky' } });
    assertWireValid(mine);
  });

  it('records a job that was already running when the hooks were attached: its start from the job, then its end, once', async () => {
    const q = queue();
    const records = new RecordsSink();
    const objects = new RecordingSink();
    let release: () => void = () => {};
    const running = new Promise<void>((r) => {
      release = r;
    });
    let started: () => void = () => {};
    const active = new Promise<void>((r) => {
      started = r;
    });
    const w = worker(q.name, async (job) => {
      if (job.name === 'early') {
        started();
        await running;
      }
      return 'ok';
    });
    const early = await q.add('early', {});
    await active;
    // Its `active` came before the hooks: neither sink holds or tracks it. A hold far longer than the late job takes.
    instrumentWorker(w, { emitter: records, holdStartMillis: 300 });
    instrumentWorker(w, { emitter: objects });
    const late = await q.add('late', {});
    release();
    await objects.waitFor((events) => events.filter((e) => e.kind === 'end').length === 2);
    await records.flush();
    for (const sink of [records, objects]) {
      const of = (id: unknown) => sink.events.filter((e) => e.instance.id.includes(`/${id}/`));
      expect(summary(of(early.id))).toEqual(['start#1', 'end#1:success']);
      expect(summary(of(late.id))).toEqual(['start#1', 'end#1:success']);
      const [start, end] = of(early.id) as [RunEvent, RunEvent];
      // Its own times, from the job: it started before the hooks were attached.
      expect(start.time).toBeLessThanOrEqual(end.time as number);
      expect(end.startTime).toBe(start.time);
      assertWireValid(sink.events);
    }
    // The late job went the hot path (one record); the early one as a start record, then an end record.
    expect(records.typesOf(String(late.id))).toEqual(['m']);
    expect(records.typesOf(String(early.id))).toEqual(['s', 'c']);
  });

  it('through the default delivery thread, stores exactly the events the hooks build (compact records decoded there)', async () => {
    const q = queue();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bullmq-thread-'));
    const store = path.join(dir, 'runs.jsonl');
    const threaded = emitterFromEnv({ cwd: dir, env: { RUNTRAIL_STORE: store }, spool: {}, deliveryThread: true });
    closers.push(() => threaded.close(5000));
    expect(threaded).toBeInstanceOf(ThreadedEmitter);
    const sink = new RecordingSink();
    let fails = 1;
    const w = worker(q.name, async (job) => {
      if (job.name === 'flaky' && fails-- > 0) throw new Error('once');
      if (job.name === 'declares') jobLineage(job).output({ platform: 's3', name: 'lake/x' });
      return 'ok';
    });
    // The same hooks twice: one set hands objects to a plain sink, the other compact records to the thread.
    instrumentWorker(w, { emitter: sink, jobs: { plain: { inputs: [{ platform: 'postgres', name: 'db.t' }] } } });
    instrumentWorker(w, { emitter: threaded, jobs: { plain: { inputs: [{ platform: 'postgres', name: 'db.t' }] } } });
    for (let i = 0; i < 50; i++) await q.add('plain', { i }, { jobId: i === 0 ? 'odd\tid\nx' : undefined, priority: i % 3 });
    await q.add('flaky', {}, { attempts: 2 });
    await q.add('declares', {});
    const flows = new FlowProducer({ connection: connection() });
    closers.push(() => flows.close());
    await flows.add({
      name: 'parent',
      queueName: q.name,
      children: [{ name: 'child', queueName: q.name }],
    });
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end' && e.result?.status !== 'retry').length === 54, 20_000);
    await threaded.flush();
    // jobLineage declarations are taken by the first hooks that end the attempt: compare the rest one to one.
    const key = (e: RunEvent) => `${e.instance.id}#${e.attempt}:${e.kind}`;
    const stored = readRunStore(store).filter((e) => e.instance.job !== 'declares');
    const expected = sink.events.filter((e) => e.instance.job !== 'declares');
    expect(stored.map(key).sort()).toEqual(expected.map(key).sort());
    const byKey = new Map(expected.map((e) => [key(e), e]));
    for (const e of stored) {
      const twin = byKey.get(key(e)) as RunEvent;
      // A retry's end has no time from BullMQ (finishedOn is set on final failure only): each set of hooks stamps
      // it when it hears of it, so the two may be a millisecond or so apart.
      if (e.result?.status === 'retry') {
        expect(Math.abs(e.time - twin.time)).toBeLessThan(50);
        expect({ ...e, time: twin.time }).toEqual(twin);
      } else expect(e).toEqual(twin);
    }
    expect(stored.find((e) => e.kind === 'start' && e.properties?.jobId === 'odd\tid\nx')).toBeDefined();
    expect(stored.find((e) => e.instance.job === 'child' && e.kind === 'start')?.parent?.job).toBe('parent');
    assertWireValid(stored);
  });
});
