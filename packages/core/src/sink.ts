// What adapters hand events to. The delivery engine's Emitter implements it; tests may capture with it.
import type { RunEvent } from './model/run-event.js';

/** Receiver of neutral run events. `enqueue` is synchronous and never throws. */
export interface RunEventSink {
  /** Hands one event over. Synchronous, O(1), never throws, never blocks on a backend. */
  enqueue(event: RunEvent): void;
  /** Resolves when everything enqueued so far was delivered, spooled or reported. */
  flush(): Promise<void>;
  /** Flushes and releases resources; waits at most `timeoutMillis` (default 5000). Idempotent. */
  close(timeoutMillis?: number): Promise<void>;
}
