// @ts-check
// The BullMQ flow example: a FlowProducer tree across two queues — two regional fetch jobs (one fails once and
// is retried) feeding a final aggregation job. Workers get runtrail with `instrumentWorker(worker)`.
// Run alone: REDIS_URL=redis://127.0.0.1:6379 node examples/bullmq-flow/run.mjs
import { fileURLToPath } from 'node:url';
import { addFlow, closeSharedEmitter, instrumentWorker, jobLineage, trackedProcessor } from '@runtrail/bullmq';
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import { DATASETS, redisConnection } from '../datasets.mjs';

const failedOnce = new Set();

export async function runBullmqFlow() {
  const connection = redisConnection();
  const ingest = new Worker(
    'runtrail-example-ingest',
    trackedProcessor(async (job) => {
      const region = job.data.region;
      jobLineage(job)
        .input(region === 'eu' ? DATASETS.euEvents : DATASETS.usEvents)
        .metric('events', 500);
      if (region === 'us' && !failedOnce.has(job.id)) {
        failedOnce.add(job.id);
        throw new Error('us broker timed out');
      }
      return 500;
    }),
    { connection },
  );
  const reports = new Worker(
    'runtrail-example-reports',
    trackedProcessor(async (job) => {
      const counts = Object.values(await job.getChildrenValues());
      jobLineage(job)
        .output(DATASETS.report)
        .metric(
          'events',
          counts.reduce((a, b) => a + b, 0),
        );
      return counts.length;
    }),
    { connection },
  );
  instrumentWorker(ingest);
  instrumentWorker(reports);
  const events = new QueueEvents('runtrail-example-reports', { connection });
  const producer = new FlowProducer({ connection });
  try {
    await events.waitUntilReady();
    const node = await addFlow(producer, {
      name: 'regional-report',
      queueName: 'runtrail-example-reports',
      children: [
        { name: 'fetch-events', queueName: 'runtrail-example-ingest', data: { region: 'eu' } },
        {
          name: 'fetch-events',
          queueName: 'runtrail-example-ingest',
          data: { region: 'us' },
          opts: { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
        },
      ],
    });
    await node.job.waitUntilFinished(events, 30_000);
    process.stdout.write('bullmq-flow: regional report aggregated\n');
  } finally {
    await Promise.all([ingest.close(), reports.close(), events.close(), producer.close()]);
    await closeSharedEmitter();
    for (const name of ['runtrail-example-ingest', 'runtrail-example-reports']) {
      const q = new Queue(name, { connection });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runBullmqFlow();
