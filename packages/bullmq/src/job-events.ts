// The events of a BullMQ job's attempt, built from plain facts (no Job object, no I/O): one builder for the
// in-process hooks whether the event travels as an object or as a compact record decoded on the delivery thread
// (job-records.ts). Links (FlowProducer parent, hand-off upstream) and declared lineage are added by the caller.
import type { DatasetRef, InstanceRef, RunEvent } from '@runtrail/core';
import { jobRef } from './identity.js';

/** What every event of one instrumented Worker shares (plain data: it travels to the delivery thread as JSON). */
export interface WorkerContext {
  cluster: string;
  prefix: string;
  queue: string;
  /** `worker.opts.name`, when set. */
  workerName?: string;
  /** Static lineage per job name (`InstrumentOptions.jobs`). */
  jobs?: Record<string, { inputs?: DatasetRef[]; outputs?: DatasetRef[]; properties?: Record<string, string> }>;
}

/** The facts of a job that name its instance. */
export interface JobFacts {
  jobId: string;
  /** `job.timestamp`, epoch ms. */
  timestamp: number;
  name: string;
  /** `job.repeatJobKey`: the job scheduler that made it. */
  scheduler?: string;
}

/** What an attempt's start says besides the job's identity. */
export interface StartFacts extends JobFacts {
  attempt: number;
  /** Epoch ms the attempt started (`job.processedOn`). */
  startTime: number;
  priority?: number;
  /** `job.opts.delay`, ms. */
  delay?: number;
  /** `job.opts.attempts`. */
  maxAttempts?: number;
  /** `job.opts.prevMillis`: the scheduled time of a scheduler's run, epoch ms. */
  prevMillis?: number;
}

/** The InstanceRef of a job seen by a Worker of `ctx`. */
export function instanceOf(ctx: WorkerContext, job: JobFacts): InstanceRef {
  return jobRef(
    ctx.cluster,
    { prefix: ctx.prefix, queue: ctx.queue, jobId: job.jobId, timestamp: job.timestamp, name: job.name },
    job.scheduler,
  );
}

/** The start event of an attempt (without links). */
export function startEvent(ctx: WorkerContext, f: StartFacts, instance: InstanceRef = instanceOf(ctx, f)): RunEvent {
  const statics = ctx.jobs?.[f.name];
  const properties: Record<string, string> = {
    queue: ctx.queue,
    prefix: ctx.prefix,
    jobId: f.jobId,
    jobName: f.name,
    attempt: String(f.attempt),
  };
  if (statics?.properties) Object.assign(properties, statics.properties);
  if (f.scheduler) properties.scheduler = f.scheduler;
  if (f.priority) properties.priority = String(f.priority);
  if (f.delay) properties.delayMillis = String(f.delay);
  if (ctx.workerName) properties.workerName = ctx.workerName;
  const event: RunEvent = { kind: 'start', instance, attempt: f.attempt, time: f.startTime, properties };
  if (f.maxAttempts) event.maxAttempts = f.maxAttempts;
  if (f.scheduler) {
    event.type = 'BATCH_SCHEDULED';
    if (f.prevMillis) event.nominalTime = f.prevMillis;
  }
  if (statics?.inputs?.length) event.inputs = [...statics.inputs];
  if (statics?.outputs?.length) event.outputs = [...statics.outputs];
  return event;
}

/** What a processor declared for an attempt (lineage.ts), merged into its end. */
export interface Declared {
  inputs?: DatasetRef[];
  outputs?: DatasetRef[];
  properties?: Record<string, string>;
  metrics?: Record<string, number>;
}

/** The end event of an attempt (without links). */
export function endEvent(
  ctx: WorkerContext,
  job: JobFacts,
  attempt: number,
  startTime: number,
  time: number,
  result: NonNullable<RunEvent['result']>,
  declared?: Declared,
  instance: InstanceRef = instanceOf(ctx, job),
): RunEvent {
  const statics = ctx.jobs?.[job.name];
  const event: RunEvent = { kind: 'end', instance, attempt, time, startTime, result };
  // Arrays only when something was declared: this runs once per job.
  if (statics?.inputs?.length || declared?.inputs?.length) event.inputs = [...(statics?.inputs ?? []), ...(declared?.inputs ?? [])];
  if (statics?.outputs?.length || declared?.outputs?.length) event.outputs = [...(statics?.outputs ?? []), ...(declared?.outputs ?? [])];
  if (declared?.properties) event.properties = declared.properties;
  if (declared?.metrics) event.metrics = declared.metrics;
  return event;
}
