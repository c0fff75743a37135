// @ts-check
// Temporal bench (issue 7), in one run on a local dev server: workflows/s with RuntrailPlugin vs without vs
// @temporalio/interceptors-opentelemetry (no-op exporter), and the per-activity overhead in µs (a workflow running
// 100 activities in sequence). Configurations alternate round by round; medians are reported.
// Usage: pnpm build && node bench/temporal/throughput.mjs [workflows=200] [rounds=3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resource } from '@opentelemetry/resources';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RuntrailPlugin } from '@runtrail/temporal';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startServices } from '../../scripts/lib/services.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKFLOWS = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 3);
const ACTIVITIES = 100;
Runtime.install({ logger: new DefaultLogger('ERROR') });

const store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-temporal-')), 'runs.jsonl');
process.env.RUNTRAIL_STORE = store;
const noopExporter = {
  export: (/** @type {unknown} */ _spans, /** @type {(r: {code: number}) => void} */ done) => done({ code: 0 }),
  shutdown: async () => {},
};
const configs = {
  none: () => [],
  runtrail: () => [new RuntrailPlugin({ emitterOptions: { spool: false } })],
  opentelemetry: () => [
    new OpenTelemetryPlugin({ resource: new Resource({}), spanProcessor: new SimpleSpanProcessor(/** @type {any} */ (noopExporter)) }),
  ],
};

const services = await startServices({ redis: false, stopOnSignal: true });
const address = /** @type {string} */ (services.temporal?.address);
const native = await NativeConnection.connect({ address });
const connection = await Connection.connect({ address });
const client = new Client({ connection });
/** @type {Record<string, number[]>} */
const wfPerSec = { none: [], runtrail: [], opentelemetry: [] };
/** @type {Record<string, number[]>} */
const manyMillis = { none: [], runtrail: [], opentelemetry: [] };
try {
  /** @type {Record<string, {code: string}>} */
  const bundles = {};
  for (const [name, plugins] of Object.entries(configs)) {
    bundles[name] = await bundleWorkflowCode({
      workflowsPath: path.join(here, 'workflows.mjs'),
      plugins: plugins(),
      logger: new DefaultLogger('ERROR'),
    });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, [name, plugins]] of Object.entries(configs).entries()) {
      // Not the arm's name: task queues (and workflow ids) of the same length in every arm (bench/bullmq/jobs.mjs).
      const taskQueue = `bench-${index}-${round}-${Date.now()}`;
      const worker = await Worker.create({
        connection: native,
        taskQueue,
        workflowBundle: bundles[name],
        activities: { step: async (/** @type {number} */ i) => i },
        plugins: plugins(),
      });
      await worker.runUntil(async () => {
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: WORKFLOWS }, (_, i) =>
            client.workflow.execute('oneActivity', { taskQueue, workflowId: `${taskQueue}-${i}` }),
          ),
        );
        wfPerSec[name]?.push(WORKFLOWS / ((performance.now() - t0) / 1000));
        const t1 = performance.now();
        await client.workflow.execute('manyActivities', { taskQueue, workflowId: `${taskQueue}-many`, args: [ACTIVITIES] });
        manyMillis[name]?.push(performance.now() - t1);
      });
    }
  }
} finally {
  await native.close();
  await connection.close();
  await services.stop();
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  workflowsPerRound: WORKFLOWS,
  rounds: ROUNDS,
  workflowsPerSecond: Object.fromEntries(Object.entries(wfPerSec).map(([k, v]) => [k, Math.round(median(v))])),
  ratioRuntrailToNone: +(median(wfPerSec.runtrail ?? []) / median(wfPerSec.none ?? [])).toFixed(3),
  ratioOpenTelemetryToNone: +(median(wfPerSec.opentelemetry ?? []) / median(wfPerSec.none ?? [])).toFixed(3),
  perActivityOverheadMicros: {
    runtrail: Math.round(((median(manyMillis.runtrail ?? []) - median(manyMillis.none ?? [])) * 1000) / ACTIVITIES),
    opentelemetry: Math.round(((median(manyMillis.opentelemetry ?? []) - median(manyMillis.none ?? [])) * 1000) / ACTIVITIES),
  },
  sequentialActivityMillis: Object.fromEntries(Object.entries(manyMillis).map(([k, v]) => [k, +(median(v) / ACTIVITIES).toFixed(2)])),
  eventsWritten: fs.existsSync(store) ? fs.readFileSync(store, 'utf8').split('\n').length - 1 : 0,
};
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'temporal-throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
