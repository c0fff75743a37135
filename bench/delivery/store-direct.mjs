// @ts-check
// What the delivery thread does per event with the default configuration (spool on, the local store the only
// backend), timed on one thread: BullMQ compact records (job-records.ts; one record per short attempt, its start and
// successful end, what instrumentWorker writes for most jobs) taken by the emitter, deduplicated, serialized and
// written. Three arms: the records encoded straight into the events' JSON text, written directly
// (`enqueueRecord` with the codec's encoder, `Transport.writeNow`: what the thread does now); decoded into event
// objects first, then written directly (what it did before 2026-12-03); and decoded, queued and batched like any
// backend with every event also in the spool (before 2026-12-02). Fed in passes of 200 records (16 KiB) with a turn
// between them and a wait while the backend's queue is half full, as delivery-thread.ts does. The arms in one run,
// in rotating order, each on its own directory; CPU time (process.cpuUsage) per event.
// Usage: pnpm build && node bench/delivery/store-direct.mjs [jobs=50000] [rounds=7]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmitter, eachEvent, enqueueRecord, fieldText, RunStoreTransport, readRunStore } from '@runtrail/core';
import { createDecoder, createEncoder, startAndSuccessRecord } from '../../packages/bullmq/dist/job-records.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 7);
/** Records per pass (≈ DEFAULT_PASS_BYTES of them, thread-protocol.ts), and the queue fill that makes a pass wait (delivery-thread.ts: MAX_BACKEND_FILL). */
const PASS = 200;
const MAX_QUEUED = 5000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-store-direct-'));
const ctx = { cluster: 'prod', prefix: 'bull', queue: 'bench' };
const decode = createDecoder(ctx);
const encode = createEncoder(ctx);

/** The store without `writeNow`: queued and batched like any backend, with the spool keeping a copy. @param {RunStoreTransport} store */
function queued(store) {
  return {
    name: store.name,
    maxBatchSize: store.maxBatchSize,
    maxBatchBytes: store.maxBatchBytes,
    map: (/** @type {import('@runtrail/core').RunEvent} */ e) => store.map(e),
    mapJson: (/** @type {import('@runtrail/core').RunEvent} */ e, /** @type {string} */ json) => store.mapJson(e, json),
    sizeOf: (/** @type {string} */ line) => store.sizeOf(line),
    send: (/** @type {string[]} */ batch) => store.send(batch),
    close: () => store.close(),
  };
}

/** @typedef {'encoded' | 'decoded' | 'queued'} Arm */
/** @type {Arm[]} */
const ARMS = ['encoded', 'decoded', 'queued'];
const storeOf = (/** @type {Arm} */ arm) => path.join(dir, `${arm}.jsonl`);
const emitters = {
  encoded: createEmitter({
    transports: [new RunStoreTransport({ path: storeOf('encoded') })],
    spool: { dir: path.join(dir, 'spool-encoded') },
  }),
  decoded: createEmitter({
    transports: [new RunStoreTransport({ path: storeOf('decoded') })],
    spool: { dir: path.join(dir, 'spool-decoded') },
  }),
  queued: createEmitter({
    transports: [queued(new RunStoreTransport({ path: storeOf('queued') }))],
    spool: { dir: path.join(dir, 'spool-queued') },
  }),
};
const turn = () => new Promise((r) => setImmediate(r));

/** CPU µs per event for one round of `JOBS` jobs (a start and a successful end each, in one record). @param {Arm} arm @param {number} round */
async function time(arm, round) {
  const emitter = emitters[arm];
  const enqueue = (/** @type {import('@runtrail/core').RunEvent} */ e) => emitter.enqueue(e);
  // The same records for every arm (their stores are compared line for line at the end).
  const t = 1_760_000_000_000 + round * 10 * JOBS;
  /** @type {string[][]} */
  const records = [];
  for (let i = 0; i < JOBS; i++)
    records.push(
      startAndSuccessRecord({ jobId: `${round}-${i}`, timestamp: t, name: 'job', attempt: 1, startTime: t + i }, t + i + 1).map(fieldText),
    );
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < records.length; k += PASS) {
    for (let j = k; j < Math.min(records.length, k + PASS); j++) {
      const fields = /** @type {string[]} */ (records[j]);
      if (arm === 'encoded') enqueueRecord(emitter, decode, encode, fields);
      else eachEvent(decode(fields), enqueue);
    }
    await turn();
    while (Object.values(emitter.stats().backends).some((b) => b.queued + b.inFlight > MAX_QUEUED))
      await new Promise((r) => setTimeout(r, 1));
  }
  await emitter.flush();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / (2 * records.length);
}

/** @type {Record<Arm, number[]>} */
const samples = { encoded: [], decoded: [], queued: [] };
for (const arm of ARMS) await time(arm, -1); // warm-up, not counted
for (let r = 0; r < ROUNDS; r++)
  for (let k = 0; k < ARMS.length; k++) {
    const arm = /** @type {Arm} */ (ARMS[(r + k) % ARMS.length]);
    samples[arm].push(await time(arm, r));
  }
await Promise.all(Object.values(emitters).map((e) => e.close()));
// Every store holds every event once, and the same lines.
const events = 2 * JOBS * (ROUNDS + 1);
const reference = fs.readFileSync(storeOf('decoded'), 'utf8').split('\n').sort().join('\n');
for (const arm of ARMS) {
  const stored = readRunStore(storeOf(arm)).length;
  if (stored !== events) throw new Error(`${arm}: ${stored} events in the store, expected ${events}`);
  if (fs.readFileSync(storeOf(arm), 'utf8').split('\n').sort().join('\n') !== reference) throw new Error(`${arm}: not the same lines`);
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  cpuMicrosPerEvent: Object.fromEntries(ARMS.map((arm) => [arm, +median(samples[arm]).toFixed(2)])),
  ratios: {
    encodedToDecoded: +(median(samples.encoded) / median(samples.decoded)).toFixed(3),
    decodedToQueued: +(median(samples.decoded) / median(samples.queued)).toFixed(3),
  },
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'store-direct.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| the store | CPU µs per event |\n| --- | ---: |');
console.log(`| decoded, queued and batched, every event also in the spool | ${result.cpuMicrosPerEvent.queued} |`);
console.log(`| decoded, written directly (\`writeNow\`) | ${result.cpuMicrosPerEvent.decoded} |`);
console.log(`| encoded as JSON text, written directly | ${result.cpuMicrosPerEvent.encoded} |`);
console.log(`encoded / decoded: ${result.ratios.encodedToDecoded}×, decoded / queued: ${result.ratios.decodedToQueued}×`);
