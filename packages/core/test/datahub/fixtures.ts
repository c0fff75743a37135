// The example scenario of reference/datahub.md §3.6 as neutral events: Temporal workflow `order-workflow`, run
// `order-42/0193c0a2-…`, activity `chargeCard` reading a Postgres table and writing an S3 prefix.
import type { DatasetRef, InstanceRef, RunEvent } from '../../src/model/run-event.js';

export const T0 = 1705312800000;
export const WORKFLOW: InstanceRef = {
  orchestrator: 'temporal',
  cluster: 'prod',
  flow: 'order-workflow',
  id: 'order-42/0193c0a2-5b7e-7c1d-8e9f-1a2b3c4d5e6f',
};
export const ACTIVITY: InstanceRef = { ...WORKFLOW, job: 'chargeCard', id: `${WORKFLOW.id}/chargeCard`, createdAt: T0 };
export const ORDERS: DatasetRef = { platform: 'postgres', name: 'shop.public.orders' };
export const RECEIPTS: DatasetRef = { platform: 's3', name: 'receipts/2024' };

export const activityStart: RunEvent = {
  kind: 'start',
  instance: ACTIVITY,
  attempt: 1,
  time: T0,
  parent: WORKFLOW,
  inputs: [ORDERS],
  outputs: [RECEIPTS],
  properties: { workflowId: 'order-42', runId: '0193c0a2-5b7e-7c1d-8e9f-1a2b3c4d5e6f', taskQueue: 'payments' },
  type: 'BATCH_SCHEDULED',
  url: 'http://temporal-ui:8080/namespaces/default/workflows/order-42/0193c0a2-5b7e-7c1d-8e9f-1a2b3c4d5e6f/history',
};

export const activityEnd: RunEvent = {
  kind: 'end',
  instance: ACTIVITY,
  attempt: 1,
  time: T0 + 5250,
  startTime: T0,
  parent: WORKFLOW,
  result: { status: 'success' },
};
