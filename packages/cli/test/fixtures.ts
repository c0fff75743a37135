// A small store covering what the commands must show: a Temporal run with a retried activity and a child, a
// BullMQ flow handed off from an activity, a failure, an open run, and a parent cycle (corrupt or hand-made data).
import type { InstanceRef, RunEvent } from '@runtrail/core';

const T = 1_760_000_000_000;
const wf: InstanceRef = {
  orchestrator: 'temporal',
  cluster: 'prod',
  flow: 'etl',
  id: 'default/etl-1/run-a',
  runUuid: '01a20f3b-0000-7000-8000-000000000001',
};
const act: InstanceRef = { ...wf, job: 'clean', id: `${wf.id}/1`, runUuid: undefined, createdAt: T };
const child: InstanceRef = { orchestrator: 'temporal', cluster: 'prod', flow: 'transform', id: 'default/etl-1-t/run-b' };
const job: InstanceRef = { orchestrator: 'bullmq', cluster: 'prod', flow: 'notify', job: 'send', id: `bull/notify/7/${T}`, createdAt: T };
const broken: InstanceRef = {
  orchestrator: 'bullmq',
  cluster: 'prod',
  flow: 'notify',
  job: 'fail',
  id: `bull/notify/8/${T}`,
  createdAt: T,
};
const cycleA: InstanceRef = { orchestrator: 'bullmq', cluster: 'prod', flow: 'loop', job: 'a', id: 'bull/loop/a/1', createdAt: T };
const cycleB: InstanceRef = { orchestrator: 'bullmq', cluster: 'prod', flow: 'loop', job: 'b', id: 'bull/loop/b/1', createdAt: T };
const orders = { platform: 'postgres', name: 'shop.orders', namespace: 'postgres://db:5432' };
const lake = { platform: 's3', name: 'lake/orders', namespace: 's3://lake' };

export const FIXTURE_EVENTS: RunEvent[] = [
  { kind: 'start', instance: wf, attempt: 1, time: T, root: wf },
  { kind: 'start', instance: act, attempt: 1, time: T + 10, parent: wf, root: wf, inputs: [orders] },
  {
    kind: 'end',
    instance: act,
    attempt: 1,
    time: T + 20,
    startTime: T + 10,
    parent: wf,
    root: wf,
    result: { status: 'retry', error: { message: 'bucket unavailable' } },
  },
  { kind: 'start', instance: act, attempt: 2, time: T + 230, parent: wf, root: wf },
  {
    kind: 'end',
    instance: act,
    attempt: 2,
    time: T + 260,
    startTime: T + 230,
    parent: wf,
    root: wf,
    outputs: [lake],
    result: { status: 'success' },
  },
  { kind: 'start', instance: child, attempt: 1, time: T + 300, parent: wf, root: wf },
  { kind: 'queued', instance: job, attempt: 1, time: T + 400 },
  { kind: 'start', instance: job, attempt: 1, time: T + 410, upstream: [act], inputs: [lake] },
  { kind: 'end', instance: job, attempt: 1, time: T + 450, startTime: T + 410, upstream: [act], result: { status: 'success' } },
  { kind: 'start', instance: broken, attempt: 1, time: T + 500 },
  {
    kind: 'end',
    instance: broken,
    attempt: 1,
    time: T + 510,
    startTime: T + 500,
    result: { status: 'failure', error: { message: 'smtp refused' } },
  },
  { kind: 'end', instance: wf, attempt: 1, time: T + 1000, startTime: T, root: wf, result: { status: 'success' } },
  { kind: 'start', instance: cycleA, attempt: 1, time: T + 600, parent: cycleB },
  { kind: 'start', instance: cycleB, attempt: 1, time: T + 601, parent: cycleA },
];
