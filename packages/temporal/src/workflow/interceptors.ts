// Bundled into the workflow sandbox (registered by RuntrailPlugin as a workflow interceptor module). Observes the
// run's start and end, puts parent/root context into activity and child-workflow headers, and reports each
// activity's final outcome from the scheduleActivity promise (its retryState). Rules (reference/temporal.md §1.6):
// never await before next, no randomness, no I/O, never throw into the workflow.
import {
  ActivityFailure,
  type ActivityInput,
  CancellationScope,
  ContinueAsNew,
  type ContinueAsNewInput,
  defaultPayloadConverter,
  isCancellation,
  type LocalActivityInput,
  type Next,
  proxySinks,
  type StartChildWorkflowExecutionInput,
  TemporalFailure,
  TimeoutFailure,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
  workflowInfo,
} from '@temporalio/workflow';
import { declaredWorkflowLineage, resetWorkflowLineage } from './lineage.js';
import {
  RUNTRAIL_HEADER,
  type RuntrailContextHeader,
  type RuntrailSinks,
  type WorkflowOutcome,
  type WorkflowRunRef,
  type WorkflowSinkEvent,
} from './types.js';

const sinks = proxySinks<RuntrailSinks>();

function emit(event: WorkflowSinkEvent): void {
  try {
    sinks.runtrail.emit(event);
  } catch {
    // Lineage never breaks a workflow.
  }
}

function thisRun(): WorkflowRunRef {
  const info = workflowInfo();
  return { namespace: info.namespace, workflowType: info.workflowType, workflowId: info.workflowId, runId: info.runId };
}

/** The context this run received in its start headers, if a runtrail-instrumented parent started it. */
let received: RuntrailContextHeader | undefined;

function outgoingContext(): RuntrailContextHeader {
  const self = thisRun();
  return { parent: self, root: received?.root ?? self, trigger: 'parent' };
}

function withContext<T extends { headers: Record<string, unknown> }>(input: T): T {
  try {
    return { ...input, headers: { ...input.headers, [RUNTRAIL_HEADER]: defaultPayloadConverter.toPayload(outgoingContext()) } };
  } catch {
    return input;
  }
}

function errorOf(err: unknown): { message: string; type?: string } {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const inner = err instanceof ActivityFailure && cause instanceof Error ? cause : err;
    return { message: inner.message.slice(0, 8192), type: (inner as { type?: string }).type ?? inner.name };
  }
  return { message: String(err).slice(0, 8192) };
}

class RuntrailInbound implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const startTime = Date.now();
    try {
      resetWorkflowLineage();
      const header = input.headers[RUNTRAIL_HEADER];
      received = header ? (defaultPayloadConverter.fromPayload(header) as RuntrailContextHeader) : undefined;
      emit({ type: 'workflowStart', time: startTime, context: received });
    } catch {
      // Never into the workflow.
    }
    const end = (status: WorkflowOutcome, native?: string, error?: { message: string; type?: string }) => {
      try {
        emit({
          type: 'workflowEnd',
          time: Date.now(),
          startTime,
          status,
          native,
          error,
          context: received,
          lineage: declaredWorkflowLineage(),
        });
      } catch {
        // Never into the workflow: a failure here must not become a workflow-task failure.
      }
    };
    // `next` is called synchronously and its promise returned as is: no extra yield points (determinism).
    return next(input).then(
      (result) => {
        end('success');
        return result;
      },
      (err: unknown) => {
        try {
          if (err instanceof ContinueAsNew) end('success', 'continued_as_new');
          else if (isCancellation(err) && CancellationScope.current().consideredCancelled) end('cancelled', 'cancelled', errorOf(err));
          else if (err instanceof TemporalFailure) end('failure', err.name, errorOf(err));
          // Anything else is a workflow-task failure: the run stays open and is retried (reference §5.3).
        } catch {
          // Never into the workflow.
        }
        throw err;
      },
    );
  }
}

function activityOutcome(err: unknown): { status: WorkflowOutcome; native?: string } {
  if (isCancellation(err)) return { status: 'cancelled', native: 'cancelled' };
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure) return { status: 'timed_out', native: `TIMEOUT_${err.cause.timeoutType ?? 'UNKNOWN'}` };
    return { status: 'failure', native: String(err.retryState ?? 'FAILED') };
  }
  return { status: 'failure' };
}

class RuntrailOutbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    const activityId = input.options.activityId ?? String(input.seq);
    return this.#final(next(withContext(input)), activityId, input.activityType, false);
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return next(withContext(input));
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): ReturnType<Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>> {
    return next(withContext(input));
  }

  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    return next(withContext(input));
  }

  #final(promise: Promise<unknown>, activityId: string, activityType: string, local: boolean): Promise<unknown> {
    promise.then(
      () => emit({ type: 'activityFinal', time: Date.now(), activityId, activityType, local, status: 'success' }),
      (err: unknown) => {
        try {
          const { status, native } = activityOutcome(err);
          emit({ type: 'activityFinal', time: Date.now(), activityId, activityType, local, status, native, error: errorOf(err) });
        } catch {
          // Never into the workflow.
        }
      },
    );
    return promise;
  }
}

/** The factory the SDK calls once per workflow run instantiation. */
export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new RuntrailInbound()],
  outbound: [new RuntrailOutbound()],
});
