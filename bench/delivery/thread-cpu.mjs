// @ts-check
// The delivery thread's CPU per BullMQ job on the defaults (spool, local store), with nothing else on the machine's
// cores: the records instrumentWorker writes for a short attempt (job-records.ts: its start and successful end in one
// record, one reused array), written in turns of 1 000 jobs with the thread delivering alongside (maxDeferMillis 0),
// then flushed. Four arms, each its own ThreadedEmitter (thread, ring, store, spool): the records decoded into events
// on the thread or encoded straight into the store's JSON lines, in passes of 256 KiB or 16 KiB (decoded in passes of
// 256 KiB: before 2026-12-03; encoded in passes of 16 KiB: now). CPU per job of the host thread, of the arm's delivery thread
// (/proc/self/task/<tid>/schedstat) and of the whole process (process.cpuUsage: V8's collector threads included), in
// rotating order, medians; every store is checked to hold every event once, and the same lines.
// Usage: pnpm build && node bench/delivery/thread-cpu.mjs [jobs=50000] [rounds=9]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@runtrail/core';
import { jobRecords, startAndSuccessRecord } from '../../packages/bullmq/dist/job-records.js';
import { cpuFigures, recordRound, rotatingRounds, storedLines, threadArm } from './arms.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 9);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-thread-cpu-'));
const context = { cluster: 'prod', prefix: 'bull', queue: 'bench' };
const decodeOnly = { url: new URL('./decode-only-codec.mjs', import.meta.url).href, createDecoder: jobRecords.createDecoder };

/** @typedef {'decoded256' | 'decoded16' | 'encoded256' | 'encoded16'} Arm */
/** @type {Record<Arm, { label: string, codec: core.RecordCodec<typeof context>, passBytes: number }>} */
const ARMS = {
  decoded256: { label: 'decoded into events, passes of 256 KiB (before)', codec: decodeOnly, passBytes: 256 * 1024 },
  decoded16: { label: 'decoded into events, passes of 16 KiB', codec: decodeOnly, passBytes: 16 * 1024 },
  encoded256: { label: 'encoded as JSON text, passes of 256 KiB', codec: jobRecords, passBytes: 256 * 1024 },
  encoded16: { label: 'encoded as JSON text, passes of 16 KiB (now)', codec: jobRecords, passBytes: 16 * 1024 },
};
const arms = /** @type {Arm[]} */ (Object.keys(ARMS));

/** Per arm: its emitter, channel writer, delivery thread and store. */
const setups = /** @type {Record<Arm, Awaited<ReturnType<typeof threadArm>>>} */ ({});
for (const arm of arms)
  setups[arm] = await threadArm(core, {
    dir,
    name: arm,
    codec: ARMS[arm].codec,
    context,
    options: { maxDeferMillis: 0, passBytes: ARMS[arm].passBytes },
  });

const samples = await rotatingRounds(arms, ROUNDS, (arm, round) => recordRound(setups[arm], startAndSuccessRecord, JOBS, round));
for (const arm of arms) await setups[arm].emitter.close();
const events = 2 * JOBS * (ROUNDS + 1);
const reference = await storedLines(setups.decoded256.store, events);
for (const arm of arms.slice(1)) {
  const lines = await storedLines(setups[arm].store, events);
  if (lines.some((line, i) => line !== reference[i])) throw new Error(`${arm}: not the same lines as decoded256`);
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  cpuMicrosPerJob: Object.fromEntries(arms.map((arm) => [arm, cpuFigures(samples[arm])])),
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'thread-cpu.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| the delivery thread | host thread | delivery thread | whole process |\n| --- | ---: | ---: | ---: |');
for (const arm of arms) {
  const f = result.cpuMicrosPerJob[arm];
  console.log(`| ${ARMS[arm].label} | ${f?.main} | ${f?.thread} | ${f?.process} |`);
}
