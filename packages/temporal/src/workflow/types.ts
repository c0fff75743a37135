// What crosses the workflow sandbox boundary: the sink's shape, the plain events workflow code emits through it,
// and the context header. Types and constants only — this file is bundled into every workflow.
import type { DatasetRef } from '@runtrail/core/model';
import type { Sinks } from '@temporalio/workflow';

/** Header that carries parent and root run context to activities and child workflows. */
export const RUNTRAIL_HEADER = '_runtrail';

/** A workflow run, as much as is needed to rebuild its InstanceRef on the worker side. */
export interface WorkflowRunRef {
  namespace: string;
  workflowType: string;
  workflowId: string;
  runId: string;
}

/** How a workflow run was started, when runtrail saw it (client interceptor) or can tell (schedule, parent). */
export type WorkflowTrigger = 'client' | 'signal-with-start' | 'schedule' | 'parent' | 'cron' | 'continued';

/** The header value: who started this work, the root of the chain, and how a workflow was started. */
export interface RuntrailContextHeader {
  parent?: WorkflowRunRef;
  /** Absent when a client (not a run) started the workflow: the run is then its own root. */
  root?: WorkflowRunRef;
  trigger?: WorkflowTrigger;
}

/** Lineage declared for a run: datasets, properties and metrics. */
export interface DeclaredLineage {
  inputs?: DatasetRef[];
  outputs?: DatasetRef[];
  properties?: Record<string, string>;
  metrics?: Record<string, number>;
}

/** Outcome words the workflow side can observe itself. */
export type WorkflowOutcome = 'success' | 'failure' | 'cancelled' | 'timed_out';

/** Plain, structured-cloneable events workflow code hands to the sink (times are workflow time, replay-safe). */
export type WorkflowSinkEvent =
  | { type: 'workflowStart'; time: number; context?: RuntrailContextHeader; lineage?: DeclaredLineage }
  | {
      type: 'workflowEnd';
      time: number;
      startTime: number;
      status: WorkflowOutcome;
      native?: string;
      error?: { message: string; type?: string };
      context?: RuntrailContextHeader;
      lineage?: DeclaredLineage;
    }
  | {
      type: 'activityFinal';
      time: number;
      activityId: string;
      activityType: string;
      local: boolean;
      status: WorkflowOutcome;
      native?: string;
      error?: { message: string; type?: string };
    };

/** The sink workflow code calls (`proxySinks<RuntrailSinks>().runtrail.emit(event)`). */
export interface RuntrailSinks extends Sinks {
  runtrail: { emit(event: WorkflowSinkEvent): void };
}
