// Identity of BullMQ jobs (DESIGN.md §3), a public contract shared by the in-process hooks, the listener and the
// producer helpers: a job is (bullmq, cluster, `<prefix>/<queue>/<jobId>/<job.timestamp>`) — the creation time
// makes a re-added custom id a new run. Flow = queue (a prefix other than `bull` goes into it), job = job name.
import type { InstanceRef } from '@runtrail/core';

/** The orchestrator id of BullMQ runs. */
export const BULLMQ = 'bullmq';
/** BullMQ's default key prefix. */
export const DEFAULT_PREFIX = 'bull';

/** What identifies a job: enough to rebuild its InstanceRef anywhere. */
export interface JobCoordinates {
  prefix: string;
  queue: string;
  jobId: string;
  /** `job.timestamp`: creation time, epoch ms. */
  timestamp: number;
  /** `job.name`. */
  name: string;
}

/** The DataFlow id of a queue: its name, with the prefix in front when it is not BullMQ's default. */
export function queueFlow(prefix: string, queue: string): string {
  return prefix === DEFAULT_PREFIX ? queue : `${prefix}:${queue}`;
}

/** The InstanceRef of a job (all its attempts). */
export function jobRef(cluster: string, c: JobCoordinates, scheduler?: string): InstanceRef {
  return {
    orchestrator: BULLMQ,
    cluster,
    flow: queueFlow(c.prefix, c.queue),
    // Runs of a job scheduler are grouped under it (one DataJob per scheduler).
    job: scheduler ? `scheduler:${scheduler}` : c.name,
    id: `${c.prefix}/${c.queue}/${c.jobId}/${c.timestamp}`,
    createdAt: c.timestamp,
  };
}

/** Splits a queue key `<prefix>:<queue>` (prefixes may contain `:`; queue names cannot be told apart otherwise, so the last segment is the queue). */
export function splitQueueKey(queueKey: string): { prefix: string; queue: string } {
  const i = queueKey.lastIndexOf(':');
  return i <= 0 ? { prefix: DEFAULT_PREFIX, queue: queueKey } : { prefix: queueKey.slice(0, i), queue: queueKey.slice(i + 1) };
}
