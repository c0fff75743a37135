// @ts-check
// BullMQ bench (issue 8), in one run on a local Redis: jobs/s through a Worker with instrumentWorker vs without
// (target ≥ 0.97×) and CPU time per job (the whole process, and its main thread alone), for processors from a no-op
// (the worst case: runtrail's per-job cost is all there is besides BullMQ's own) to 1 ms of CPU work. Arms: no
// runtrail; `instrumentWorker(worker)` on its defaults (delivery thread, spool, local store, delivery deferred while
// the worker's thread is busy); the same with deferring off (`maxDeferMillis: 0`: the thread works alongside the
// jobs); the same emitter with delivery on the main thread; the hooks alone (records discarded); a QueueListener in
// another process; and no runtrail again (`plainAgain`: its ratio to the first is the pairing's noise floor on this
// machine — any ratio within its spread is not a measured difference). The order of the arms rotates every round so
// drift cancels, and each arm's ratio is the median of its per-round ratios to the same round's run without runtrail,
// with their quartiles. Then a sustained run, long enough that deferring
// runs out (the cost of saturation that lasts), and the QueueListener's lag (job finished → its end event accepted
// by the emitter) while BullMQ runs at full speed.
// Usage: pnpm build && node bench/bullmq/throughput.mjs [jobs=10000] [rounds=15]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { instrumentWorker, QueueListener, sharedEmitter } from '@runtrail/bullmq';
import { disabledEmitter, emitterFromEnv } from '@runtrail/core';
import { Queue, Worker } from 'bullmq';
import { startServices } from '../../scripts/lib/services.mjs';
import { addJobs, countingWorker, queueName } from './jobs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 15);
/** Jobs of the sustained run: several times maxDeferMillis at full speed. */
const SUSTAINED_JOBS = 12 * JOBS;
/** Rounds of the sustained run: one per arm, so that each arm takes each place in the rotation once. */
const SUSTAINED_ROUNDS = 4;
const services = await startServices({ temporal: false, stopOnSignal: true });
const redisUrl = /** @type {string} */ (services.redis?.url);
const { hostname, port } = new URL(redisUrl);
const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-bullmq-'));
// instrumentWorker's default emitter reads these (local store and spool, here in a temporary directory).
process.env.RUNTRAIL_STORE = path.join(dir, 'runs.jsonl');
process.env.RUNTRAIL_SPOOL_DIR = path.join(dir, 'spool');
const defaults = sharedEmitter();
// The same configuration with the thread working alongside the jobs (no deferring), and with delivery on the main thread.
const noDefer = emitterFromEnv({
  spool: { dir: path.join(dir, 'spool-nodefer') },
  deliveryThread: true,
  maxDeferMillis: 0,
  env: { RUNTRAIL_STORE: path.join(dir, 'runs-nodefer.jsonl') },
});
const inHost = emitterFromEnv({ spool: { dir: path.join(dir, 'spool-host') }, env: { RUNTRAIL_STORE: path.join(dir, 'runs-host.jsonl') } });
const discard = disabledEmitter();

/** CPU time of this process's main thread, in µs (Linux; undefined elsewhere). */
function mainThreadMicros() {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
  } catch {
    return undefined;
  }
}

/** Iterations of the CPU processor's loop that take about 100 µs here (calibrated once, then fixed work per job). */
const CPU_ITERATIONS = (() => {
  /** Milliseconds that `spin(n)` takes. @param {number} n */
  const time = (n) => {
    const t0 = performance.now();
    spin(n);
    return performance.now() - t0;
  };
  let n = 10_000;
  while (time(n) <= 20) n *= 2;
  // The fastest of several timings: in a run of 2026-12-07 02:40 a single one came out twice too long, and the "100 µs"
  // processor ran ≈ 50 µs per job by its CPU time (a timing can only be slowed down, by whatever else runs).
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 7; i++) fastest = Math.min(fastest, time(n));
  return Math.round((n * 0.1) / fastest);
})();

/** @param {number} n */
function spin(n) {
  let x = n;
  for (let i = 0; i < n; i++) x = (x * 31 + 7) % 1_000_003;
  return x;
}

/** @typedef {{ name: string, jobs: number, run: (job: import('bullmq').Job) => Promise<unknown> }} Processor */
/** @type {Processor[]} */
const PROCESSORS = [
  { name: 'no-op', jobs: JOBS, run: async (job) => job.data.n * 2 },
  {
    name: '1 ms of I/O',
    jobs: JOBS,
    run: async (job) => {
      await new Promise((r) => setTimeout(r, 1));
      return job.data.n * 2;
    },
  },
  { name: '100 µs of CPU', jobs: JOBS, run: async () => spin(CPU_ITERATIONS) },
  { name: '1 ms of CPU', jobs: Math.ceil(JOBS / 5), run: async () => spin(CPU_ITERATIONS * 10) },
];

/**
 * How the worker is observed (see the file comment).
 * @typedef {'plain' | 'plainAgain' | 'instrumentWorker' | 'noDefer' | 'mainThreadDelivery' | 'hooksOnly' | 'listener'} Arm
 */
/** @type {Arm[]} */
const ARMS = ['plain', 'plainAgain', 'instrumentWorker', 'noDefer', 'mainThreadDelivery', 'hooksOnly', 'listener'];

/** @param {string} queue @param {number} jobs */
function startListenerProcess(queue, jobs) {
  const child = spawn(
    process.execPath,
    [path.join(here, 'listener-child.mjs'), redisUrl, queue, path.join(dir, `listener-${queue}.jsonl`), String(jobs)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
  /** @type {(line: string) => Promise<string>} */
  const next = (prefix) =>
    new Promise((resolve) => {
      const on = (/** @type {string} */ line) => {
        if (!line.startsWith(prefix)) return;
        lines.off('line', on);
        resolve(line);
      };
      lines.on('line', on);
    });
  return {
    ready: next('ready'),
    /** Waits until the listener saw every end, then stops it; resolves with how many it saw. */
    async stop() {
      const seen = next('seen');
      child.stdin?.write('stop\n');
      return Number((await seen).split(' ')[1]);
    },
  };
}

/**
 * One round: the processor's jobs through a fresh queue and Worker (concurrency 20).
 * @param {Processor} processor
 * @param {Arm} arm
 * @returns {Promise<Sample>}
 */
async function round(processor, arm) {
  const JOBS = processor.jobs;
  const name = queueName('throughput');
  // Events stream long enough that the listener never has to repair a trimmed gap (same setting in every arm).
  const queue = new Queue(name, { connection, streams: { events: { maxLen: 10 * JOBS } } });
  const listener = arm === 'listener' ? startListenerProcess(name, JOBS) : undefined;
  await listener?.ready;
  await addJobs(queue, JOBS);
  const { worker, finished } = countingWorker(name, processor.run, connection, JOBS);
  const emitter = { instrumentWorker: defaults, noDefer, mainThreadDelivery: inHost, hooksOnly: discard }[/** @type {string} */ (arm)];
  if (arm === 'instrumentWorker') instrumentWorker(worker);
  else if (emitter) instrumentWorker(worker, { emitter });
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadMicros();
  const t0 = performance.now();
  void worker.run();
  await finished;
  const t1 = performance.now();
  const seconds = (t1 - t0) / 1000;
  // The CPU figures include delivering what the round produced (deferred records, store lines still queued).
  await emitter?.flush();
  const deliveredMillis = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadMicros();
  await worker.close();
  if (listener) {
    const seen = await listener.stop();
    if (seen !== JOBS) throw new Error(`the listener saw ${seen} of ${JOBS} ends`);
  }
  await queue.obliterate({ force: true });
  await queue.close();
  return {
    rate: JOBS / seconds,
    cpuMicrosPerJob: (cpu.user + cpu.system) / JOBS,
    mainThreadMicrosPerJob: main0 === undefined || main1 === undefined ? Number.NaN : (main1 - main0) / JOBS,
    deliveredMillis,
  };
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
  await addJobs(queue, JOBS * 2);
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
/** @typedef {{ rate: number, cpuMicrosPerJob: number, mainThreadMicrosPerJob: number, deliveredMillis: number }} Sample */
/** @returns {Record<Arm, Sample[]>} */
const noSamples = () => /** @type {Record<Arm, Sample[]>} */ (Object.fromEntries(ARMS.map((arm) => [arm, []])));
/** @type {Map<string, Record<Arm, Sample[]>>} */
const samples = new Map(PROCESSORS.map((p) => [p.name, noSamples()]));
try {
  // A warm-up round of each arm, not counted (JIT, connections).
  for (const arm of ARMS) await round(/** @type {Processor} */ (PROCESSORS[0]), arm);
  for (let r = 0; r < ROUNDS; r++) {
    for (const p of PROCESSORS) {
      const s = /** @type {Record<Arm, Sample[]>} */ (samples.get(p.name));
      // The order of the arms rotates from round to round, so drift on this shared machine cancels out.
      for (let k = 0; k < ARMS.length; k++) {
        const arm = /** @type {Arm} */ (ARMS[(r + k) % ARMS.length]);
        s[arm].push(await round(p, arm));
      }
    }
  }
  // Sustained: one no-op run of SUSTAINED_JOBS per arm and round, long enough that deferring runs out (maxDeferMillis).
  /** @type {Processor} */
  const sustainedProcessor = { name: 'no-op, sustained', jobs: SUSTAINED_JOBS, run: /** @type {Processor} */ (PROCESSORS[0]).run };
  /** @type {Arm[]} */
  const SUSTAINED_ARMS = ['plain', 'plainAgain', 'instrumentWorker', 'noDefer'];
  /** @type {Record<string, Sample[]>} */
  const sustained = { plain: [], plainAgain: [], instrumentWorker: [], noDefer: [] };
  for (let r = 0; r < SUSTAINED_ROUNDS; r++)
    for (let k = 0; k < SUSTAINED_ARMS.length; k++) {
      const arm = /** @type {Arm} */ (SUSTAINED_ARMS[(r + k) % SUSTAINED_ARMS.length]);
      sustained[arm]?.push(await round(sustainedProcessor, arm));
    }
  const lag = await listenerLag();
  await Promise.all([defaults.close(), noDefer.close(), inHost.close()]);
  /** An arm's per-round ratios to the same round without runtrail. @param {Sample[]} xs @param {Sample[]} plain */
  const ratios = (xs, plain) => xs.map((x, i) => x.rate / (plain[i]?.rate ?? Number.NaN));
  /** Their median. @param {Sample[]} xs @param {Sample[]} plain */
  const pairedRatio = (xs, plain) => +median(ratios(xs, plain)).toFixed(3);
  /** Their first and third quartiles. @param {Sample[]} xs @param {Sample[]} plain */
  const quartiles = (xs, plain) => {
    const sorted = ratios(xs, plain).sort((a, b) => a - b);
    const at = (/** @type {number} */ q) => +(sorted[Math.round(q * (sorted.length - 1))] ?? Number.NaN).toFixed(3);
    return [at(0.25), at(0.75)];
  };
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    rounds: ROUNDS,
    processors: PROCESSORS.map((p) => {
      const s = /** @type {Record<Arm, Sample[]>} */ (samples.get(p.name));
      const rate = (/** @type {Arm} */ arm) => median(s[arm].map((x) => x.rate));
      const cpu = (/** @type {Arm} */ arm) => median(s[arm].map((x) => x.cpuMicrosPerJob));
      const main = (/** @type {Arm} */ arm) => median(s[arm].map((x) => x.mainThreadMicrosPerJob));
      return {
        processor: p.name,
        jobsPerRound: p.jobs,
        jobsPerSecond: Object.fromEntries(ARMS.map((arm) => [arm, Math.round(rate(arm))])),
        ratio: Object.fromEntries(ARMS.filter((arm) => arm !== 'plain').map((arm) => [arm, pairedRatio(s[arm], s.plain)])),
        ratioQuartiles: Object.fromEntries(ARMS.filter((arm) => arm !== 'plain').map((arm) => [arm, quartiles(s[arm], s.plain)])),
        workerCpuMicrosPerJob: Object.fromEntries(ARMS.map((arm) => [arm, +cpu(arm).toFixed(1)])),
        mainThreadCpuMicrosPerJob: Object.fromEntries(ARMS.map((arm) => [arm, +main(arm).toFixed(1)])),
        // Time from the round's last job to everything it produced delivered (what deferring postpones).
        deliveredMillisAfterRound: Object.fromEntries(
          ['instrumentWorker', 'noDefer', 'mainThreadDelivery'].map((arm) => [
            arm,
            Math.round(median(s[/** @type {Arm} */ (arm)].map((x) => x.deliveredMillis))),
          ]),
        ),
        instrumentWorkerRatioPerRound: s.plain.map((x, i) => +((s.instrumentWorker[i]?.rate ?? 0) / x.rate).toFixed(3)),
      };
    }),
    sustained: {
      processor: 'no-op',
      jobsPerRound: SUSTAINED_JOBS,
      rounds: SUSTAINED_ROUNDS,
      jobsPerSecond: Object.fromEntries(SUSTAINED_ARMS.map((arm) => [arm, Math.round(median((sustained[arm] ?? []).map((x) => x.rate)))])),
      ratio: Object.fromEntries(SUSTAINED_ARMS.slice(1).map((arm) => [arm, pairedRatio(sustained[arm] ?? [], sustained.plain ?? [])])),
      ratioQuartiles: Object.fromEntries(
        SUSTAINED_ARMS.slice(1).map((arm) => [arm, quartiles(sustained[arm] ?? [], sustained.plain ?? [])]),
      ),
      workerCpuMicrosPerJob: Object.fromEntries(
        SUSTAINED_ARMS.map((arm) => [arm, +median((sustained[arm] ?? []).map((x) => x.cpuMicrosPerJob)).toFixed(1)]),
      ),
      deliveredMillisAfterRound: Object.fromEntries(
        SUSTAINED_ARMS.slice(2).map((arm) => [arm, Math.round(median((sustained[arm] ?? []).map((x) => x.deliveredMillis)))]),
      ),
    },
    listener: lag,
  };
  fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, '..', 'results', 'bullmq-throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await services.stop();
}
