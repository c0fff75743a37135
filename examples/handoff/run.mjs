// @ts-check
// The hand-off example: a Temporal activity enqueues a BullMQ flow with `addFlow`; runtrail links the BullMQ jobs
// back to the activity run (upstream), so the lineage graph joins Temporal and BullMQ end to end.
// Run alone: TEMPORAL_ADDRESS=127.0.0.1:7233 REDIS_URL=redis://127.0.0.1:6379 node examples/handoff/run.mjs
import { fileURLToPath } from 'node:url';
import { addFlow, closeSharedEmitter, instrumentWorker, jobLineage } from '@runtrail/bullmq';
import { activityLineage, RuntrailPlugin } from '@runtrail/temporal';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker as TemporalWorker } from '@temporalio/worker';
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import { DATASETS, redisConnection } from '../datasets.mjs';

export async function runHandoff(address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233') {
  const connection = redisConnection();
  const queueName = 'runtrail-example-notify';
  const producer = new FlowProducer({ connection });
  const notifier = new Worker(
    queueName,
    async (job) => {
      jobLineage(job).input(DATASETS.report);
      return `${job.name} sent`;
    },
    { connection },
  );
  instrumentWorker(notifier);
  const events = new QueueEvents(queueName, { connection });
  await events.waitUntilReady();
  /** @type {Promise<unknown> | undefined} */
  let published;
  const activities = {
    async buildReport() {
      activityLineage().input(DATASETS.warehouse).output(DATASETS.report);
    },
    async publishReport() {
      // Called inside a tracked Temporal activity: addFlow records the hand-off on the flow's jobs.
      const node = await addFlow(producer, {
        name: 'notify-subscribers',
        queueName,
        children: [
          { name: 'send-email', queueName },
          { name: 'post-to-slack', queueName },
        ],
      });
      published = node.job.waitUntilFinished(events, 30_000);
      return node.job.id;
    },
  };
  const native = await NativeConnection.connect({ address });
  const temporal = await Connection.connect({ address });
  try {
    const taskQueue = 'runtrail-example-handoff';
    const worker = await TemporalWorker.create({
      connection: native,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./workflows.mjs', import.meta.url)),
      activities,
      plugins: [new RuntrailPlugin()],
    });
    const client = new Client({ connection: temporal });
    await worker.runUntil(client.workflow.execute('dailyReport', { taskQueue, workflowId: `daily-report-${Date.now()}` }));
    await published;
    process.stdout.write('handoff: report published through BullMQ\n');
  } finally {
    await Promise.all([notifier.close(), events.close(), producer.close()]);
    await closeSharedEmitter();
    const q = new Queue(queueName, { connection });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
    await native.close();
    await temporal.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runHandoff();
