// @ts-check
// BullMQ bench (issue 8), in one run on a local Redis: jobs/s through a Worker with instrumentWorker vs without
// (target ≥ 0.97×), rounds alternating; and the QueueListener's lag (job finished → its end event accepted by the
// emitter) while BullMQ runs at full speed.
// Usage: pnpm build && node bench/bullmq/throughput.mjs [jobs=5000] [rounds=5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrumentWorker, QueueListener } from '@runtrail/bullmq';
import { createEmitter, RunStoreTransport } from '@runtrail/core';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { startServices } from '../../scripts/lib/services.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 5);
const services = await startServices({ temporal: false });
const redisUrl = /** @type {string} */ (services.redis?.url);
const { hostname, port } = new URL(redisUrl);
const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-bullmq-'));
const emitter = createEmitter({ transports: [new RunStoreTransport({ path: path.join(dir, 'runs.jsonl') })], maxQueueSize: 100_000 });

/**
 * @param {boolean} instrumented
 * @param {number} round
 * @param {number} workMillis time each job waits (simulated I/O); 0 = a no-op processor, the worst case for overhead
 */
async function jobsPerSecond(instrumented, round, workMillis) {
  const name = `bench-${instrumented ? 'rt' : 'plain'}-${round}-${Date.now()}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();
  for (let i = 0; i < JOBS; i += 1000)
    await queue.addBulk(Array.from({ length: Math.min(1000, JOBS - i) }, (_, j) => ({ name: 'job', data: { n: i + j } })));
  let done = 0;
  const finished = new Promise((resolve) => {
    events.on('completed', () => {
      if (++done === JOBS) resolve(undefined);
    });
  });
  const t0 = performance.now();
  const worker = new Worker(
    name,
    async (job) => {
      if (workMillis > 0) await new Promise((r) => setTimeout(r, workMillis));
      return job.data.n * 2;
    },
    { connection, concurrency: 20, autorun: false },
  );
  if (instrumented) instrumentWorker(worker, { emitter });
  void worker.run();
  await finished;
  const rate = JOBS / ((performance.now() - t0) / 1000);
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}

async function listenerLag() {
  const name = `bench-lag-${Date.now()}`;
  const queue = new Queue(name, { connection, streams: { events: { maxLen: 200_000 } } });
  /** @type {number[]} */
  const lags = [];
  const sink = {
    enqueue(/** @type {import('@runtrail/core').RunEvent} */ e) {
      if (e.kind === 'end') lags.push(Date.now() - e.time);
    },
    flush: async () => {},
    close: async () => {},
  };
  const listener = new QueueListener({ connection: redisUrl, queues: [name], emitter: sink, blockMillis: 50, orphanCheckMillis: 0 });
  await listener.start();
  const worker = new Worker(name, async () => 1, { connection, concurrency: 20 });
  const t0 = performance.now();
  for (let i = 0; i < JOBS * 2; i += 1000)
    await queue.addBulk(Array.from({ length: 1000 }, (_, j) => ({ name: 'job', data: { n: i + j } })));
  while (lags.length < JOBS * 2 && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  await listener.close();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  const sorted = lags.sort((a, b) => a - b);
  return {
    jobs: JOBS * 2,
    seen: lags.length,
    jobsPerSecond: Math.round(lags.length / seconds),
    lagMillis: { p50: sorted[Math.floor(sorted.length / 2)], p99: sorted[Math.floor(sorted.length * 0.99)], max: sorted.at(-1) },
  };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
/** @type {Record<string, {plain: number[], instrumented: number[]}>} */
const scenarios = { noop: { plain: [], instrumented: [] }, io1ms: { plain: [], instrumented: [] } };
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, work] of /** @type {const} */ ([
      ['noop', 0],
      ['io1ms', 1],
    ])) {
      scenarios[name]?.plain.push(await jobsPerSecond(false, round, work));
      scenarios[name]?.instrumented.push(await jobsPerSecond(true, round, work));
    }
  }
  const lag = await listenerLag();
  await emitter.close();
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    jobsPerRound: JOBS,
    rounds: ROUNDS,
    jobsPerSecond: Object.fromEntries(
      Object.entries(scenarios).map(([k, v]) => [
        k,
        {
          plain: Math.round(median(v.plain)),
          instrumentWorker: Math.round(median(v.instrumented)),
          ratio: +(median(v.instrumented) / median(v.plain)).toFixed(3),
        },
      ]),
    ),
    listener: lag,
  };
  fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, '..', 'results', 'bullmq-throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await services.stop();
}
