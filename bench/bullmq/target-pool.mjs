// @ts-check
// Issue 8's target judged on several runs of `target.mjs` together. One run's interval resamples its rounds as if
// they were independent, but two runs of the same code fifteen minutes apart have differed by more than either's
// interval on this VM (the machine's speed drifts between runs): so the target is judged on runs in a row pooled —
// every per-round ratio of every run, their median and its 95% bootstrap interval — and the number of runs is fixed
// before they start. The geometric mean of the same ratios is reported beside it, not judged.
// Usage: for n in 1 2 3 4; do node bench/bullmq/target.mjs 10000 360 bullmq-target-$n; done
//        node bench/bullmq/target-pool.mjs bench/results/bullmq-target-{1,2,3,4}.json
import fs from 'node:fs';
import path from 'node:path';
import { geometricMean, interval, median, round3 } from '../bootstrap.mjs';
import { writeResult } from '../results.mjs';

/** What `target.mjs` reports per round, by the key it writes it under. */
const ARMS = {
  instrumentWorkerToBoth: '`instrumentWorker` to both runs without runtrail (judged)',
  instrumentWorker: '`instrumentWorker` to the first run without runtrail',
  plainAgain: 'without runtrail, again (noise floor)',
};
/** @typedef {keyof typeof ARMS} Arm */

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: node bench/bullmq/target-pool.mjs <target result>.json ...');
/** @type {Array<{ date: string, rounds: number, target: number, jobsPerSecond: { plain: number } } & Record<Arm, { ratio: number, interval95: number[], perRound: number[] }>>} */
const runs = files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));

/** The target the runs were measured for (jobs/s with instrumentWorker over jobs/s without; `target.mjs`'s). */
const TARGET = /** @type {number} */ (runs[0]?.target);
if (runs.some((run) => run.target !== TARGET)) throw new Error('the runs were measured for different targets');
/** @param {Arm} arm */
const pooled = (arm) => {
  const xs = runs.flatMap((run) => run[arm].perRound);
  return {
    rounds: xs.length,
    median: round3(median(xs)),
    interval95: interval(xs).map(round3),
    geometricMean: round3(geometricMean(xs)),
    geometricMeanInterval95: interval(xs, geometricMean).map(round3),
  };
};
/** The pooled figures of each ratio. @type {Record<Arm, ReturnType<typeof pooled>>} */
const pools = {
  instrumentWorkerToBoth: pooled('instrumentWorkerToBoth'),
  instrumentWorker: pooled('instrumentWorker'),
  plainAgain: pooled('plainAgain'),
};
const judged = pools.instrumentWorkerToBoth;
const met = judged.median >= TARGET && (judged.interval95[0] ?? 0) >= TARGET;
writeResult('bullmq-target-pool', {
  runs: runs.map((run, i) => ({
    file: path.basename(/** @type {string} */ (files[i])),
    date: run.date,
    rounds: run.rounds,
    withoutJobsPerSecond: run.jobsPerSecond.plain,
    toBoth: run.instrumentWorkerToBoth.ratio,
    toBothInterval95: run.instrumentWorkerToBoth.interval95,
  })),
  target: TARGET,
  met,
  ...pools,
});

console.log('| ratio | rounds | median [95% interval] | geometric mean [95% interval] |\n| --- | ---: | ---: | ---: |');
for (const arm of /** @type {Arm[]} */ (Object.keys(ARMS))) {
  const p = pools[arm];
  console.log(
    `| ${ARMS[arm]} | ${p.rounds} | ${p.median}× [${p.interval95.join('–')}] | ${p.geometricMean}× [${p.geometricMeanInterval95.join('–')}] |`,
  );
}
console.log(`target ≥ ${TARGET}× (the pooled median and the low end of its interval): ${met ? 'met' : 'not met'}`);
