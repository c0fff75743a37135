// @ts-check
// What the delivery thread does per event with the default configuration (spool on, the local store the only
// backend), timed on one thread: BullMQ compact records decoded (job-records.ts), enqueued, deduplicated, serialized
// and written — with the store written directly (`Transport.writeNow`, no copy in the spool) against the same store
// queued and batched like any backend (what it was before: every event also appended to the spool). Fed in passes of
// 3 000 records with a turn between them and a wait while the backend's queue is half full, as delivery-thread.ts
// does. Both arms in one run, alternating, each on its own directory; CPU time (process.cpuUsage) per event.
// Usage: pnpm build && node bench/delivery/store-direct.mjs [jobs=50000] [rounds=7]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmitter, fieldText, RunStoreTransport, readRunStore } from '@runtrail/core';
import { createDecoder, startRecord, successRecord } from '../../packages/bullmq/dist/job-records.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const JOBS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 7);
/** Records per pass, and the queue fill that makes a pass wait (delivery-thread.ts: CHUNK_BYTES, MAX_BACKEND_FILL). */
const PASS = 3000;
const MAX_QUEUED = 5000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-store-direct-'));
const decode = createDecoder({ cluster: 'prod', prefix: 'bull', queue: 'bench' });

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

const arms = {
  direct: { store: path.join(dir, 'direct.jsonl'), spool: path.join(dir, 'spool-direct') },
  queued: { store: path.join(dir, 'queued.jsonl'), spool: path.join(dir, 'spool-queued') },
};
const emitters = {
  direct: createEmitter({ transports: [new RunStoreTransport({ path: arms.direct.store })], spool: { dir: arms.direct.spool } }),
  queued: createEmitter({ transports: [queued(new RunStoreTransport({ path: arms.queued.store }))], spool: { dir: arms.queued.spool } }),
};
const turn = () => new Promise((r) => setImmediate(r));

/** CPU µs per event for one round of `JOBS` jobs (a start and a successful end each). @param {'direct' | 'queued'} arm @param {number} round */
async function time(arm, round) {
  const emitter = emitters[arm];
  const t = Date.now();
  /** @type {string[][]} */
  const records = [];
  for (let i = 0; i < JOBS; i++) {
    const f = { jobId: `${round}-${i}`, timestamp: t, name: 'job', attempt: 1, startTime: t + i };
    records.push(startRecord(f).map(fieldText), successRecord(f, 1, t + i, t + i + 1).map(fieldText));
  }
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < records.length; k += PASS) {
    for (let j = k; j < Math.min(records.length, k + PASS); j++) {
      const event = decode(/** @type {string[]} */ (records[j]));
      if (event) emitter.enqueue(/** @type {import('@runtrail/core').RunEvent} */ (event));
    }
    await turn();
    while (Object.values(emitter.stats().backends).some((b) => b.queued + b.inFlight > MAX_QUEUED))
      await new Promise((r) => setTimeout(r, 1));
  }
  await emitter.flush();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / records.length;
}

/** @type {{ direct: number[], queued: number[] }} */
const samples = { direct: [], queued: [] };
await time('direct', -1); // warm-up, not counted
await time('queued', -1);
for (let r = 0; r < ROUNDS; r++)
  for (const arm of /** @type {const} */ (r % 2 === 0 ? ['direct', 'queued'] : ['queued', 'direct'])) samples[arm].push(await time(arm, r));
await Promise.all(Object.values(emitters).map((e) => e.close()));
// Both stores hold every event once.
const events = 2 * JOBS * (ROUNDS + 1);
for (const [arm, files] of Object.entries(arms)) {
  const stored = readRunStore(files.store).length;
  if (stored !== events) throw new Error(`${arm}: ${stored} events in the store, expected ${events}`);
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  jobsPerRound: JOBS,
  rounds: ROUNDS,
  cpuMicrosPerEvent: { direct: +median(samples.direct).toFixed(2), queued: +median(samples.queued).toFixed(2) },
  ratio: +(median(samples.direct) / median(samples.queued)).toFixed(3),
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'store-direct.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| the store | CPU µs per event |\n| --- | ---: |');
console.log(`| written directly (\`writeNow\`), no copy in the spool | ${result.cpuMicrosPerEvent.direct} |`);
console.log(`| queued and batched, every event also in the spool | ${result.cpuMicrosPerEvent.queued} |`);
console.log(`direct / queued: ${result.ratio}×`);
