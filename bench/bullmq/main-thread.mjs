// @ts-check
// Where a no-op BullMQ Worker's extra main-thread CPU comes from (issue 8): the Worker's main thread sampled with
// `perf` (perf-sampler.mjs) while each arm's jobs run, arms alternating round by round. Arms: no runtrail, twice
// (figures are against the mean of both; how far apart the two are is this method's noise); the hooks alone (records
// discarded); the hooks writing into a ring that no thread reads (what the records cost the host without a delivery
// thread); `instrumentWorker` on its defaults. A full GC before every round, so that a major collection does not land
// in one arm by chance. The jobs/s of these rounds are perturbed by the sampling: throughput.mjs measures those.
// Usage: pnpm build && node --expose-gc bench/bullmq/main-thread.mjs [jobs=10000] [rounds=20]   (Linux, with perf)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrumentWorker, sharedEmitter } from '@runtrail/bullmq';
import { disabledEmitter } from '@runtrail/core';
import { Queue } from 'bullmq';
import { RecordRing } from '../../packages/core/dist/delivery/record-ring.js';
import { startServices } from '../../scripts/lib/services.mjs';
import { resultHead, writeResult } from '../results.mjs';
import { addJobs, countingWorker, queueName } from './jobs.mjs';
import { FREQUENCY, PerfSampler, perfAvailable } from './perf-sampler.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 20);
if (!perfAvailable()) throw new Error('perf cannot record here: install linux-perf, or lower kernel.perf_event_paranoid');
const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
if (!gc) throw new Error('run with node --expose-gc');

const services = await startServices({ temporal: false, stopOnSignal: true });
const { hostname, port } = new URL(/** @type {string} */ (services.redis?.url));
const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-main-thread-'));
process.env.RUNTRAIL_STORE = path.join(dir, 'runs.jsonl');
process.env.RUNTRAIL_SPOOL_DIR = path.join(dir, 'spool');
const defaults = sharedEmitter();
const discard = disabledEmitter();
// The same ring the delivery thread reads (16 MiB), emptied only when full: written, never read meanwhile.
const bareRing = RecordRing.create(16 * 1024 * 1024);
/** @type {import('@runtrail/core').RunEmitter & import('@runtrail/core').RecordSink} */
const ringOnly = {
  ...discard,
  openRecords: () => ({
    write(fields, length) {
      if (bareRing.writeFields('R0\t', fields, length)) return;
      const taken = bareRing.take();
      bareRing.release(taken.end, taken.count);
      bareRing.writeFields('R0\t', fields, length);
    },
  }),
};

const ARMS = /** @type {const} */ (['plain', 'plainAgain', 'hooksOnly', 'ringNobodyReads', 'instrumentWorker']);
/** @typedef {typeof ARMS[number]} Arm */
/** @type {Partial<Record<Arm, import('@runtrail/core').RunEventSink>>} */
const EMITTERS = { hooksOnly: discard, ringNobodyReads: ringOnly, instrumentWorker: defaults };
const sampler = new PerfSampler(path.join(here, '..', '.runtrail', 'perf'));

/** One round of no-op jobs for `arm`, sampled from the Worker's start to its last job; resolves with its jobs/s. @param {Arm} arm */
async function round(arm, sampled = true) {
  const name = queueName('main');
  const queue = new Queue(name, { connection });
  await addJobs(queue, JOBS);
  const { worker, finished } = countingWorker(name, async (job) => job.data.n * 2, connection, JOBS);
  const emitter = EMITTERS[arm];
  if (emitter) instrumentWorker(worker, { emitter });
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
  if (sampled) sampler.enable(arm);
  const t0 = performance.now();
  void worker.run();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  if (sampled) sampler.disable(arm);
  await emitter?.flush();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return JOBS / seconds;
}

try {
  for (const arm of ARMS) await round(arm, false); // warm-up: JIT, connections, the delivery thread's start
  /** @type {Record<string, number[]>} */
  const rates = Object.fromEntries(ARMS.map((a) => [a, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (let k = 0; k < ARMS.length; k++) {
      const arm = /** @type {Arm} */ (ARMS[(r + k) % ARMS.length]);
      rates[arm]?.push(await round(arm));
    }
  const samples = await sampler.stop();
  // Against the mean of the two baseline arms; how far apart those two are is the noise of the method.
  const plain = samples.plain?.mainThread ?? Number.NaN;
  const plainAgain = samples.plainAgain?.mainThread ?? Number.NaN;
  const base = (plain + plainAgain) / 2;
  const jobs = JOBS * ROUNDS;
  const result = {
    ...resultHead(JOBS, ROUNDS),
    samplesPerSecond: FREQUENCY,
    noise: +Math.abs(plainAgain / plain - 1).toFixed(4),
    arms: Object.fromEntries(
      ARMS.map((arm) => {
        const s = samples[arm] ?? { mainThread: Number.NaN, process: Number.NaN, file: '' };
        return [
          arm,
          {
            mainThreadSamples: s.mainThread,
            mainThreadVsBaseline: +(s.mainThread / base - 1).toFixed(4),
            mainThreadMicrosPerJob: +((s.mainThread / FREQUENCY / jobs) * 1e6).toFixed(1),
            processSamples: s.process,
            recording: path.relative(process.cwd(), s.file),
          },
        ];
      }),
    ),
  };
  writeResult('bullmq-main-thread', result);
  console.log('| arm | main-thread samples | vs without (mean of both) | µs per job |\n| --- | ---: | ---: | ---: |');
  for (const [arm, a] of Object.entries(result.arms))
    console.log(`| ${arm} | ${a.mainThreadSamples} | ${(a.mainThreadVsBaseline * 100).toFixed(1)}% | ${a.mainThreadMicrosPerJob} |`);
  console.log(`noise (the two baseline arms apart): ${(result.noise * 100).toFixed(1)}%`);
  console.log(
    `jobs/s (perturbed by the sampling): ${ARMS.map((a) => `${a} ${Math.round(rates[a]?.sort((x, y) => x - y)[Math.floor(ROUNDS / 2)] ?? 0)}`).join(', ')}`,
  );
  console.log(`per-symbol: perf report -i bench/.runtrail/perf/<arm>.data --tid ${process.pid} --sort dso,sym`);
} finally {
  await defaults.close();
  await services.stop();
}
