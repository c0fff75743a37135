// The rig works end to end: a real BullMQ job goes through a Worker on the Redis from the global setup.
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../helpers/paths.js';

describe('Redis rig', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('runs a BullMQ job through a Worker and reports its return value', async () => {
    const url = inject('redisUrl');
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    closers.push(async () => connection.quit());
    const name = uniqueName('smoke');
    const queue = new Queue(name, { connection });
    const { hostname: host, port } = new URL(url);
    const events = new QueueEvents(name, { connection: { host, port: Number(port) } });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection });
    closers.push(
      () => queue.close(),
      () => events.close(),
      () => worker.close(),
    );
    await events.waitUntilReady();
    const job = await queue.add('double', { n: 21 });
    const value = await job.waitUntilFinished(events, 10_000);
    expect(value).toEqual({ doubled: 42 });
  });
});
