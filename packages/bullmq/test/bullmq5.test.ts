// The in-process hooks and the listener with bullmq 5.x (5.81.5, which brings its own ioredis 5): the same events
// and identities as with 6.x, since both majors share the Worker events, Job fields and Redis layout runtrail uses.
// And the listener on an ioredis 5 client (5.11.1): every command it sends goes through the application's ioredis.
import { instrumentWorker, QueueListener } from '@runtrail/bullmq';
import { FlowProducer as FlowProducer5, Queue as Queue5, Worker as Worker5 } from 'bullmq5';
import { Redis as Redis5 } from 'ioredis5';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { assertWireValid, RecordingSink } from '../../../test/helpers/recording-sink.js';
import { closeAll, closers, connection, summary, uniqueName } from './helpers.js';

afterEach(closeAll);

describe('bullmq 5.x', () => {
  it('records attempts, final outcomes and flow parents from a bullmq 5 Worker, and the listener agrees', async () => {
    const name = uniqueName('v5');
    const queue = new Queue5(name, { connection: connection() });
    closers.push(() => queue.obliterate({ force: true }).then(() => queue.close()));
    const hooks = new RecordingSink();
    const seen = new RecordingSink();
    const listener = new QueueListener({
      connection: inject('redisUrl'),
      queues: [name],
      emitter: seen,
      blockMillis: 100,
      orphanCheckMillis: 0,
    });
    closers.push(() => listener.close());
    await listener.start();
    let failed = false;
    const worker = new Worker5(
      name,
      async (job) => {
        if (job.name === 'flaky' && !failed) {
          failed = true;
          throw new Error('once');
        }
        return 1;
      },
      { connection: connection() },
    );
    worker.on('error', () => {});
    closers.push(() => worker.close());
    instrumentWorker(worker as never, { emitter: hooks });
    const producer = new FlowProducer5({ connection: connection() });
    closers.push(() => producer.close());
    await queue.add('flaky', {}, { attempts: 2, backoff: { type: 'fixed', delay: 20 } });
    const flow = await producer.add({ name: 'parent', queueName: name, children: [{ name: 'child', queueName: name }] });
    await hooks.waitFor((events) => events.filter((e) => e.kind === 'end' && e.result?.status === 'success').length === 3, 15_000);
    await seen.waitFor((events) => events.filter((e) => e.kind === 'end' && e.result?.status === 'success').length === 3, 15_000);
    expect(summary(hooks.events.filter((e) => e.instance.job === 'flaky'))).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:success']);
    const child = hooks.events.find((e) => e.kind === 'start' && e.instance.job === 'child');
    expect(child?.parent?.id).toBe(`bull/${name}/${flow.job.id}/${flow.job.timestamp}`);
    for (const job of ['flaky', 'parent', 'child']) {
      const a = hooks.events.filter((e) => e.instance.job === job);
      const b = seen.events.filter((e) => e.instance.job === job && e.kind !== 'queued');
      expect(summary(b), job).toEqual(summary(a));
      expect(b[0]?.instance.id).toBe(a[0]?.instance.id);
    }
    assertWireValid(hooks.events);
  });

  it('the listener runs on an ioredis 5 client it is given, across a restart, and never closes that client', async () => {
    const name = uniqueName('io5');
    const queue = new Queue5(name, { connection: connection() });
    closers.push(() => queue.obliterate({ force: true }).then(() => queue.close()));
    const app = new Redis5(inject('redisUrl'));
    closers.push(() => app.quit());
    // Every connection the listener opens must be an ioredis 5 duplicate of the application's client.
    const duplicates: unknown[] = [];
    const duplicate = app.duplicate.bind(app);
    app.duplicate = ((override?: Parameters<typeof duplicate>[0]) => {
      const d = duplicate(override);
      duplicates.push(d);
      return d;
    }) as typeof app.duplicate;
    const seen = new RecordingSink();
    const listen = async () => {
      const l = new QueueListener({ connection: app, queues: [name], emitter: seen, blockMillis: 50, orphanCheckMillis: 0 });
      await l.start();
      return l;
    };
    let listener = await listen();
    closers.push(() => listener.close());
    const worker = new Worker5(
      name,
      async (job) => {
        if (job.name === 'bad') throw new Error('always');
        return 1;
      },
      { connection: connection() },
    );
    worker.on('error', () => {});
    closers.push(() => worker.close());
    await queue.add('bad', {}, { attempts: 2 });
    for (let i = 0; i < 20; i++) await queue.add('ok', { i });
    await seen.waitFor((events) => events.filter((e) => e.kind === 'end').length >= 6, 15_000);
    await listener.close();
    expect(app.status).toBe('ready');
    for (let i = 0; i < 20; i++) await queue.add('ok', { i: 20 + i });
    listener = await listen();
    const ends = () => seen.events.filter((e) => e.kind === 'end');
    await seen.waitFor(() => ends().length === 42, 15_000);
    expect(duplicates.length).toBe(4);
    for (const d of duplicates) expect(d).toBeInstanceOf(Redis5);
    const bad = seen.events.filter((e) => e.instance.job === 'bad' && e.kind !== 'queued');
    expect(summary(bad)).toEqual(['start#1', 'end#1:retry', 'start#2', 'end#2:failure']);
    // Each job's end exactly once, across the restart.
    const ok = ends().filter((e) => e.instance.job === 'ok');
    expect(new Set(ok.map((e) => e.instance.id)).size).toBe(40);
    expect(ok.every((e) => e.result?.status === 'success')).toBe(true);
    assertWireValid(seen.events);
  });
});
