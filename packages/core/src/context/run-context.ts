// The run the current code executes inside, across orchestrators: an adapter runs user code (a Temporal
// activity, a BullMQ processor) inside `runWithContext`, and producer helpers anywhere below read it with
// `currentRun` to link the work they hand off (DESIGN.md §3, cross-orchestrator hand-off). Node-only: the
// workflow sandbox carries its context in headers instead.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { InstanceRef } from '../model/run-event.js';

/** What code running inside a tracked run may know about it. */
export interface RunContext {
  /** The instance being executed (with `attempt` set to the current attempt). */
  instance: InstanceRef;
  /** The root of its chain of parents; the instance itself when it has no parent. */
  root: InstanceRef;
}

// One store per process even with several copies of @runtrail/core installed, so that a Temporal adapter
// built against one copy and a BullMQ helper built against another still see each other's context.
const STORE_KEY = Symbol.for('runtrail.runContext');
const globalSlot = globalThis as { [STORE_KEY]?: AsyncLocalStorage<RunContext> };
const storage: AsyncLocalStorage<RunContext> = globalSlot[STORE_KEY] ?? new AsyncLocalStorage<RunContext>();
globalSlot[STORE_KEY] = storage;

/** Runs `fn` with `context` as the current run; returns what `fn` returns (sync or a promise). */
export function runWithContext<T>(context: RunContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The run the calling code executes inside, or `undefined` outside any tracked run. */
export function currentRun(): RunContext | undefined {
  return storage.getStore();
}
