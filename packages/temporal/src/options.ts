// Options of RuntrailPlugin, with their defaults.
import type { DatasetRef, EmitterFromEnvOptions, Logger, RunEventSink } from '@runtrail/core';

/** Static lineage for every run of one workflow or activity type. */
export interface StaticLineage {
  inputs?: DatasetRef[];
  outputs?: DatasetRef[];
  properties?: Record<string, string>;
}

/** Options of `new RuntrailPlugin(options?)`. Every field is optional. */
export interface RuntrailPluginOptions {
  /**
   * Where events go. Default: `emitterFromEnv({ spool: {}, deliveryThread: true })` — the local store, plus DataHub /
   * OpenLineage when their environment variables are set, with the durable spool on (`RUNTRAIL_SPOOL=off` disables
   * it) and delivery on a worker thread (`RUNTRAIL_DELIVERY_THREAD=off` keeps it on the main thread).
   */
  emitter?: RunEventSink;
  /** Options for the default emitter (ignored when `emitter` is given). */
  emitterOptions?: EmitterFromEnvOptions;
  /** DataHub cluster in every URN. Default `RUNTRAIL_CLUSTER`, else `prod`. */
  cluster?: string;
  /** Temporal UI base URL (e.g. `http://localhost:8233`); runs link to their history page. Default `RUNTRAIL_TEMPORAL_UI_URL`, else none. */
  uiUrl?: string;
  /** Workflow types to leave out (no events for their runs or their activities). Default none. */
  excludeWorkflowTypes?: string[];
  /** Activity types to leave out. Default none. */
  excludeActivityTypes?: string[];
  /** Lineage declared once per workflow type (keyed by type). */
  workflows?: Record<string, StaticLineage>;
  /** Lineage declared once per activity type (keyed by type). */
  activities?: Record<string, StaticLineage>;
  /** Emit throttled `running` events from activity heartbeats (with progress from their details). Default `false`. */
  heartbeats?: boolean;
  /** Least time between two `running` events of one activity attempt, in milliseconds. Default 10 000. */
  heartbeatIntervalMillis?: number;
  /** Error messages are cut to this many characters. Default 8192. */
  maxErrorLength?: number;
  /** Logger for runtrail's own problems (never thrown into workers). Default quiet. */
  logger?: Logger;
  /** Close the emitter when the worker shuts down (flush + release). Default `true` for the default emitter, `false` for a given one (only flushed). */
  closeEmitterOnShutdown?: boolean;
}
