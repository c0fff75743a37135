// @runtrail/temporal/workflow: what workflow code may import (sandbox-safe: @temporalio/workflow and types only).
export { workflowLineage } from './lineage.js';
export type { DeclaredLineage, RuntrailContextHeader, RuntrailSinks, WorkflowRunRef, WorkflowSinkEvent } from './types.js';
export { RUNTRAIL_HEADER } from './types.js';
