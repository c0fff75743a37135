// Client side of the plugin: tells workflows how they were started (client or signal-with-start, in the runtrail
// header) and records terminations requested through this client — the server never tells a worker about them
// (reference/temporal.md §5.3). Never fails or delays the call: recording happens after `next` succeeded.
import type { RunEvent } from '@runtrail/core';
import { Client, type ConnectionLike, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowRunRef } from './identity.js';
import type { Recorder } from './recorder.js';
import { RUNTRAIL_HEADER, type RuntrailContextHeader } from './workflow/types.js';

type Next<K extends keyof WorkflowClientInterceptor> = Parameters<NonNullable<WorkflowClientInterceptor[K]>>[1];
type Input<K extends keyof WorkflowClientInterceptor> = Parameters<NonNullable<WorkflowClientInterceptor[K]>>[0];

export class RuntrailClientInterceptor implements WorkflowClientInterceptor {
  #describer: Client | undefined;

  /** @param target connection and namespace of the intercepted client, for describing terminated runs */
  constructor(
    readonly recorder: Recorder,
    readonly target: () => { connection?: ConnectionLike; namespace?: string },
  ) {}

  startWithDetails(input: Input<'startWithDetails'>, next: Next<'startWithDetails'>): ReturnType<Next<'startWithDetails'>> {
    return next(withTrigger(input, 'client'));
  }

  signalWithStart(input: Input<'signalWithStart'>, next: Next<'signalWithStart'>): ReturnType<Next<'signalWithStart'>> {
    return next(withTrigger(input, 'signal-with-start'));
  }

  async terminate(input: Input<'terminate'>, next: Next<'terminate'>): Promise<Awaited<ReturnType<Next<'terminate'>>>> {
    const response = await next(input);
    void this.#recordTermination(input.workflowExecution.workflowId, input.workflowExecution.runId, input.reason).catch((err) =>
      this.recorder.logger.warn({ err }, 'runtrail: could not record a termination'),
    );
    return response;
  }

  async #recordTermination(workflowId: string, runId: string | undefined, reason: string | undefined): Promise<void> {
    const { connection, namespace } = this.target();
    if (!connection) return;
    this.#describer ??= new Client({ connection: connection as never, namespace });
    const d = await this.#describer.workflow.getHandle(workflowId, runId).describe();
    if (d.status.name !== 'TERMINATED') return;
    const instance = workflowRunRef(this.recorder.cluster, {
      namespace: namespace ?? 'default',
      workflowType: d.type,
      workflowId: d.workflowId,
      runId: d.runId,
    });
    const event: RunEvent = {
      kind: 'end',
      instance,
      attempt: 1,
      time: d.closeTime?.getTime() ?? Date.now(),
      startTime: d.startTime.getTime(),
      result: {
        status: 'terminated',
        native: 'TERMINATED',
        ...(reason ? { error: { message: reason.slice(0, 8192), type: 'Terminated' } } : {}),
      },
    };
    this.recorder.enqueue(event);
  }
}

function withTrigger<T extends { headers: Record<string, unknown> }>(input: T, trigger: 'client' | 'signal-with-start'): T {
  try {
    if (input.headers[RUNTRAIL_HEADER]) return input;
    const header: RuntrailContextHeader = { trigger };
    return { ...input, headers: { ...input.headers, [RUNTRAIL_HEADER]: defaultPayloadConverter.toPayload(header) } };
  } catch {
    return input;
  }
}
