// Shared setup of the BullMQ tests: a connection to the Redis of the global setup, unique queue names, and a
// closer list so every test leaves Redis as it found it.
import type { RunEvent } from '@runtrail/core';
import { type ConnectionOptions, type Processor, Queue, Worker, type WorkerOptions } from 'bullmq';
import { inject } from 'vitest';
import { uniqueName } from '../../../test/helpers/paths.js';

export { uniqueName };

export function connection(): ConnectionOptions {
  const { hostname, port } = new URL(inject('redisUrl'));
  return { host: hostname, port: Number(port), maxRetriesPerRequest: null };
}

export const closers: Array<() => Promise<unknown>> = [];

export async function closeAll(): Promise<void> {
  while (closers.length > 0)
    await closers
      .pop()?.()
      .catch(() => {});
}

export function queue(name = uniqueName('q')): Queue {
  const q = new Queue(name, { connection: connection() });
  closers.push(() => q.obliterate({ force: true }).then(() => q.close()));
  return q;
}

export function worker(name: string, processor: Processor, options: Partial<WorkerOptions> = {}): Worker {
  const w = new Worker(name, processor, { connection: connection(), ...options });
  w.on('error', () => {});
  closers.push(() => w.close());
  return w;
}

export const summary = (events: RunEvent[]) => events.map((e) => `${e.kind}#${e.attempt}${e.result ? `:${e.result.status}` : ''}`);
