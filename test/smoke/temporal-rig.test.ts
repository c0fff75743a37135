// The rig works end to end: a real workflow with one activity runs on the dev server from the global setup.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueName } from '../helpers/paths.js';
import type { smokeWorkflow } from './workflows/smoke-workflows.js';

describe('Temporal dev server rig', () => {
  let connection: Connection;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    const address = inject('temporalAddress');
    connection = await Connection.connect({ address });
    nativeConnection = await NativeConnection.connect({ address });
  });

  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
  });

  it('runs a workflow with one activity and returns its result', async () => {
    const taskQueue = uniqueName('smoke');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: new URL('./workflows/smoke-workflows.ts', import.meta.url).pathname,
      activities: { greet: async (name: string) => `hello, ${name}` },
    });
    const client = new Client({ connection });
    const result = await worker.runUntil(
      client.workflow.execute<typeof smokeWorkflow>('smokeWorkflow', { taskQueue, workflowId: uniqueName('wf'), args: ['rig'] }),
    );
    expect(result).toEqual({ greeting: 'hello, rig', key: 'temporal|prod|default/rig#1:start' });
  });
});
