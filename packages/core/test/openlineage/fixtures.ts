// The reference §9 scenario as neutral events: Temporal namespace `default`, workflow `order-sync-42`
// (OrderSyncWorkflow), activity `3` (loadOrders), OpenLineage job namespace `temporal-prod`.
import type { InstanceRef, RunEvent } from '../../src/model/run-event.js';
import { postgresDataset, s3Dataset } from '../../src/openlineage/naming.js';

export const T0 = Date.parse('2026-08-20T12:00:00Z');
export const PRODUCER = 'https://github.com/acme/openlineage-temporal/tree/0.1.0';

/**
 * The workflow run. §9 derived its id with §8.1's string; runtrail uses a Temporal runId as is (DESIGN.md §3),
 * so the scenario passes §9's id as the instance's `runUuid`.
 */
export const workflow: InstanceRef = {
  orchestrator: 'temporal',
  cluster: 'prod',
  flow: 'OrderSyncWorkflow',
  id: 'default/order-sync-42/7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11',
  runUuid: '01a01f0a-da00-7a84-a073-277f1f550af1',
  createdAt: T0,
};

/** The activity: its per-attempt run id is derived (first scheduled at 12:00:01Z). */
export const activity: InstanceRef = {
  orchestrator: 'temporal',
  cluster: 'prod',
  flow: 'OrderSyncWorkflow',
  job: 'loadOrders',
  id: 'default/order-sync-42/7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11/3',
  createdAt: T0 + 1000,
};

export const orders = postgresDataset({ host: 'orders-db.internal', database: 'shop', schema: 'public', table: 'orders' });
export const rawOrders = s3Dataset({ bucket: 'acme-lake', key: 'raw/orders/2026-08-20.parquet' });

export const activityStart: RunEvent = {
  kind: 'start',
  instance: activity,
  attempt: 1,
  maxAttempts: 3,
  time: Date.parse('2026-08-20T12:00:01.250Z'),
  parent: workflow,
  root: workflow,
  inputs: [orders],
  outputs: [rawOrders],
};

export const activityComplete: RunEvent = {
  kind: 'end',
  instance: activity,
  attempt: 1,
  maxAttempts: 3,
  time: Date.parse('2026-08-20T12:00:07.912Z'),
  startTime: activityStart.time,
  parent: workflow,
  root: workflow,
  result: { status: 'success' },
  inputs: [orders],
  outputs: [rawOrders],
};

export const activityFail: RunEvent = {
  kind: 'end',
  instance: activity,
  attempt: 1,
  maxAttempts: 3,
  time: Date.parse('2026-08-20T12:00:04.031Z'),
  parent: workflow,
  root: workflow,
  result: {
    status: 'failure',
    error: {
      message: 'ApplicationFailure: connection refused (orders-db.internal:5432)',
      type: 'ApplicationFailure',
      stack: 'ApplicationFailure: connection refused\n    at loadOrders (src/activities/orders.ts:42:11)',
    },
  },
  inputs: [orders],
};

export const workflowStart: RunEvent = {
  kind: 'start',
  instance: workflow,
  attempt: 1,
  time: T0,
  nominalTime: T0,
  type: 'BATCH_SCHEDULED',
};
