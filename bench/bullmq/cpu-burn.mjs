// @ts-check
// What any CPU time on a no-op Worker's main thread costs its jobs/s, beside what runtrail costs: the target's burst
// (10 000 no-op jobs, concurrency 20) without runtrail twice, with `instrumentWorker(worker)` on its defaults, and
// with two plain listeners (`active` and `completed`) that only burn `burnMicros` of CPU per job between them — a
// loop calibrated alone (the fastest of seven timings), of runtrail's size on the main thread by default (≈ 1.7% of
// its ≈ 48 µs per job in `hook-share.mjs`). The four arms rotate round by round. Each ratio is the median of the
// per-round ratios to both runs without runtrail of the round (their geometric mean), with a 95% bootstrap interval;
// and `instrumentWorker`'s to the burn of its round. The store is checked to hold every event once.
// Usage: pnpm build && node bench/bullmq/cpu-burn.mjs [rounds=120] [burnMicros=0.8]
import fs from 'node:fs';
import { instrumentWorker } from '@runtrail/bullmq';
import { interval, median, round3 } from '../bootstrap.mjs';
import { checkStore } from '../delivery/arms.mjs';
import { resultHead, writeResult } from '../results.mjs';
import { noopRound } from './jobs.mjs';
import { startBench } from './setup.mjs';

const JOBS = 10_000;
const ROUNDS = Number(process.argv[2] ?? 120);
const BURN_MICROS = Number(process.argv[3] ?? 0.8);

/** The burn's loop: `n` steps of a linear congruential generator, its state kept so that no step can be dropped. */
let state = 1;
/** @param {number} n */
const spin = (n) => {
  let x = state;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0;
  state = x;
};
let fastest = Number.POSITIVE_INFINITY;
for (let k = 0; k < 7; k++) {
  const t = performance.now();
  spin(1e7);
  fastest = Math.min(fastest, performance.now() - t);
}
/** Steps per listener call: half the burn in each of the two. */
const HALF = Math.round((1e7 / (fastest * 1000)) * (BURN_MICROS / 2));

const { services, connection, dir, store, defaults } = await startBench('burn');

/** @typedef {'plain' | 'plainAgain' | 'burn' | 'instrumentWorker'} Arm */
/** @type {Arm[]} */
const ARMS = ['plain', 'plainAgain', 'burn', 'instrumentWorker'];
/** @param {import('bullmq').Worker} worker */
const burn = (worker) => {
  worker.on('active', () => spin(HALF));
  worker.on('completed', () => spin(HALF));
};
/** @param {Arm} arm */
const round = (arm) =>
  noopRound(
    connection,
    'burn',
    JOBS,
    arm === 'instrumentWorker'
      ? { attach: (worker) => instrumentWorker(worker), flush: () => defaults.flush() }
      : arm === 'burn'
        ? { attach: burn }
        : undefined,
  );

/** @type {Record<Arm, number[]>} */
const rates = { plain: [], plainAgain: [], burn: [], instrumentWorker: [] };
let instrumented = 0;
try {
  // A warm-up round of each arm, not counted; its events count for the store check.
  for (const arm of ARMS) await round(arm);
  instrumented++;
  // Rotations of the four arms, shifted every fourth round: each arm runs after each other one.
  for (let r = 0; r < ROUNDS; r++)
    for (let k = 0; k < ARMS.length; k++) {
      const arm = /** @type {Arm} */ (ARMS[(r + k + Math.floor(r / ARMS.length)) % ARMS.length]);
      rates[arm].push((await round(arm)).rate);
      if (arm === 'instrumentWorker') instrumented++;
    }
  await defaults.close();
  await checkStore(store, 2 * JOBS * instrumented);
} finally {
  await services.stop();
}
fs.rmSync(dir, { recursive: true, force: true });

/** The median of `xs` with its 95% percentile-bootstrap interval. @param {number[]} xs */
const summary = (xs) => {
  return { ratio: round3(median(xs)), interval95: interval(xs).map(round3) };
};
/** @param {number} i */
const bothPlain = (i) => Math.sqrt((rates.plain[i] ?? Number.NaN) * (rates.plainAgain[i] ?? Number.NaN));
/** @param {Arm} arm */
const toBoth = (arm) => summary(rates[arm].map((rate, i) => rate / bothPlain(i)));
const result = {
  ...resultHead(JOBS, ROUNDS),
  burnMicrosPerJob: BURN_MICROS,
  jobsPerSecond: Object.fromEntries(ARMS.map((arm) => [arm, Math.round(median(rates[arm]))])),
  toBothWithout: { plainAgain: toBoth('plainAgain'), burn: toBoth('burn'), instrumentWorker: toBoth('instrumentWorker') },
  instrumentWorkerToBurn: summary(rates.instrumentWorker.map((rate, i) => rate / (rates.burn[i] ?? Number.NaN))),
};
writeResult('bullmq-cpu-burn', result);
console.log('| arm | jobs/s (median) | ratio to both runs without [95% interval] |\n| --- | ---: | ---: |');
console.log(`| without runtrail | ${result.jobsPerSecond.plain} | 1 |`);
for (const [arm, label] of /** @type {const} */ ([
  ['plainAgain', 'without runtrail, again (noise floor)'],
  ['burn', `${BURN_MICROS} µs of CPU per job in two plain listeners`],
  ['instrumentWorker', '`instrumentWorker(worker)`'],
])) {
  const s = result.toBothWithout[arm];
  console.log(`| ${label} | ${result.jobsPerSecond[arm]} | ${s.ratio}× [${s.interval95.join('–')}] |`);
}
const d = result.instrumentWorkerToBurn;
console.log(`instrumentWorker to the burn: ${d.ratio}× [${d.interval95.join('–')}]`);
