// @ts-check
// Saturation that lasts, this tree against another build of runtrail, in one run: a no-op Worker (concurrency 20) at
// full speed through 120 000 jobs per round — far past maxDeferMillis, so the delivery thread works while the Worker
// runs — without runtrail, with `instrumentWorker` of the other build and with this tree's, each on its defaults
// (delivery thread, spool, local store), the arms rotating. Jobs/s and whole-process CPU per job; each arm's ratio is
// the median of its per-round ratios to the same round's run without runtrail, and "this / other" the median of the
// per-round ratios between the two. Both stores are checked to hold every event once. The other build is a checkout
// built with `pnpm build` (its own node_modules), e.g. of the commit before a change:
//   git worktree add /tmp/rt-base <commit> && (cd /tmp/rt-base && pnpm install && pnpm build)
// Usage: pnpm build && node bench/bullmq/versus-build.mjs <other checkout> [jobs=120000] [rounds=8]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as thisBullmq from '@runtrail/bullmq';
import * as thisCore from '@runtrail/core';
import { startServices } from '../../scripts/lib/services.mjs';
import { checkStore } from '../delivery/arms.mjs';
import { otherBuild } from '../other-build.mjs';
import { noopRound } from './jobs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = otherBuild(process.argv[2], 'usage: node bench/bullmq/versus-build.mjs <a built runtrail checkout> [jobs] [rounds]');
const other = build.root;
const JOBS = Number(process.argv[3] ?? 120_000);
const ROUNDS = Number(process.argv[4] ?? 8);
/** @type {typeof thisBullmq} */
const otherBullmq = await build.load('packages/bullmq/dist/index.js');
/** @type {typeof thisCore} */
const otherCore = await build.load('packages/core/dist/index.js');

const services = await startServices({ temporal: false, stopOnSignal: true });
const { hostname, port } = new URL(/** @type {string} */ (services.redis?.url));
const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-versus-'));

/** @typedef {'plain' | 'other' | 'this'} Arm */
/** @type {Arm[]} */
const ARMS = ['plain', 'other', 'this'];
const storeOf = (/** @type {Arm} */ arm) => path.join(dir, `${arm}.jsonl`);
/** The defaults `instrumentWorker` builds (sharedEmitter), with a store and spool of the arm's own. @param {typeof thisCore} core @param {Arm} arm */
const defaults = (core, arm) =>
  core.emitterFromEnv({ spool: { dir: path.join(dir, `spool-${arm}`) }, deliveryThread: true, env: { RUNTRAIL_STORE: storeOf(arm) } });
const setups = {
  other: { emitter: defaults(otherCore, 'other'), instrument: otherBullmq.instrumentWorker },
  this: { emitter: defaults(thisCore, 'this'), instrument: thisBullmq.instrumentWorker },
};

/** One round of `JOBS` no-op jobs through a fresh queue and Worker. @param {Arm} arm */
function round(arm) {
  const setup = arm === 'plain' ? undefined : setups[arm];
  return noopRound(
    connection,
    'versus',
    JOBS,
    setup && { attach: (w) => setup.instrument(w, { emitter: setup.emitter }), flush: () => setup.emitter.flush() },
  );
}

/** @type {Record<Arm, Array<Awaited<ReturnType<typeof round>>>>} */
const samples = { plain: [], other: [], this: [] };
await round('plain'); // warm-up, not counted
for (let r = 0; r < ROUNDS; r++)
  for (let k = 0; k < ARMS.length; k++) {
    const arm = /** @type {Arm} */ (ARMS[(r + k) % ARMS.length]);
    samples[arm].push(await round(arm));
  }
await setups.other.emitter.close();
await setups.this.emitter.close();
for (const arm of /** @type {const} */ (['other', 'this'])) await checkStore(storeOf(arm), 2 * JOBS * ROUNDS);
await services.stop();
fs.rmSync(dir, { recursive: true, force: true });

const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const perRound = (/** @type {Arm} */ a, /** @type {Arm} */ b) => samples[a].map((s, i) => s.rate / (samples[b][i]?.rate ?? Number.NaN));
const result = {
  date: new Date().toISOString(),
  node: process.version,
  other,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  jobsPerSecond: Object.fromEntries(ARMS.map((a) => [a, Math.round(median(samples[a].map((s) => s.rate)))])),
  ratioToPlain: { other: +median(perRound('other', 'plain')).toFixed(3), this: +median(perRound('this', 'plain')).toFixed(3) },
  thisToOther: +median(perRound('this', 'other')).toFixed(3),
  thisToOtherPerRound: perRound('this', 'other').map((x) => +x.toFixed(3)),
  cpuMicrosPerJob: Object.fromEntries(ARMS.map((a) => [a, +median(samples[a].map((s) => s.cpuMicrosPerJob)).toFixed(1)])),
};
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'bullmq-versus-build.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| arm | jobs/s | ratio to without | CPU µs per job |\n| --- | ---: | ---: | ---: |');
console.log(`| without runtrail | ${result.jobsPerSecond.plain} | 1 | ${result.cpuMicrosPerJob.plain} |`);
console.log(`| the other build | ${result.jobsPerSecond.other} | ${result.ratioToPlain.other}× | ${result.cpuMicrosPerJob.other} |`);
console.log(`| this tree | ${result.jobsPerSecond.this} | ${result.ratioToPlain.this}× | ${result.cpuMicrosPerJob.this} |`);
console.log(`this / other: ${result.thisToOther}× (per round: ${result.thisToOtherPerRound.join(', ')})`);
