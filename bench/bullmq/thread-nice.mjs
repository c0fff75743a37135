// @ts-check
// The delivery thread's priority (deliveryThreadNice) under saturation that outlasts maxDeferMillis: a no-op Worker
// (concurrency 20) at full speed on a local Redis, 120 000 jobs per round, with the default emitter's thread at nice 0
// (the host's priority) and at nice 10 (the default), beside a run without runtrail; the arms rotate every round.
// Then the same under contention — spinning processes at nice 0 keep every core busy — with nice 0, 10 and 19, to
// see whether a lowered thread still keeps up: every event delivered, none dropped.
// Usage: pnpm build && node bench/bullmq/thread-nice.mjs [jobs=120000] [rounds=3] [spinners=2]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrumentWorker } from '@runtrail/bullmq';
import { emitterFromEnv } from '@runtrail/core';
import { startServices } from '../../scripts/lib/services.mjs';
import { noopRound } from './jobs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 120_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const SPINNERS = Number(process.argv[4] ?? 2);
const services = await startServices({ temporal: false, stopOnSignal: true });
const { hostname, port } = new URL(/** @type {string} */ (services.redis?.url));
const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-nice-'));

/** The default emitter's configuration (spool, local store, delivery thread) at niceness `nice`. */
function emitterAt(/** @type {number} */ nice) {
  return emitterFromEnv({
    spool: { dir: path.join(dir, `spool-${nice}`) },
    deliveryThread: true,
    deliveryThreadNice: nice,
    env: { RUNTRAIL_STORE: path.join(dir, `runs-${nice}.jsonl`) },
  });
}
/** @type {Map<number, import('@runtrail/core').RunEmitter>} */
const emitters = new Map([0, 10, 19].map((n) => [n, emitterAt(n)]));

/**
 * One round of no-op jobs; `nice` undefined runs without runtrail.
 * @param {number | undefined} nice
 */
async function round(nice) {
  const emitter = nice === undefined ? undefined : emitters.get(nice);
  const before = emitter?.stats() ?? { sent: 0, dropped: 0 };
  const sample = await noopRound(
    connection,
    'nice',
    JOBS,
    emitter && { attach: (worker) => instrumentWorker(worker, { emitter }), flush: () => emitter.flush() },
  );
  const after = emitter?.stats() ?? { sent: 0, dropped: 0 };
  return { ...sample, sent: after.sent - before.sent, dropped: after.dropped - before.dropped };
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

/**
 * Rounds of the arms, rotating; each arm's ratios to the same round's run without runtrail.
 * @param {Array<number | undefined>} arms
 */
async function compare(arms) {
  /** @type {Map<number | undefined, Array<Awaited<ReturnType<typeof round>>>>} */
  const samples = new Map(arms.map((a) => [a, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < arms.length; i++) {
      const arm = arms[(i + r) % arms.length];
      samples.get(arm)?.push(await round(arm));
    }
  const plain = samples.get(undefined) ?? [];
  return arms
    .filter((a) => a !== undefined)
    .map((nice) => {
      const s = samples.get(nice) ?? [];
      const ratios = s.map((x, i) => x.rate / (plain[i]?.rate ?? Number.NaN));
      return {
        nice,
        ratio: median(ratios),
        ratios,
        jobsPerSecond: median(s.map((x) => x.rate)),
        jobsPerSecondWithout: median(plain.map((x) => x.rate)),
        cpuMicrosPerJob: median(s.map((x) => x.cpuMicrosPerJob)),
        cpuMicrosPerJobWithout: median(plain.map((x) => x.cpuMicrosPerJob)),
        eventsSent: s.reduce((a, x) => a + x.sent, 0),
        eventsExpected: 2 * JOBS * s.length,
        dropped: s.reduce((a, x) => a + x.dropped, 0),
      };
    });
}

const quiet = await compare([undefined, 0, 10]);
const spinners = Array.from({ length: SPINNERS }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
let contended;
try {
  contended = await compare([undefined, 0, 10, 19]);
} finally {
  for (const s of spinners) s.kill('SIGKILL');
}
for (const e of emitters.values()) await e.close();
await services.stop();

const print = (/** @type {string} */ title, /** @type {typeof quiet} */ rows) => {
  console.log(`\n${title}`);
  console.log('nice | ratio [per round]          | jobs/s with / without | CPU µs/job with / without | events sent / expected | dropped');
  for (const r of rows)
    console.log(
      `${String(r.nice).padStart(4)} | ${r.ratio.toFixed(2)}× [${r.ratios.map((x) => x.toFixed(2)).join(' ')}] | ${Math.round(r.jobsPerSecond)} / ${Math.round(r.jobsPerSecondWithout)} | ${r.cpuMicrosPerJob.toFixed(1)} / ${r.cpuMicrosPerJobWithout.toFixed(1)} | ${r.eventsSent} / ${r.eventsExpected} | ${r.dropped}`,
    );
};
print(`no-op Worker, ${JOBS} jobs per round, ${ROUNDS} rounds`, quiet);
print(`the same with ${SPINNERS} spinning processes at nice 0`, contended);
const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  jobs: JOBS,
  rounds: ROUNDS,
  spinners: SPINNERS,
  quiet,
  contended,
};
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'bullmq-thread-nice.json'), `${JSON.stringify(results, null, 2)}\n`);
