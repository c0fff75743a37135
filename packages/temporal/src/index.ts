// @runtrail/temporal: run history and lineage for Temporal workers, in one plugin line.

export { classifyActivityError, RuntrailActivityInbound } from './activity-interceptor.js';
export type { ActivityLineage } from './activity-lineage.js';
export { activityLineage } from './activity-lineage.js';
export { RuntrailClientInterceptor } from './client-interceptor.js';
export { activityRef, TEMPORAL, temporalUiUrl, workflowRunRef } from './identity.js';
export type { RuntrailPluginOptions, StaticLineage } from './options.js';
export { RuntrailPlugin, WORKFLOW_INTERCEPTORS_MODULE } from './plugin.js';
export type { ReconcileOptions, ReconcileReport } from './reconcile.js';
export { reconcile } from './reconcile.js';
export type { ActivityExecution } from './recorder.js';
export { Recorder } from './recorder.js';
