// Worker-side half of the plugin: turns what the workflow sink and the activity interceptor observe into neutral
// RunEvents and hands them to the emitter (enqueue only: synchronous, never throws, never waits).
import {
  BoundedMap,
  emitterFromEnv,
  type InstanceRef,
  instanceKey,
  type Logger,
  quietLogger,
  type RunEvent,
  type RunEventSink,
  type RunStatus,
} from '@runtrail/core';
import type { WorkflowInfo } from '@temporalio/workflow';
import { activityRef, temporalUiUrl, workflowRunRef } from './identity.js';
import type { RuntrailPluginOptions, StaticLineage } from './options.js';
import type { DeclaredLineage, RuntrailContextHeader, WorkflowRunRef, WorkflowSinkEvent } from './workflow/types.js';

/** One activity execution this process has seen an attempt of. */
export interface ActivityExecution {
  ref: InstanceRef;
  parent: InstanceRef;
  root: InstanceRef;
  attempt: number;
  startTime: number;
  ended: boolean;
}

/** Activity attempts remembered for a workflow-side outcome: at least this many, at most twice as many. */
const MAX_TRACKED_ACTIVITIES = 10_000;

function merge(
  a: StaticLineage | undefined,
  b: DeclaredLineage | undefined,
): Pick<RunEvent, 'inputs' | 'outputs' | 'properties' | 'metrics'> {
  const out: Pick<RunEvent, 'inputs' | 'outputs' | 'properties' | 'metrics'> = {};
  const inputs = [...(a?.inputs ?? []), ...(b?.inputs ?? [])];
  const outputs = [...(a?.outputs ?? []), ...(b?.outputs ?? [])];
  if (inputs.length) out.inputs = inputs;
  if (outputs.length) out.outputs = outputs;
  if (a?.properties || b?.properties) out.properties = { ...a?.properties, ...b?.properties };
  if (b?.metrics) out.metrics = { ...b.metrics };
  return out;
}

/** How the run was started: a parent, a schedule, cron, continue-as-new/retry, or a client (signal-with-start when seen). */
function triggerOf(info: WorkflowInfo, context: RuntrailContextHeader | undefined): string {
  if (context?.parent) return 'parent';
  if ((info.searchAttributes as Record<string, unknown> | undefined)?.TemporalScheduledById) return 'schedule';
  if (info.cronSchedule) return 'cron';
  if (info.continuedFromExecutionRunId) return 'continued';
  return context?.trigger ?? 'client';
}

/** Holds the emitter and the plugin's settings; used by the sink, the activity interceptor and shutdown. */
export class Recorder {
  readonly cluster: string;
  readonly logger: Logger;
  identity = `${process.pid}`;
  readonly #options: RuntrailPluginOptions;
  #emitter: RunEventSink | undefined;
  readonly #ownsEmitter: boolean;
  readonly #activities = new BoundedMap<string, ActivityExecution>(MAX_TRACKED_ACTIVITIES);
  readonly #excludedWorkflows: Set<string>;
  readonly #excludedActivities: Set<string>;

  constructor(options: RuntrailPluginOptions, env: NodeJS.ProcessEnv = process.env) {
    this.#options = options;
    this.cluster = options.cluster ?? env.RUNTRAIL_CLUSTER ?? 'prod';
    this.logger = options.logger ?? quietLogger;
    this.#emitter = options.emitter;
    this.#ownsEmitter = options.emitter === undefined;
    this.#excludedWorkflows = new Set(options.excludeWorkflowTypes ?? []);
    this.#excludedActivities = new Set(options.excludeActivityTypes ?? []);
    this.uiUrl = options.uiUrl ?? env.RUNTRAIL_TEMPORAL_UI_URL;
  }

  readonly uiUrl: string | undefined;

  /** The emitter, created from the environment on first use (so a client-only plugin opens nothing). */
  get emitter(): RunEventSink {
    this.#emitter ??= emitterFromEnv({ spool: {}, deliveryThread: true, logger: this.logger, ...this.#options.emitterOptions });
    return this.#emitter;
  }

  get options(): RuntrailPluginOptions {
    return this.#options;
  }

  includesWorkflow(type: string): boolean {
    return !this.#excludedWorkflows.has(type);
  }

  includesActivity(type: string): boolean {
    return !this.#excludedActivities.has(type);
  }

  enqueue(event: RunEvent): void {
    try {
      this.emitter.enqueue(event);
    } catch (err) {
      this.logger.warn({ err }, 'runtrail: could not enqueue an event');
    }
  }

  /** The workflow sink: called worker-side after each activation, never during replay. */
  onWorkflowEvent(info: WorkflowInfo, event: WorkflowSinkEvent): void {
    try {
      if (!this.includesWorkflow(info.workflowType)) return;
      const run: WorkflowRunRef = {
        namespace: info.namespace,
        workflowType: info.workflowType,
        workflowId: info.workflowId,
        runId: info.runId,
      };
      if (event.type === 'activityFinal') {
        this.#activityFinal(run, event);
        return;
      }
      const ref = workflowRunRef(this.cluster, run, info.runStartTime?.getTime());
      const base = this.#workflowBase(info, ref, event.context);
      const declared = merge(this.#options.workflows?.[info.workflowType], event.lineage);
      if (event.type === 'workflowStart') {
        this.enqueue({
          ...base,
          kind: 'start',
          time: event.time,
          ...merge(this.#options.workflows?.[info.workflowType], undefined),
          properties: { ...base.properties, ...declared.properties },
        });
        return;
      }
      const result: RunEvent['result'] = { status: event.status as RunStatus };
      if (event.native) result.native = event.native;
      if (event.error)
        result.error = { message: event.error.message.slice(0, this.#options.maxErrorLength ?? 8192), type: event.error.type };
      this.enqueue({
        ...base,
        ...declared,
        properties: { ...base.properties, ...declared.properties },
        kind: 'end',
        time: event.time,
        startTime: event.startTime,
        result,
      });
    } catch (err) {
      this.logger.warn({ err }, 'runtrail: could not record a workflow event');
    }
  }

  #workflowBase(info: WorkflowInfo, ref: InstanceRef, context: RuntrailContextHeader | undefined): Omit<RunEvent, 'kind' | 'time'> {
    const properties: Record<string, string> = {
      namespace: info.namespace,
      workflowId: info.workflowId,
      runId: info.runId,
      taskQueue: info.taskQueue,
      attempt: String(info.attempt),
      workerIdentity: this.identity,
      trigger: triggerOf(info, context),
    };
    if (info.firstExecutionRunId && info.firstExecutionRunId !== info.runId) properties.firstExecutionRunId = info.firstExecutionRunId;
    if (info.cronSchedule) properties.cronSchedule = info.cronSchedule;
    const buildId = info.currentDeploymentVersion?.buildId ?? info.currentBuildId;
    if (buildId) properties.buildId = buildId;
    if (info.currentDeploymentVersion?.deploymentName) properties.deploymentName = info.currentDeploymentVersion.deploymentName;
    const event: Omit<RunEvent, 'kind' | 'time'> = {
      instance: ref,
      attempt: info.attempt ?? 1,
      properties,
      type: info.cronSchedule ? 'BATCH_SCHEDULED' : 'BATCH_AD_HOC',
    };
    const maxAttempts = info.retryPolicy?.maximumAttempts;
    if (maxAttempts) event.maxAttempts = maxAttempts;
    if (context?.parent) event.parent = workflowRunRef(this.cluster, context.parent);
    event.root = context?.root ? workflowRunRef(this.cluster, context.root) : ref;
    if (info.continuedFromExecutionRunId) {
      event.upstream = [
        workflowRunRef(this.cluster, {
          namespace: info.namespace,
          workflowType: info.workflowType,
          workflowId: info.workflowId,
          runId: info.continuedFromExecutionRunId,
        }),
      ];
    }
    const url = temporalUiUrl(this.uiUrl, info);
    if (url) event.url = url;
    return event;
  }

  /** Workflow-side final outcome of an activity: closes an attempt this process saw start but never end (timeouts). */
  #activityFinal(run: WorkflowRunRef, event: Extract<WorkflowSinkEvent, { type: 'activityFinal' }>): void {
    if (event.status === 'success' || !this.includesActivity(event.activityType)) return;
    const key = instanceKey(activityRef(this.cluster, run, event.activityType, event.activityId));
    const execution = this.#activities.get(key);
    if (!execution || execution.ended) return;
    execution.ended = true;
    const result: RunEvent['result'] = { status: event.status };
    if (event.native) result.native = event.native;
    if (event.error) result.error = { message: event.error.message.slice(0, this.#options.maxErrorLength ?? 8192), type: event.error.type };
    this.enqueue({
      kind: 'end',
      instance: execution.ref,
      attempt: execution.attempt,
      time: event.time,
      startTime: execution.startTime,
      parent: execution.parent,
      root: execution.root,
      result,
    });
  }

  /** Remembers an activity attempt (bounded), so a later workflow-side outcome can close it. */
  trackActivity(execution: ActivityExecution): void {
    const key = instanceKey(execution.ref);
    this.#activities.set(key, execution);
  }

  /** Flushes (and, when it owns the emitter, closes) on worker shutdown; errors are logged, never thrown. */
  async shutdown(): Promise<void> {
    if (!this.#emitter) return;
    try {
      if (this.#options.closeEmitterOnShutdown ?? this.#ownsEmitter) {
        await this.#emitter.close();
        this.#emitter = undefined;
      } else {
        await this.#emitter.flush();
      }
    } catch (err) {
      this.logger.warn({ err }, 'runtrail: flushing lineage at worker shutdown failed');
    }
  }
}
