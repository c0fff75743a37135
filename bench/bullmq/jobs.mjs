// @ts-check
// The rounds the BullMQ benches share: a fresh queue's name of the same length in every arm, jobs added to it in bulk,
// a Worker at concurrency 20 that counts its own completions — not through QueueEvents, so that the bench adds no
// Redis reader of its own — and a timed round of no-op jobs made of those.
import { Queue, Worker } from 'bullmq';

/**
 * A fresh queue's name, of the same length for every arm of a bench: never the arm's name. BullMQ writes the queue's
 * name into every key of its Lua calls (a dozen per call, several calls per job) and ioredis encodes each one, so a
 * longer name costs a no-op Worker measurably: 24 more characters gave 0.93× the jobs/s of the same Worker (30
 * rounds, 2026-12-03), and until then the arm `instrumentWorker` had 11 more than `plain` — a bias of ≈ 3% against it.
 * @param {string} bench the bench's own word, the same for all its arms
 */
export function queueName(bench) {
  return `bench-${bench}-${Date.now()}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
}

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

/**
 * One timed round of `count` no-op jobs through a fresh queue and Worker: `attach` instruments the Worker before it
 * starts (none: without runtrail) and `flush`, after the timing, delivers what the round produced.
 * @param {import('bullmq').ConnectionOptions} connection
 * @param {string} bench the bench's word for its queue names (`queueName`)
 * @param {number} count
 * @param {{ attach?: (worker: Worker) => void, flush?: () => Promise<void> }} [arm]
 * @returns {Promise<{ rate: number, cpuMicrosPerJob: number }>} jobs/s from the Worker's start to its last job, and
 *   the whole process's CPU per job, in µs, delivery included
 */
export async function noopRound(connection, bench, count, { attach, flush } = {}) {
  const name = queueName(bench);
  const queue = new Queue(name, { connection });
  await addJobs(queue, count);
  const { worker, finished } = countingWorker(name, async (job) => job.data.n * 2, connection, count);
  attach?.(worker);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  void worker.run();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await flush?.();
  const cpu = process.cpuUsage(cpu0);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { rate: count / seconds, cpuMicrosPerJob: (cpu.user + cpu.system) / count };
}
