// @ts-check
// DataHub bench (issue 4), in one run and side by side with DataHub's own SDK (acryl-datahub):
//  1. mapping: neutral run events → MCP JSON, MCPs/s (runtrail DataHubMapper + Rest.li serialization vs
//     DataProcessInstance.emit_process_start/_end + json.dumps(mcp.to_obj()));
//  2. delivery: MCPs/s in batches of ≤ 200 to a loopback GMS in its own process (DataHubTransport.send vs
//     DatahubRestEmitter.emit_mcps), with peak RSS of each side.
// Usage: pnpm build && node bench/datahub/throughput.mjs [runs=5000] [rounds=3]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataHubMapper, DataHubTransport, pythonJson, restliProposal } from '@runtrail/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const python = path.join(root, '.tools', 'datahub-venv', 'bin', 'python');
const RUNS = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 3);
const T0 = 1705312800000;

if (!fs.existsSync(python)) {
  const { ensureDataHubOracle } = await import(path.join(root, 'scripts', 'lib', 'datahub-oracle.mjs'));
  ensureDataHubOracle(root);
}

/** @param {number} i @returns {import('@runtrail/core').RunEvent[]} */
function run(i) {
  const workflow = { orchestrator: 'temporal', cluster: 'prod', flow: 'order-workflow', id: `default/order-${i}/run` };
  const instance = { ...workflow, job: 'chargeCard', id: `default/order-${i}/run/chargeCard`, createdAt: T0 + i };
  const io = { inputs: [{ platform: 'postgres', name: 'shop.public.orders' }], outputs: [{ platform: 's3', name: 'receipts/2024' }] };
  return [
    {
      kind: 'start',
      instance,
      attempt: 1,
      time: T0 + i,
      parent: workflow,
      properties: { workflowId: `order-${i}`, taskQueue: 'payments' },
      ...io,
    },
    { kind: 'end', instance, attempt: 1, time: T0 + i + 5250, startTime: T0 + i, parent: workflow, result: { status: 'success' } },
  ];
}

function startGms() {
  const child = spawn(process.execPath, [path.join(here, 'gms-sink.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, child })));
}

/** @param {string[]} args */
function py(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(here, 'python_emit.py'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else {
        reject(new Error(`python exited ${code}`));
        process.exitCode = 1;
      }
    });
  });
}

function runtrailMap() {
  const mapper = new DataHubMapper({ templates: 'link' });
  const t = performance.now();
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    for (const e of run(i)) {
      for (const mcp of mapper.map(/** @type {any} */ (e))) {
        pythonJson(restliProposal(mcp, undefined));
        count++;
      }
    }
  }
  return { mcps: count, seconds: (performance.now() - t) / 1000 };
}

/** @param {string} url */
async function runtrailEmit(url) {
  const transport = new DataHubTransport({ url, templates: 'link' });
  const mcps = [];
  for (let i = 0; i < RUNS; i++) for (const e of run(i)) mcps.push(...transport.map(/** @type {any} */ (e)));
  const t = performance.now();
  for (let k = 0; k < mcps.length; k += 200) await transport.send(mcps.slice(k, k + 200));
  const seconds = (performance.now() - t) / 1000;
  await transport.close();
  return { mcps: mcps.length, seconds, maxrssKiB: Math.round(process.resourceUsage().maxRSS) };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const gms = /** @type {{url: string, child: import('node:child_process').ChildProcess}} */ (await startGms());
const rates = { rtMap: [], pyMap: [], rtEmit: [], pyEmit: [] };
const perRun = { runtrail: 0, acrylDatahub: 0 };
let rtRss = 0;
let pyRss = 0;
for (let round = 0; round < ROUNDS; round++) {
  const a = runtrailMap();
  rates.rtMap.push(RUNS / a.seconds);
  const b = /** @type {any} */ (await py([gms.url, String(RUNS), 'map']));
  rates.pyMap.push(RUNS / b.seconds);
  perRun.runtrail = a.mcps / RUNS;
  perRun.acrylDatahub = b.mcps / RUNS;
  const c = await runtrailEmit(gms.url);
  rates.rtEmit.push(c.mcps / c.seconds);
  if (round === 0) process.stderr.write(`round 1: runtrail ${Math.round(c.mcps / c.seconds)} MCPs/s delivered\n`);
  rtRss = Math.max(rtRss, c.maxrssKiB);
  const d = /** @type {any} */ (await py([gms.url, String(RUNS), 'emit']));
  rates.pyEmit.push(d.mcps / d.seconds);
  pyRss = Math.max(pyRss, d.maxrss_kib);
}
gms.child.kill();
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  runs: RUNS,
  rounds: ROUNDS,
  // Mapping is compared per run (runtrail writes each dataset's key once per process, the SDK once per run).
  runsMappedPerSecond: { runtrail: Math.round(median(rates.rtMap)), acrylDatahub: Math.round(median(rates.pyMap)) },
  mcpsPerRun: perRun,
  mcpsDeliveredPerSecond: { runtrail: Math.round(median(rates.rtEmit)), acrylDatahub: Math.round(median(rates.pyEmit)) },
  ratios: {
    map: +(median(rates.rtMap) / median(rates.pyMap)).toFixed(2),
    deliver: +(median(rates.rtEmit) / median(rates.pyEmit)).toFixed(2),
  },
  peakRssMiB: { runtrail: Math.round(rtRss / 1024), acrylDatahub: Math.round(pyRss / 1024) },
};
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'datahub-throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
