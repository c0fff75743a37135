// The neutral run event (DESIGN.md §2): what adapters produce and every backend mapper consumes.
// This file is part of `@runtrail/core/model`, which the Temporal workflow sandbox imports: types and
// pure functions only, no Node built-ins, no I/O, no randomness.

/** What happened to an instance. `queued` may come before `start`; `running` is throttled progress. */
export type RunEventKind = 'queued' | 'start' | 'running' | 'end';

/**
 * Outcome of one attempt (DESIGN.md §4).
 * - `retry`: this attempt failed and another attempt follows.
 * - `timed_out` / `terminated`: seen by a client interceptor or a reconciler, never by the worker itself.
 */
export type RunStatus = 'success' | 'failure' | 'retry' | 'cancelled' | 'timed_out' | 'terminated' | 'skipped';

/** DataHub's process types; runtrail uses them for both backends. */
export type ProcessType = 'BATCH_SCHEDULED' | 'BATCH_AD_HOC' | 'STREAMING';

/** An error, already truncated by the adapter to its configured size. */
export interface RunError {
  message: string;
  /** Error class or orchestrator failure type, e.g. `ApplicationFailure`, `UnrecoverableError`. */
  type?: string;
  stack?: string;
}

/** The terminal outcome carried by an `end` event. */
export interface RunResult {
  status: RunStatus;
  /** The orchestrator's own word for it, e.g. `continued_as_new`, `RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED`. */
  native?: string;
  error?: RunError;
}

/**
 * Identifies one execution (a flow instance when `job` is absent, else a job instance).
 * The same execution must yield the same ref in every process that sees it (DESIGN.md §3).
 */
export interface InstanceRef {
  /** `temporal`, `bullmq`, … (DataHub orchestrator / dataPlatform id). */
  orchestrator: string;
  /** DataHub cluster; `prod` unless configured (`RUNTRAIL_CLUSTER`). */
  cluster: string;
  /** Template flow: workflow type or queue name. */
  flow: string;
  /** Template job: activity type or job name; absent for a flow instance. */
  job?: string;
  /** The orchestrator's unique execution id, e.g. `<namespace>/<workflowId>/<runId>`. Hashed into the DPI guid. */
  id: string;
  /** A UUID that is the OpenLineage run id of this instance as is (the Temporal runId of a workflow run). */
  runUuid?: string;
  /**
   * Epoch milliseconds when the execution was first created or scheduled. Seeds the deterministic
   * per-attempt OpenLineage run id (UUIDv7) when `runUuid` is absent.
   */
  createdAt?: number;
  /** Attempt the reference points at, for per-attempt OpenLineage runs. Default 1. */
  attempt?: number;
}

/** A dataset read or written, named once for both backends (OpenLineage naming, DataHub URN). */
export interface DatasetRef {
  /** DataHub platform id, e.g. `postgres`, `s3`, `kafka`, `file`. */
  platform: string;
  /** Dataset name within the platform, e.g. `db.schema.table`, `bucket/path`. */
  name: string;
  /** DataHub fabric, upper-cased on the wire. Default `PROD`. */
  env?: string;
  /** DataHub platform instance, if the platform has several. */
  platformInstance?: string;
  /** OpenLineage dataset namespace, e.g. `postgres://host:5432`. Derived from the platform when absent. */
  namespace?: string;
}

/** One thing that happened to one instance, once. */
export interface RunEvent {
  kind: RunEventKind;
  instance: InstanceRef;
  /** 1-based attempt number of this execution. */
  attempt: number;
  /** Maximum attempts allowed, when the orchestrator knows it (0 or absent = unlimited/unknown). */
  maxAttempts?: number;
  /** Epoch milliseconds when it happened (the orchestrator's clock where it has one). */
  time: number;
  /** On `end`: epoch milliseconds when this attempt started, for durations. */
  startTime?: number;
  /** The run that started this one (activity → workflow run, child → parent, flow child → parent job). */
  parent?: InstanceRef;
  /** The root of the chain of parents. */
  root?: InstanceRef;
  /** Predecessors: continue-as-new, workflow retry, cron successor, cross-orchestrator hand-off. */
  upstream?: InstanceRef[];
  /** Present on `end` (required there). */
  result?: RunResult;
  inputs?: DatasetRef[];
  outputs?: DatasetRef[];
  /** String context: task queue, worker identity, trigger, code version… */
  properties?: Record<string, string>;
  /** Numeric metrics, e.g. rows written. */
  metrics?: Record<string, number>;
  /** Default `BATCH_AD_HOC`. */
  type?: ProcessType;
  /** Link to the run in the orchestrator's UI. */
  url?: string;
  /** Epoch milliseconds the run was scheduled for (scheduled / cron runs). */
  nominalTime?: number;
  /** On `running`: progress, when the orchestrator reports it. */
  progress?: { current?: number; total?: number; message?: string };
}
