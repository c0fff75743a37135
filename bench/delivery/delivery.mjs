// @ts-check
// Delivery engine benchmark (issue 6): enqueue cost per event, delivered events/s with batching to a loopback
// server in its own process, and RSS through a long backend outage with and without the spool.
// Usage: pnpm build && node bench/delivery/delivery.mjs [events=200000]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmitter, DataHubTransport, OpenLineageTransport, RunStoreTransport } from '@runtrail/core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] ?? 200_000);
const T = 1_760_000_000_000;

/** @param {number} n @param {string} tag */
function makeRuns(n, tag) {
  /** @type {import('@runtrail/core').RunEvent[]} */
  const events = [];
  for (let i = 0; i < n / 2; i++) {
    const instance = {
      orchestrator: 'temporal',
      cluster: 'prod',
      flow: 'etl',
      job: 'load',
      id: `default/${tag}-${i}/run/1`,
      createdAt: T + i,
    };
    events.push({ kind: 'start', instance, attempt: 1, time: T + i });
    events.push({ kind: 'end', instance, attempt: 1, time: T + i + 5, startTime: T + i, result: { status: 'success' } });
  }
  return events;
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const { port } = /** @type {net.AddressInfo} */ (s.address());
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rssMiB = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

// 1. enqueue cost: per-event ns over batches of 1000, backend down (nothing is sent during the loop anyway).
async function enqueueCost() {
  const down = `http://127.0.0.1:${await freePort()}`;
  const emitter = createEmitter({ transports: [new OpenLineageTransport({ url: down })], maxQueueSize: N + 10 });
  const events = makeRuns(N, 'enq');
  const samples = [];
  for (let i = 0; i < events.length; i += 1000) {
    const t0 = process.hrtime.bigint();
    for (let j = i; j < i + 1000 && j < events.length; j++) emitter.enqueue(/** @type {any} */ (events[j]));
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  await emitter.close(100);
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianNs: Math.round(median(samples)), p99Ns: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0) };
}

// 1b. a long-lived emitter: enqueue cost over the first 200 000 events and after 1 000 000, delivering to the store
// as it goes. Its dedup memories are full by then and keep forgetting; that must not cost more per event (a
// "delete the oldest key" set made every enqueue 20–80 µs once full, see src/util/bounded.ts).
async function longLived() {
  const file = path.join(os.tmpdir(), `rt-bench-long-${process.pid}.jsonl`);
  const emitter = createEmitter({ transports: [new RunStoreTransport({ path: file })], maxQueueSize: 100_000 });
  const total = 1_200_000;
  /** @type {number[]} */
  const first = [];
  /** @type {number[]} */
  const last = [];
  for (let done = 0; done < total; done += 1000) {
    const events = makeRuns(1000, `long-${done}`);
    const t0 = process.hrtime.bigint();
    for (const e of events) emitter.enqueue(e);
    const ns = Number(process.hrtime.bigint() - t0) / 1000;
    if (done < 200_000) first.push(ns);
    else if (done >= total - 200_000) last.push(ns);
    await new Promise((r) => setImmediate(r));
  }
  await emitter.close(30_000);
  const sent = emitter.stats().sent;
  fs.rmSync(file, { force: true });
  return { events: total, delivered: sent, firstMedianNs: Math.round(median(first)), afterMillionMedianNs: Math.round(median(last)) };
}

// 2. throughput: events/s through the whole engine to a loopback server in another process.
async function throughput() {
  const server = fork(path.join(HERE, 'sink-server.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((r) => server.once('message', (m) => r(/** @type {{port:number}} */ (m).port)));
  const url = `http://127.0.0.1:${port}`;
  const rows = [];
  for (const [name, make, count] of /** @type {const} */ ([
    ['DataHub (batches of ≤200 MCPs)', () => new DataHubTransport({ url }), 20_000],
    ['OpenLineage (1 event/request)', () => new OpenLineageTransport({ url, endpoint: '/api/v1/lineage' }), 5_000],
    ['local store (JSONL)', () => new RunStoreTransport({ path: path.join(os.tmpdir(), `rt-bench-${process.pid}.jsonl`) }), 100_000],
  ])) {
    const rates = [];
    for (let round = 0; round < 3; round++) {
      const emitter = createEmitter({ transports: [make()], maxQueueSize: count + 10, maxConcurrentRequests: 4, flushIntervalMillis: 50 });
      const events = makeRuns(count, `${name}-${round}`);
      const t0 = performance.now();
      for (const e of events) emitter.enqueue(e);
      await emitter.flush();
      rates.push(events.length / ((performance.now() - t0) / 1000));
      await emitter.close();
    }
    rows.push({ backend: name, eventsPerSecond: Math.round(median(rates)) });
  }
  server.kill();
  return rows;
}

// 3. RSS through an outage: 20 × N/10 events while the backend refuses, with and without spool.
async function outage() {
  const rows = [];
  for (const spool of [false, true]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-spool-'));
    const down = `http://127.0.0.1:${await freePort()}`;
    const emitter = createEmitter({
      transports: [new OpenLineageTransport({ url: down })],
      spool: spool ? { dir } : false,
      maxQueueSize: 10_000,
      circuitResetMillis: 60_000,
    });
    global.gc?.();
    const before = rssMiB();
    let peak = before;
    for (let wave = 0; wave < 20; wave++) {
      for (const e of makeRuns(N / 10, `out-${spool}-${wave}`)) emitter.enqueue(e);
      await new Promise((r) => setTimeout(r, 20));
      peak = Math.max(peak, rssMiB());
    }
    const s = emitter.stats();
    rows.push({
      spool,
      events: 2 * N,
      rssBeforeMiB: before,
      rssPeakMiB: peak,
      keptInMemory: s.queued,
      keptOnDisk: s.spooled,
      dropped: s.dropped,
    });
    await emitter.close(100);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  events: N,
  enqueue: await enqueueCost(),
  longLived: await longLived(),
  throughput: await throughput(),
  outage: await outage(),
};
fs.mkdirSync(path.join(HERE, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(HERE, '..', 'results', 'delivery.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
