// OpenLineage delivery throughput: events/s to one loopback endpoint (its own process), one event per request
// over keep-alive, runtrail's OpenLineageTransport (map + serialize + POST, awaited one by one) side by side with
// the official Python client's HttpTransport (emit, awaited one by one), plain and gzip. Rounds alternate; the
// median of each is reported, with ratios from the same run.
//   pnpm build && node bench/openlineage/throughput.mjs [events=5000] [rounds=3]
// Needs the Python client in .tools/ol-venv (python3 -m venv .tools/ol-venv &&
// .tools/ol-venv/bin/pip install openlineage-python==1.52.0); without it the Python rows are skipped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenLineageTransport } from '@runtrail/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const python = path.join(repo, '.tools', 'ol-venv', 'bin', 'python');
const events = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 3);

function startEndpoint() {
  const child = spawn(process.execPath, [path.join(here, 'endpoint.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => {
      const port = /PORT (\d+)/.exec(String(d))?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
      else reject(new Error(`endpoint said ${d}`));
    });
    child.once('exit', (code) => reject(new Error(`endpoint exited ${code}`)));
  });
}

const T0 = Date.parse('2026-08-20T12:00:00Z');
const workflow = {
  orchestrator: 'temporal',
  cluster: 'prod',
  flow: 'OrderSyncWorkflow',
  id: 'default/order-sync-42/7f0c7a3e',
  runUuid: '01a01f0a-da00-7a84-a073-277f1f550af1',
  createdAt: T0,
};
function neutral(i) {
  return {
    kind: 'start',
    instance: {
      orchestrator: 'temporal',
      cluster: 'prod',
      flow: 'OrderSyncWorkflow',
      job: 'loadOrders',
      id: `default/order-sync-42/7f0c7a3e/${i}`,
      createdAt: T0 + 1000,
    },
    attempt: 1,
    maxAttempts: 3,
    time: Date.now(),
    parent: workflow,
    root: workflow,
    inputs: [{ platform: 'postgres', name: 'shop.public.orders', namespace: 'postgres://orders-db.internal:5432' }],
    outputs: [{ platform: 's3', name: 'acme-lake/raw/orders/2026-08-20.parquet', namespace: 's3://acme-lake' }],
  };
}

async function runtrail(url, n, { gzip = false, concurrency = 1 } = {}) {
  const transport = new OpenLineageTransport({ url, compression: gzip ? 'gzip' : undefined, engines: { temporal: { version: '1.24.0' } } });
  const sendOne = async (i) => transport.send(transport.map(neutral(i)));
  for (let i = 0; i < Math.min(200, n); i++) await sendOne(i); // warm-up: connection, JIT
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await sendOne(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  return n / seconds;
}

function pythonClient(url, n, { gzip = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(here, 'python_emit.py'), url, String(n), ...(gzip ? ['gzip'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`python_emit.py exited ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop());
      resolve({ rate: r.events / r.seconds, client: r.client });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { child, url } = await startEndpoint();
const havePython = fs.existsSync(python);
const samples = { 'runtrail plain': [], 'runtrail gzip': [], 'runtrail plain ×8 in flight': [], 'python plain': [], 'python gzip': [] };
let pythonVersion = 'n/a';
try {
  for (let r = 0; r < rounds; r++) {
    if (havePython) {
      const p = await pythonClient(url, events);
      samples['python plain'].push(p.rate);
      pythonVersion = p.client;
      samples['python gzip'].push((await pythonClient(url, events, { gzip: true })).rate);
    }
    samples['runtrail plain'].push(await runtrail(url, events));
    samples['runtrail gzip'].push(await runtrail(url, events, { gzip: true }));
    samples['runtrail plain ×8 in flight'].push(await runtrail(url, events, { concurrency: 8 }));
  }
} finally {
  child.kill('SIGTERM');
}

const rows = Object.entries(samples)
  .filter(([, xs]) => xs.length > 0)
  .map(([name, xs]) => ({ name, eventsPerSecond: Math.round(median(xs)) }));
const ratio = (a, b) => (samples[a].length && samples[b].length ? median(samples[a]) / median(samples[b]) : undefined);
const ratios = {
  'runtrail plain / python plain': ratio('runtrail plain', 'python plain'),
  'runtrail gzip / python gzip': ratio('runtrail gzip', 'python gzip'),
};

console.log(`OpenLineage throughput, ${events} events per sample, median of ${rounds} rounds, one event per request, keep-alive`);
console.log('| client | events/s |');
console.log('|---|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.eventsPerSecond} |`);
for (const [k, v] of Object.entries(ratios)) if (v !== undefined) console.log(`${k}: ${v.toFixed(2)}×`);

const results = {
  benchmark: 'openlineage-throughput',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
  pythonClient: pythonVersion,
  events,
  rounds,
  rows,
  samples,
  ratios,
};
fs.mkdirSync(path.join(repo, 'bench', 'results'), { recursive: true });
fs.writeFileSync(path.join(repo, 'bench', 'results', 'openlineage-throughput.json'), `${JSON.stringify(results, null, 2)}\n`);
