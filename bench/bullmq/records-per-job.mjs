// @ts-check
// CPU per job of handing a short BullMQ attempt to the default emitter (spool, local store, delivery thread) as ONE
// compact record for its start and end (what instrumentWorker writes for an attempt that succeeds while its start is
// held back) against TWO (a record at its start, one at its end: what it writes for a longer attempt, and for every
// attempt before 2026-12-02). The same records the hooks write (job-records.ts, one reused array), written in turns
// of 1 000 jobs with the thread delivering alongside (maxDeferMillis 0), then flushed; CPU time per job of the host
// thread, of the delivery thread (the one at nice 10, from /proc/self/task/<tid>/schedstat) and of the whole process.
// Both arms on one emitter, alternating round by round; the store is checked to hold every event once.
// Usage: pnpm build && node bench/bullmq/records-per-job.mjs [jobs=50000] [rounds=9]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { emitterFromEnv } from '@runtrail/core';
import { jobRecords, startAndSuccessRecord, startRecord, successRecord } from '../../packages/bullmq/dist/job-records.js';
import { deliveryThreads, threadMicros } from '../delivery-threads.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 9);
/** Jobs written per turn of the event loop. */
const PER_TURN = 1000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-records-'));
const store = path.join(dir, 'runs.jsonl');
const emitter = emitterFromEnv({
  spool: { dir: path.join(dir, 'spool') },
  deliveryThread: true,
  maxDeferMillis: 0,
  env: { RUNTRAIL_STORE: store },
});
const sink = /** @type {import('@runtrail/core').RunEmitter & import('@runtrail/core').RecordSink} */ (emitter);
const records = sink.openRecords(jobRecords, { cluster: 'prod', prefix: 'bull', queue: 'bench' });
/** @type {import('@runtrail/core').RecordField[]} */
const fields = [];
const turn = () => new Promise((r) => setImmediate(r));

/** The delivery thread: the one thread of this process at nice 10. */
function deliveryThreadId() {
  const [tid] = deliveryThreads();
  if (tid === undefined) throw new Error('no thread at nice 10: is this Linux, and the delivery thread up?');
  return tid;
}

/** One round: CPU µs per job of the host thread, the delivery thread and the process. @param {'one' | 'two'} arm @param {number} round */
async function time(arm, round) {
  const t = Date.now();
  const thread = deliveryThreadId();
  const cpu0 = process.cpuUsage();
  const main0 = threadMicros(process.pid);
  const thread0 = threadMicros(thread);
  for (let i = 0; i < JOBS; i++) {
    const f = { jobId: `${arm}-${round}-${i}`, timestamp: t, name: 'job', attempt: 1, startTime: t + i };
    if (arm === 'one') records.write(startAndSuccessRecord(f, t + i + 1, fields));
    else {
      records.write(startRecord(f, fields));
      records.write(successRecord(f, 1, t + i, t + i + 1, fields));
    }
    if (i % PER_TURN === PER_TURN - 1) await turn();
  }
  await emitter.flush();
  const cpu = process.cpuUsage(cpu0);
  return {
    main: (threadMicros(process.pid) - main0) / JOBS,
    thread: (threadMicros(thread) - thread0) / JOBS,
    process: (cpu.user + cpu.system) / JOBS,
  };
}

await emitter.flush(); // the thread is up
/** @type {{ one: Array<Awaited<ReturnType<typeof time>>>, two: Array<Awaited<ReturnType<typeof time>>> }} */
const samples = { one: [], two: [] };
await time('one', -1); // warm-up, not counted
await time('two', -1);
for (let r = 0; r < ROUNDS; r++)
  for (const arm of /** @type {const} */ (r % 2 === 0 ? ['one', 'two'] : ['two', 'one'])) samples[arm].push(await time(arm, r));
await emitter.close();
const events = 2 * JOBS * 2 * (ROUNDS + 1);
// Read line by line: the store is too large for one string.
const keys = new Set();
let lines = 0;
for await (const line of readline.createInterface({ input: fs.createReadStream(store) })) {
  const e = JSON.parse(line);
  keys.add(`${e.instance.id}:${e.kind}`);
  lines++;
}
if (lines !== events || keys.size !== events) throw new Error(`${lines} events in the store (${keys.size} distinct), expected ${events}`);
const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
/** @param {'one' | 'two'} arm */
const figures = (arm) => ({
  main: +median(samples[arm].map((s) => s.main)).toFixed(2),
  thread: +median(samples[arm].map((s) => s.thread)).toFixed(2),
  process: +median(samples[arm].map((s) => s.process)).toFixed(2),
});
const result = {
  date: new Date().toISOString(),
  node: process.version,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  cpuMicrosPerJob: { oneRecord: figures('one'), twoRecords: figures('two') },
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'bullmq-records-per-job.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| records per job | host thread | delivery thread | whole process |\n| --- | ---: | ---: | ---: |');
for (const [name, f] of [
  ['one (start and end)', result.cpuMicrosPerJob.oneRecord],
  ['two (start, then end)', result.cpuMicrosPerJob.twoRecords],
])
  console.log(`| ${name} | ${f.main} | ${f.thread} | ${f.process} |`);
