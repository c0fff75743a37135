// Test harness for the plugin: connections to the dev server from the global setup, one workflow bundle per
// file (bundling is slow on two cores), and a worker with the plugin recording into a RecordingSink.
import { RuntrailPlugin, type RuntrailPluginOptions, WORKFLOW_INTERCEPTORS_MODULE } from '@runtrail/temporal';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { uniqueName } from '../../../test/helpers/paths.js';
import { RecordingSink } from '../../../test/helpers/recording-sink.js';
import { activities } from './activities.js';

export interface Harness {
  client: Client;
  native: NativeConnection;
  connection: Connection;
  bundle: { code: string };
  close(): Promise<void>;
}

export const SCENARIOS = new URL('./workflows/scenarios.ts', import.meta.url).pathname;

export async function harness(workflowsPath = SCENARIOS, withInterceptors = true): Promise<Harness> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: withInterceptors ? [WORKFLOW_INTERCEPTORS_MODULE] : [],
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  return {
    client: new Client({ connection }),
    native,
    connection,
    bundle,
    async close() {
      await native.close();
      await connection.close();
    },
  };
}

/** Creates a worker with the plugin on a fresh task queue; returns it with its sink. */
export async function pluginWorker(
  h: Harness,
  options: Partial<RuntrailPluginOptions> = {},
  workerOptions: Partial<WorkerOptions> = {},
): Promise<{ worker: Worker; sink: RecordingSink; taskQueue: string; plugin: RuntrailPlugin }> {
  const sink = new RecordingSink();
  const taskQueue = uniqueName('tq');
  const plugin = new RuntrailPlugin({ emitter: sink, ...options });
  const worker = await Worker.create({
    connection: h.native,
    taskQueue,
    workflowBundle: h.bundle,
    activities,
    plugins: [plugin],
    ...workerOptions,
  });
  return { worker, sink, taskQueue, plugin };
}

export { uniqueName };
