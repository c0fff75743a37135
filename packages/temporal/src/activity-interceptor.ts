// Activity inbound interceptor: one start and one end per attempt (reference/temporal.md §5.4). The attempt's
// outcome is `retry` unless the attempt can tell it is the last (non-retryable failure or type, attempts
// exhausted, schedule-to-close budget spent); the workflow side closes what the worker cannot see (timeouts).
// The activity runs inside runtrail's run context, so producer helpers (BullMQ hand-offs) link to it.
import { currentRun, type RunEvent, type RunStatus, runWithContext } from '@runtrail/core';
import { CompleteAsyncError, type Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { lineageOf } from './activity-lineage.js';
import { activityRef, temporalUiUrl, workflowRunRef } from './identity.js';
import type { ActivityExecution, Recorder } from './recorder.js';
import { RUNTRAIL_HEADER, type RuntrailContextHeader, type WorkflowRunRef } from './workflow/types.js';

/** Outcome of a failed attempt, as far as the worker can tell. */
export function classifyActivityError(err: unknown, ctx: Context, now = Date.now()): { status: RunStatus; native: string } | undefined {
  if (err instanceof CompleteAsyncError) return undefined; // completed later, out of band
  const info = ctx.info;
  if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) {
    const details = ctx.cancellationDetails;
    if (details?.paused || details?.reset) return { status: 'retry', native: details.paused ? 'paused' : 'reset' };
    return { status: 'cancelled', native: 'cancelled' };
  }
  if (err instanceof ApplicationFailure && err.nonRetryable) return { status: 'failure', native: 'NON_RETRYABLE_FAILURE' };
  const type = err instanceof ApplicationFailure ? err.type : err instanceof Error ? err.constructor.name : undefined;
  const policy = info.retryPolicy;
  if (type && policy?.nonRetryableErrorTypes?.includes(type)) return { status: 'failure', native: 'NON_RETRYABLE_FAILURE' };
  if (policy?.maximumAttempts && info.attempt >= policy.maximumAttempts) return { status: 'failure', native: 'MAXIMUM_ATTEMPTS_REACHED' };
  if (info.scheduleToCloseTimeoutMs && info.scheduleToCloseTimeoutMs > 0) {
    const initial = Number(policy?.initialInterval ?? 1000);
    const coefficient = policy?.backoffCoefficient ?? 2;
    const next = Math.min(initial * coefficient ** (info.attempt - 1), Number(policy?.maximumInterval ?? initial * 100));
    if (now + next > info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs) return { status: 'failure', native: 'TIMEOUT' };
  }
  return { status: 'retry', native: 'RETRY' };
}

function errorOf(err: unknown, max: number): NonNullable<RunEvent['result']>['error'] {
  if (!(err instanceof Error)) return { message: String(err).slice(0, max) };
  const type = err instanceof ApplicationFailure ? (err.type ?? 'ApplicationFailure') : err.name;
  return { message: err.message.slice(0, max), type };
}

export class RuntrailActivityInbound implements ActivityInboundCallsInterceptor {
  constructor(
    readonly ctx: Context,
    readonly recorder: Recorder,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    let execution: ActivityExecution | undefined;
    try {
      execution = this.#start(input);
    } catch (err) {
      this.recorder.logger.warn({ err }, 'runtrail: could not record an activity start');
    }
    if (!execution) return next(input);
    const started = execution;
    const context = { instance: { ...started.ref, attempt: started.attempt }, root: started.root };
    try {
      const result = await runWithContext(context, () => next(input));
      this.#end(started, { status: 'success' });
      return result;
    } catch (err) {
      try {
        const outcome = classifyActivityError(err, this.ctx);
        if (outcome) this.#end(started, { ...outcome, error: errorOf(err, this.recorder.options.maxErrorLength ?? 8192) });
      } catch (inner) {
        this.recorder.logger.warn({ err: inner }, 'runtrail: could not record an activity end');
      }
      throw err;
    }
  }

  #start(input: ActivityExecuteInput): ActivityExecution | undefined {
    const info = this.ctx.info;
    if (!info.workflowExecution || !info.workflowType || !this.recorder.includesActivity(info.activityType)) return undefined;
    if (!this.recorder.includesWorkflow(info.workflowType)) return undefined;
    const run: WorkflowRunRef = { namespace: info.namespace, workflowType: info.workflowType, ...info.workflowExecution };
    // Local activities get a new activityId per timer backoff; their first schedule time keeps all attempts together.
    const activityId = info.isLocal ? `local:${info.activityType}:${info.scheduledTimestampMs}` : info.activityId;
    const ref = activityRef(this.recorder.cluster, run, info.activityType, activityId, info.scheduledTimestampMs);
    const parent = workflowRunRef(this.recorder.cluster, run);
    const header = input.headers[RUNTRAIL_HEADER];
    const context = header ? (defaultPayloadConverter.fromPayload(header) as RuntrailContextHeader) : undefined;
    const root = context?.root ? workflowRunRef(this.recorder.cluster, context.root) : parent;
    const execution: ActivityExecution = { ref, parent, root, attempt: info.attempt, startTime: Date.now(), ended: false };
    this.recorder.trackActivity(execution);
    const statics = this.recorder.options.activities?.[info.activityType];
    const event: RunEvent = {
      kind: 'start',
      instance: ref,
      attempt: info.attempt,
      time: execution.startTime,
      parent,
      root,
      properties: {
        namespace: info.namespace,
        workflowId: run.workflowId,
        runId: run.runId,
        activityId: info.activityId,
        taskQueue: info.taskQueue,
        attempt: String(info.attempt),
        local: String(info.isLocal),
        workerIdentity: this.recorder.identity,
        ...statics?.properties,
      },
    };
    const maxAttempts = info.retryPolicy?.maximumAttempts;
    if (maxAttempts) event.maxAttempts = maxAttempts;
    if (statics?.inputs?.length) event.inputs = [...statics.inputs];
    if (statics?.outputs?.length) event.outputs = [...statics.outputs];
    // A hand-off into this activity from another tracked run (e.g. a BullMQ job calling Temporal) links upstream.
    const outer = currentRun();
    if (outer && outer.instance.id !== parent.id) event.upstream = [outer.instance];
    const url = temporalUiUrl(this.recorder.uiUrl, run);
    if (url) event.url = url;
    this.recorder.enqueue(event);
    if (this.recorder.options.heartbeats) this.#watchHeartbeats(execution);
    return execution;
  }

  #end(execution: ActivityExecution, result: NonNullable<RunEvent['result']>): void {
    if (execution.ended) return;
    execution.ended = true;
    const declared = lineageOf(this.ctx);
    const statics = this.recorder.options.activities?.[this.ctx.info.activityType];
    const event: RunEvent = {
      kind: 'end',
      instance: execution.ref,
      attempt: execution.attempt,
      time: Date.now(),
      startTime: execution.startTime,
      parent: execution.parent,
      root: execution.root,
      result,
    };
    const inputs = [...(statics?.inputs ?? []), ...(declared.inputs ?? [])];
    const outputs = [...(statics?.outputs ?? []), ...(declared.outputs ?? [])];
    if (inputs.length) event.inputs = inputs;
    if (outputs.length) event.outputs = outputs;
    if (declared.properties) event.properties = { ...declared.properties };
    if (declared.metrics) event.metrics = { ...declared.metrics };
    this.recorder.enqueue(event);
  }

  /** Turns heartbeats into throttled `running` events, with progress when the details carry numbers. */
  #watchHeartbeats(execution: ActivityExecution): void {
    const ctx = this.ctx as Context & { heartbeat: (details?: unknown) => void };
    const original = ctx.heartbeat;
    const interval = this.recorder.options.heartbeatIntervalMillis ?? 10_000;
    let last = 0;
    ctx.heartbeat = (details?: unknown) => {
      try {
        const now = Date.now();
        if (!execution.ended && now - last >= interval) {
          last = now;
          const event: RunEvent = {
            kind: 'running',
            instance: execution.ref,
            attempt: execution.attempt,
            time: now,
            parent: execution.parent,
            root: execution.root,
          };
          const progress = progressOf(details);
          if (progress) event.progress = progress;
          this.recorder.enqueue(event);
        }
      } catch {
        // Heartbeats must go through whatever happens here.
      }
      original(details);
    };
  }
}

function progressOf(details: unknown): RunEvent['progress'] | undefined {
  if (typeof details === 'number') return { current: details };
  if (typeof details === 'object' && details !== null) {
    const d = details as Record<string, unknown>;
    const p: NonNullable<RunEvent['progress']> = {};
    if (typeof d.current === 'number') p.current = d.current;
    else if (typeof d.progress === 'number') p.current = d.progress;
    if (typeof d.total === 'number') p.total = d.total;
    if (typeof d.message === 'string') p.message = d.message.slice(0, 1000);
    return Object.keys(p).length ? p : undefined;
  }
  return undefined;
}
