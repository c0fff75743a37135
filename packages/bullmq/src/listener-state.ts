// What the QueueListener remembers per job between events and across its own restarts: stored in Redis next to
// the checkpoint (one hash per queue), written in the same transaction, deleted when the job ends.
import type { InstanceRef } from '@runtrail/core';

/** Per-job state of the listener. */
export interface TrackedJob {
  ref: InstanceRef;
  parent?: InstanceRef;
  root?: InstanceRef;
  upstream?: InstanceRef[];
  /** Attempts started so far (the current one while active). */
  attempt: number;
  /** Stream time of the current attempt's start, while active. */
  activeSince?: number;
  /** A `queued` event was emitted. */
  queued?: boolean;
  maxAttempts?: number;
}

/** Redis keys of the listener for one queue. */
export function listenerKeys(
  prefix: string,
  queue: string,
): { events: string; checkpoint: string; jobs: string; lease: string; base: string } {
  const base = `${prefix}:${queue}`;
  return {
    base,
    events: `${base}:events`,
    checkpoint: `${base}:runtrail:checkpoint`,
    jobs: `${base}:runtrail:jobs`,
    lease: `${base}:runtrail:lease`,
  };
}

/** Epoch ms of a stream entry id (`<ms>-<seq>`). */
export function streamTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** Compares two stream ids. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
