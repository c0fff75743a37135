// @ts-check
// Workflow of the hand-off example: builds the daily report, then publishes it through BullMQ.
import { proxyActivities } from '@temporalio/workflow';

/** @type {any} */
const acts = proxyActivities({ startToCloseTimeout: '30s' });

export async function dailyReport() {
  await acts.buildReport();
  return await acts.publishReport();
}
