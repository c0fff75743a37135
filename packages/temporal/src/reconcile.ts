// Closes runs the workers could not close themselves: termination and server-side timeouts never reach a
// worker (reference/temporal.md §5.3). `reconcile` finds workflow runs (and their activities) that started but
// never ended — in a run store or a given list — asks the server how they ended, and emits those ends.
import { defaultStorePath, type InstanceRef, type RunEvent, type RunEventSink, type RunStatus, readRunStore } from '@runtrail/core';
import type { Client } from '@temporalio/client';
import { TEMPORAL } from './identity.js';

/** Options of `reconcile`. */
export interface ReconcileOptions {
  /** A connected client; its namespace decides which runs can be asked about. */
  client: Client;
  /** Where the ends go. */
  emitter: RunEventSink;
  /** Events to look for open runs in. Default: the run store (`RUNTRAIL_STORE` or `.runtrail/runs.jsonl`). */
  events?: RunEvent[];
  /** Store file to read when `events` is not given. */
  store?: string;
}

/** What `reconcile` did. */
export interface ReconcileReport {
  /** Workflow runs found open in the events. */
  open: number;
  /** Runs closed now, by status. */
  closed: Record<string, number>;
  /** Runs the server still reports as running. */
  stillRunning: number;
  /** Runs that could not be asked about (other namespace, not found), with the reason. */
  skipped: { id: string; reason: string }[];
}

const STATUS: Record<string, { status: RunStatus; native: string } | undefined> = {
  COMPLETED: { status: 'success', native: 'COMPLETED' },
  FAILED: { status: 'failure', native: 'FAILED' },
  CANCELLED: { status: 'cancelled', native: 'CANCELLED' },
  TERMINATED: { status: 'terminated', native: 'TERMINATED' },
  TIMED_OUT: { status: 'timed_out', native: 'TIMED_OUT' },
  CONTINUED_AS_NEW: { status: 'success', native: 'continued_as_new' },
};

/** Splits `<namespace>/<workflowId>/<runId>`; workflow ids may contain `/`. */
function parseRunId(id: string): { namespace: string; workflowId: string; runId: string } | undefined {
  const first = id.indexOf('/');
  const last = id.lastIndexOf('/');
  if (first <= 0 || last <= first) return undefined;
  return { namespace: id.slice(0, first), workflowId: id.slice(first + 1, last), runId: id.slice(last + 1) };
}

/** Asks the server about every open Temporal workflow run in the events and emits the ends it reports. */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const events = options.events ?? readRunStore(options.store ?? process.env.RUNTRAIL_STORE ?? defaultStorePath());
  const started = new Map<string, RunEvent>();
  const ended = new Set<string>();
  for (const e of events) {
    if (e.instance.orchestrator !== TEMPORAL) continue;
    const key = `${e.instance.id}#${e.attempt}`;
    if (e.kind === 'start') started.set(key, e);
    else if (e.kind === 'end') ended.add(key);
  }
  const open = [...started.entries()].filter(([key]) => !ended.has(key)).map(([, e]) => e);
  const runs = open.filter((e) => e.instance.job === undefined);
  const report: ReconcileReport = { open: runs.length, closed: {}, stillRunning: 0, skipped: [] };
  const namespace = options.client.options.namespace;
  for (const run of runs) {
    const parsed = parseRunId(run.instance.id);
    if (!parsed) {
      report.skipped.push({ id: run.instance.id, reason: 'not a <namespace>/<workflowId>/<runId> id' });
      continue;
    }
    if (parsed.namespace !== namespace) {
      report.skipped.push({ id: run.instance.id, reason: `namespace ${parsed.namespace} (client is on ${namespace})` });
      continue;
    }
    let description: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>;
    try {
      description = await options.client.workflow.getHandle(parsed.workflowId, parsed.runId).describe();
    } catch (err) {
      report.skipped.push({ id: run.instance.id, reason: (err as Error).message });
      continue;
    }
    const outcome = STATUS[description.status.name];
    if (!outcome) {
      report.stillRunning++;
      continue;
    }
    const time = description.closeTime?.getTime() ?? Date.now();
    const end = (
      instance: InstanceRef,
      attempt: number,
      startTime: number,
      result: NonNullable<RunEvent['result']>,
      parent?: InstanceRef,
    ) => {
      const event: RunEvent = { kind: 'end', instance, attempt, time, startTime, result };
      if (parent) event.parent = parent;
      options.emitter.enqueue(event);
    };
    end(run.instance, run.attempt, run.time, { ...outcome, native: `${outcome.native} (reconciled)` });
    report.closed[outcome.status] = (report.closed[outcome.status] ?? 0) + 1;
    // Activities of this run still open cannot finish any more: they end with the run.
    for (const activity of open.filter((e) => e.instance.job !== undefined && e.parent?.id === run.instance.id)) {
      const status: RunStatus = outcome.status === 'terminated' || outcome.status === 'timed_out' ? outcome.status : 'cancelled';
      end(
        activity.instance,
        activity.attempt,
        activity.time,
        { status, native: `run ${description.status.name} (reconciled)` },
        activity.parent,
      );
    }
  }
  return report;
}
