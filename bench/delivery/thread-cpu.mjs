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
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEmitter, RunStoreTransport, ThreadedEmitter } from '@runtrail/core';
import { jobRecords, startAndSuccessRecord } from '../../packages/bullmq/dist/job-records.js';
import { deliveryThreads, threadMicros } from '../delivery-threads.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 9);
/** Jobs written per turn of the event loop. */
const PER_TURN = 1000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-thread-cpu-'));
const context = { cluster: 'prod', prefix: 'bull', queue: 'bench' };
const decodeOnly = { url: new URL('./decode-only-codec.mjs', import.meta.url).href, createDecoder: jobRecords.createDecoder };

/** @typedef {'decoded256' | 'decoded16' | 'encoded256' | 'encoded16'} Arm */
/** @type {Record<Arm, { label: string, codec: import('@runtrail/core').RecordCodec<typeof context>, passBytes: number }>} */
const ARMS = {
  decoded256: { label: 'decoded into events, passes of 256 KiB (before)', codec: decodeOnly, passBytes: 256 * 1024 },
  decoded16: { label: 'decoded into events, passes of 16 KiB', codec: decodeOnly, passBytes: 16 * 1024 },
  encoded256: { label: 'encoded as JSON text, passes of 256 KiB', codec: jobRecords, passBytes: 256 * 1024 },
  encoded16: { label: 'encoded as JSON text, passes of 16 KiB (now)', codec: jobRecords, passBytes: 16 * 1024 },
};
const arms = /** @type {Arm[]} */ (Object.keys(ARMS));

const storeOf = (/** @type {Arm} */ arm) => path.join(dir, `${arm}.jsonl`);
/** Per arm: its emitter, its channel's writer and its delivery thread's id. */
const setups = /** @type {Record<Arm, { emitter: ThreadedEmitter, write: import('@runtrail/core').RecordWriter, tid: number }>} */ ({});
for (const arm of arms) {
  const before = deliveryThreads();
  const emitter = new ThreadedEmitter(
    {
      env: { RUNTRAIL_STORE: storeOf(arm) },
      cwd: dir,
      spool: { dir: path.join(dir, `spool-${arm}`) },
      maxDeferMillis: 0,
      passBytes: ARMS[arm].passBytes,
    },
    () => createEmitter({ transports: [new RunStoreTransport({ path: storeOf(arm) })] }),
  );
  const write = emitter.openRecords(ARMS[arm].codec, context);
  await emitter.flush(); // the thread is up
  const started = [...deliveryThreads()].filter((tid) => !before.has(tid));
  if (started.length !== 1 || emitter.mode !== 'thread') throw new Error(`${arm}: no delivery thread of its own (is this Linux?)`);
  setups[arm] = { emitter, write, tid: /** @type {number} */ (started[0]) };
}
/** @type {import('@runtrail/core').RecordField[]} */
const fields = [];
const turn = () => new Promise((r) => setImmediate(r));

/** One round: CPU µs per job of the host thread, the arm's delivery thread and the process. @param {Arm} arm @param {number} round */
async function time(arm, round) {
  const { emitter, write, tid } = setups[arm];
  // The same jobs for every arm (their stores are compared line for line at the end).
  const t = 1_760_000_000_000 + round * 10 * JOBS;
  const cpu0 = process.cpuUsage();
  const main0 = threadMicros(process.pid);
  const thread0 = threadMicros(tid);
  for (let i = 0; i < JOBS; i++) {
    write(startAndSuccessRecord({ jobId: `${round}-${i}`, timestamp: t, name: 'job', attempt: 1, startTime: t + i }, t + i + 1, fields));
    if (i % PER_TURN === PER_TURN - 1) await turn();
  }
  await emitter.flush();
  const cpu = process.cpuUsage(cpu0);
  return {
    main: (threadMicros(process.pid) - main0) / JOBS,
    thread: (threadMicros(tid) - thread0) / JOBS,
    process: (cpu.user + cpu.system) / JOBS,
  };
}

/** @type {Record<Arm, Array<Awaited<ReturnType<typeof time>>>>} */
const samples = { decoded256: [], decoded16: [], encoded256: [], encoded16: [] };
for (const arm of arms) await time(arm, -1); // warm-up, not counted
for (let r = 0; r < ROUNDS; r++)
  for (let k = 0; k < arms.length; k++) {
    const arm = /** @type {Arm} */ (arms[(r + k) % arms.length]);
    samples[arm].push(await time(arm, r));
  }
for (const arm of arms) await setups[arm].emitter.close();

/** The store's lines, sorted, after checking it holds every event once. @param {Arm} arm */
async function storedLines(arm) {
  const lines = [];
  const keys = new Set();
  for await (const line of readline.createInterface({ input: fs.createReadStream(storeOf(arm)) })) {
    const e = JSON.parse(line);
    keys.add(`${e.instance.id}:${e.kind}`);
    lines.push(line);
  }
  const events = 2 * JOBS * (ROUNDS + 1);
  if (lines.length !== events || keys.size !== events)
    throw new Error(`${arm}: ${lines.length} events (${keys.size} distinct), expected ${events}`);
  return lines.sort();
}
const reference = await storedLines('decoded256');
for (const arm of arms.slice(1)) {
  const lines = await storedLines(arm);
  if (lines.some((line, i) => line !== reference[i])) throw new Error(`${arm}: not the same lines as decoded256`);
}

const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
/** @param {Arm} arm */
const figures = (arm) => ({
  main: +median(samples[arm].map((s) => s.main)).toFixed(2),
  thread: +median(samples[arm].map((s) => s.thread)).toFixed(2),
  process: +median(samples[arm].map((s) => s.process)).toFixed(2),
  processRounds: samples[arm].map((s) => +s.process.toFixed(2)),
});
const result = {
  date: new Date().toISOString(),
  node: process.version,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  cpuMicrosPerJob: Object.fromEntries(arms.map((arm) => [arm, figures(arm)])),
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'thread-cpu.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| the delivery thread | host thread | delivery thread | whole process |\n| --- | ---: | ---: | ---: |');
for (const arm of arms) {
  const f = result.cpuMicrosPerJob[arm];
  console.log(`| ${ARMS[arm].label} | ${f?.main} | ${f?.thread} | ${f?.process} |`);
}
