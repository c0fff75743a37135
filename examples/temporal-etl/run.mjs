// @ts-check
// The Temporal ETL example: a worker with runtrail in one line (`plugins: [new RuntrailPlugin()]`), one pipeline run.
// Run alone: TEMPORAL_ADDRESS=127.0.0.1:7233 node examples/temporal-etl/run.mjs
import { fileURLToPath } from 'node:url';
import { RuntrailPlugin } from '@runtrail/temporal';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activities } from './activities.mjs';

export async function runTemporalEtl(address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233') {
  const taskQueue = 'runtrail-example-etl';
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./workflows.mjs', import.meta.url)),
      activities,
      plugins: [new RuntrailPlugin()],
    });
    const client = new Client({ connection });
    const rows = await worker.runUntil(
      client.workflow.execute('etlPipeline', {
        taskQueue,
        workflowId: `etl-${new Date().toISOString().slice(0, 10)}-${Date.now()}`,
        args: ['2026-11-24'],
      }),
    );
    process.stdout.write(`temporal-etl: pipeline loaded ${rows} rows\n`);
  } finally {
    await native.close();
    await connection.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runTemporalEtl();
