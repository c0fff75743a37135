// RuntrailPlugin: one line in Worker.create (and optionally on the Client and in bundleWorkflowCode) gives every
// workflow run and activity execution run history and lineage. Registers the workflow interceptor module, the
// activity interceptor and the sink; flushes the emitter when the worker shuts down (errors swallowed).
import { fileURLToPath } from 'node:url';
import { runtrailDisabled } from '@runtrail/core';
import type { ClientOptions, ConnectionLike } from '@temporalio/client';
import { SimplePlugin } from '@temporalio/plugin';
import type { InjectedSinks, ReplayWorkerOptions, Worker, WorkerOptions } from '@temporalio/worker';
import { RuntrailActivityInbound } from './activity-interceptor.js';
import { RuntrailClientInterceptor } from './client-interceptor.js';
import type { RuntrailPluginOptions } from './options.js';
import { Recorder } from './recorder.js';
import type { RuntrailSinks } from './workflow/types.js';

/** Absolute path of the workflow interceptor module (compiled JS, bundled into the sandbox). */
export const WORKFLOW_INTERCEPTORS_MODULE = fileURLToPath(new URL('./workflow/interceptors.js', import.meta.url));

/** Marks worker options the plugin already configured, so registering it twice never doubles events. */
const CONFIGURED = Symbol.for('runtrail.temporal.configured');

export class RuntrailPlugin extends SimplePlugin {
  /** The worker-side recorder (emitter, settings). */
  readonly recorder: Recorder;
  readonly #disabled: boolean;
  #runningWorkers = 0;

  /** @param options every field optional; with none, configuration comes from the environment (see README). */
  constructor(options: RuntrailPluginOptions = {}) {
    const disabled = runtrailDisabled();
    const recorder = new Recorder(options);
    const target: { connection?: ConnectionLike; namespace?: string } = {};
    super({
      name: 'runtrail',
      clientInterceptors: disabled ? undefined : { workflow: [new RuntrailClientInterceptor(recorder, () => target)] },
      workerInterceptors: disabled
        ? undefined
        : {
            workflowModules: [WORKFLOW_INTERCEPTORS_MODULE],
            activity: [(ctx) => ({ inbound: new RuntrailActivityInbound(ctx, recorder) })],
          },
    });
    this.recorder = recorder;
    this.#disabled = disabled;
    this.#target = target;
  }

  readonly #target: { connection?: ConnectionLike; namespace?: string };

  override configureClient(options: ClientOptions): ClientOptions {
    // The client interceptor describes terminated runs through the same connection and namespace.
    this.#target.connection = options.connection;
    this.#target.namespace = options.namespace ?? 'default';
    return super.configureClient(options);
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    if (this.#disabled || (options as unknown as Record<symbol, boolean>)[CONFIGURED]) return options;
    if (options.identity) this.recorder.identity = options.identity;
    else this.recorder.identity = `${process.pid}@${process.env.HOSTNAME ?? 'localhost'}`;
    const configured = super.configureWorker(this.#withSinks(options));
    return Object.assign(configured, { [CONFIGURED]: true });
  }

  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    if (this.#disabled || (options as unknown as Record<symbol, boolean>)[CONFIGURED]) return options;
    return Object.assign(super.configureReplayWorker(this.#withSinks(options)), { [CONFIGURED]: true });
  }

  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    this.#runningWorkers++;
    try {
      await super.runWorker(worker, next);
    } finally {
      this.#runningWorkers--;
      // The last worker using this plugin flushes (or closes) the emitter; failures are logged, never thrown.
      if (this.#runningWorkers === 0) await this.recorder.shutdown();
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK types worker sinks as InjectedSinks<any>
  #withSinks<T extends { sinks?: InjectedSinks<any> }>(options: T): T {
    const recorder = this.recorder;
    const sinks: InjectedSinks<RuntrailSinks> = {
      // callDuringReplay stays false: nothing is emitted while a history is replayed (reference/temporal.md §3).
      runtrail: { emit: { fn: (info, event) => recorder.onWorkflowEvent(info, event) } },
    };
    return { ...options, sinks: { ...options.sinks, ...sinks } };
  }
}
