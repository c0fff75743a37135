// @ts-check
// Workflows of the Temporal ETL example: extract → transform (a child workflow) → load into two outputs.

import { workflowLineage } from '@runtrail/temporal/workflow';
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

/** @type {any} */
const acts = proxyActivities({ startToCloseTimeout: '30s', retry: { initialInterval: '200ms', maximumAttempts: 3 } });

/** @param {string} day */
export async function etlPipeline(day) {
  workflowLineage.property('day', day);
  const rows = await acts.extract(day);
  const cleaned = await executeChild(transform, { args: [rows], workflowId: `${workflowInfo().workflowId}-transform` });
  await Promise.all([acts.loadWarehouse(cleaned), acts.loadLake(cleaned)]);
  workflowLineage.metric('rows', cleaned);
  return cleaned;
}

/** @param {number} rows */
export async function transform(rows) {
  return await acts.clean(rows);
}
