// @ts-check
// The delivery thread's CPU per BullMQ job, this tree against another build of runtrail, in one run: each build's own
// ThreadedEmitter (thread, ring, store, spool) on the defaults but for `maxDeferMillis` 0 (the thread delivers
// alongside), fed the records instrumentWorker writes for short attempts (job-records.ts: one per job, its start and
// successful end) by that build's own codec, in turns of 1 000 jobs, then flushed — as `thread-cpu.mjs` does for one
// build's arms. The two arms rotate; CPU per job of the host thread, of the arm's delivery thread
// (/proc/self/task/<tid>/schedstat) and of the whole process (V8's collector threads included), medians, and "this /
// other" as the median of the per-round ratios of the whole process. Both stores are checked to hold every event once,
// and the same lines. The other build is a checkout built with `pnpm build` (its own node_modules), e.g.:
//   git worktree add /tmp/rt-base <commit> && (cd /tmp/rt-base && pnpm install && pnpm build)
// Usage: pnpm build && node bench/delivery/thread-versus-build.mjs <other checkout> [jobs=100000] [rounds=9]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as thisCore from '@runtrail/core';
import * as thisRecords from '../../packages/bullmq/dist/job-records.js';
import { otherBuild } from '../other-build.mjs';
import { cpuFigures, median, recordRound, rotatingRounds, storedLines, threadArm } from './arms.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = otherBuild(process.argv[2], 'usage: node bench/delivery/thread-versus-build.mjs <a built runtrail checkout> [jobs] [rounds]');
const other = build.root;
const JOBS = Number(process.argv[3] ?? 100_000);
const ROUNDS = Number(process.argv[4] ?? 9);
/** @type {typeof thisCore} */
const otherCore = await build.load('packages/core/dist/index.js');
/** @type {typeof thisRecords} */
const otherRecords = await build.load('packages/bullmq/dist/job-records.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-thread-versus-'));
const context = { cluster: 'prod', prefix: 'bull', queue: 'bench' };

/** @typedef {'other' | 'this'} Arm */
/** @type {Arm[]} */
const ARMS = ['other', 'this'];
const builds = { other: { core: otherCore, records: otherRecords }, this: { core: thisCore, records: thisRecords } };

/** Per arm: its emitter, channel writer, delivery thread and store, all of its own build. */
const setups = /** @type {Record<Arm, Awaited<ReturnType<typeof threadArm>>>} */ ({});
for (const arm of ARMS)
  setups[arm] = await threadArm(builds[arm].core, {
    dir,
    name: arm,
    codec: builds[arm].records.jobRecords,
    context,
    options: { maxDeferMillis: 0 },
  });

const samples = await rotatingRounds(ARMS, ROUNDS, (arm, round) =>
  recordRound(setups[arm], builds[arm].records.startAndSuccessRecord, JOBS, round),
);
for (const arm of ARMS) await setups[arm].emitter.close();
const events = 2 * JOBS * (ROUNDS + 1);
const reference = await storedLines(setups.other.store, events);
const lines = await storedLines(setups.this.store, events);
if (lines.some((line, i) => line !== reference[i])) throw new Error('this tree wrote other lines than the other build');

const perRound = samples.this.map((s, i) => +(s.process / (samples.other[i]?.process ?? Number.NaN)).toFixed(3));
const result = {
  date: new Date().toISOString(),
  node: process.version,
  other,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  cpuMicrosPerJob: { other: cpuFigures(samples.other), this: cpuFigures(samples.this) },
  thisToOtherProcess: median(perRound),
  thisToOtherProcessPerRound: perRound,
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'thread-versus-build.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| build | host thread | delivery thread | whole process |\n| --- | ---: | ---: | ---: |');
for (const arm of ARMS) {
  const f = result.cpuMicrosPerJob[arm];
  console.log(`| ${arm === 'this' ? 'this tree' : 'the other build'} | ${f.main} | ${f.thread} | ${f.process} |`);
}
console.log(`this / other, whole process: ${result.thisToOtherProcess}× (per round: ${perRound.join(', ')})`);
