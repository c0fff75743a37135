// The in-process hooks and the listener with bullmq 5.x (5.81.5, which brings its own ioredis 5): the same events
// and identities as with 6.x, since both majors share the Worker events, Job fields and Redis layout runtrail uses.
import { instrumentWorker, QueueListener } from '@runtrail/bullmq';
import { FlowProducer as FlowProducer5, Queue as Queue5, Worker as Worker5 } from 'bullmq5';
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
});
