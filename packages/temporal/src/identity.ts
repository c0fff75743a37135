// Identity of Temporal executions (DESIGN.md §3), a public contract: a workflow run is
// (temporal, cluster, `<namespace>/<workflowId>/<runId>`), an activity execution adds `/<activityId>`. Every
// process that sees the execution — workflow worker, activity worker, reconciler — derives the same refs here.
import type { InstanceRef } from '@runtrail/core';
import type { WorkflowRunRef } from './workflow/types.js';

/** The orchestrator id of Temporal runs. */
export const TEMPORAL = 'temporal';

/** The InstanceRef of a workflow run; `runUuid` is the Temporal runId (its OpenLineage run id). */
export function workflowRunRef(cluster: string, run: WorkflowRunRef, createdAt?: number): InstanceRef {
  const ref: InstanceRef = {
    orchestrator: TEMPORAL,
    cluster,
    flow: run.workflowType,
    id: `${run.namespace}/${run.workflowId}/${run.runId}`,
    runUuid: run.runId,
  };
  if (createdAt !== undefined) ref.createdAt = createdAt;
  return ref;
}

/** The InstanceRef of an activity execution (all its attempts) within a workflow run. */
export function activityRef(
  cluster: string,
  run: WorkflowRunRef,
  activityType: string,
  activityId: string,
  scheduledAt?: number,
): InstanceRef {
  const ref: InstanceRef = {
    orchestrator: TEMPORAL,
    cluster,
    flow: run.workflowType,
    job: activityType,
    id: `${run.namespace}/${run.workflowId}/${run.runId}/${activityId}`,
  };
  if (scheduledAt !== undefined) ref.createdAt = scheduledAt;
  return ref;
}

/** A link to a workflow run in the Temporal UI, when `uiUrl` is configured. */
export function temporalUiUrl(
  uiUrl: string | undefined,
  run: Pick<WorkflowRunRef, 'namespace' | 'workflowId' | 'runId'>,
): string | undefined {
  if (!uiUrl) return undefined;
  const base = uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(run.namespace)}/workflows/${encodeURIComponent(run.workflowId)}/${encodeURIComponent(run.runId)}/history`;
}
