// @ts-check
// Workflows of the Temporal bench: one with a single activity (workflows/s), one with many in sequence
// (per-activity overhead).
import { proxyActivities } from '@temporalio/workflow';

/** @type {any} */
const acts = proxyActivities({ startToCloseTimeout: '30s' });

export async function oneActivity() {
  return await acts.step(1);
}

/** @param {number} n */
export async function manyActivities(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await acts.step(i);
  return sum;
}
