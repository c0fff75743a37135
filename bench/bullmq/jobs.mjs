// @ts-check
// The rounds the BullMQ benches share: jobs added in bulk to a fresh queue, and a Worker at concurrency 20 that counts
// its own completions — not through QueueEvents, so that the bench adds no Redis reader of its own.
import { Worker } from 'bullmq';

/** Jobs added per `addBulk` call. */
const BULK = 1000;

/**
 * Adds `count` jobs named `job`, with data `{ n }`, to `queue`.
 * @param {import('bullmq').Queue} queue
 * @param {number} count
 */
export async function addJobs(queue, count) {
  for (let i = 0; i < count; i += BULK)
    await queue.addBulk(Array.from({ length: Math.min(BULK, count - i) }, (_, j) => ({ name: 'job', data: { n: i + j } })));
}

/**
 * A Worker over queue `name` (concurrency 20), not started yet, and a promise of its `count`-th completed job.
 * @param {string} name
 * @param {(job: import('bullmq').Job) => Promise<unknown>} processor
 * @param {import('bullmq').ConnectionOptions} connection
 * @param {number} count
 * @returns {{ worker: Worker, finished: Promise<void> }}
 */
export function countingWorker(name, processor, connection, count) {
  const worker = new Worker(name, processor, { connection, concurrency: 20, autorun: false });
  let done = 0;
  const finished = new Promise((resolve) => {
    worker.on('completed', () => {
      if (++done === count) resolve(undefined);
    });
  });
  return { worker, finished: /** @type {Promise<void>} */ (finished) };
}
