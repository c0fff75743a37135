// Keys that identify instances, attempts and events across processes: the emitter dedups and orders by them.
import type { InstanceRef, RunEvent } from './run-event.js';

/** `orchestrator|cluster|id`: one instance, whatever process saw it. */
export function instanceKey(ref: InstanceRef): string {
  return `${ref.orchestrator}|${ref.cluster}|${ref.id}`;
}

/** `instanceKey#attempt`: the unit of per-run ordering and of immutability. */
export function attemptKey(event: Pick<RunEvent, 'instance' | 'attempt'>): string {
  return `${instanceKey(event.instance)}#${event.attempt}`;
}

/**
 * Dedup key of an event. `start`, `end` and `queued` happen once per attempt; `running` events are
 * distinct per time, so a re-delivered heartbeat is dropped but the next one is kept.
 */
export function eventKey(event: RunEvent): string {
  const base = `${attemptKey(event)}:${event.kind}`;
  return event.kind === 'running' ? `${base}@${event.time}` : base;
}

/** True for the event that closes an attempt. */
export function isTerminal(event: RunEvent): boolean {
  return event.kind === 'end';
}
