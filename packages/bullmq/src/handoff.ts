// Cross-orchestrator hand-offs: the producer's run travels in the job's data under one reserved key, so the job's
// instance can name it as upstream (DESIGN.md §3) whichever process runs the job.
import type { InstanceRef } from '@runtrail/core';

/** Key in job data that carries the producing run (set by `addJob` / `addFlow`). */
export const HANDOFF_KEY = '__runtrail';

/** The value stored under `HANDOFF_KEY`. */
export interface Handoff {
  /** The run that enqueued this job. */
  upstream: InstanceRef;
  /** The root of the producer's chain. */
  root?: InstanceRef;
}

/** Reads a hand-off from job data, if it is there and well-formed. */
export function handoffOf(data: unknown): Handoff | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const h = (data as Record<string, unknown>)[HANDOFF_KEY] as Handoff | undefined;
  if (!h || typeof h !== 'object' || typeof h.upstream?.id !== 'string' || typeof h.upstream?.orchestrator !== 'string') return undefined;
  return h;
}
