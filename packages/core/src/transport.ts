// The contract between the delivery engine and a backend: map neutral events to wire items (pure, may
// keep per-process state such as "templates already sent"), and send one batch per call (one try: the
// engine owns retries, ordering, batching and the spool).
import type { RunEvent } from './model/run-event.js';

/** A backend the emitter delivers to. `W` is its wire item (an MCP, an OpenLineage event, a JSON line). */
export interface Transport<W = unknown> {
  /** Stable name, used in stats, logs and spool progress files (e.g. `datahub`, `openlineage`, `file`). */
  readonly name: string;
  /** Most wire items one `send` may carry. */
  readonly maxBatchSize: number;
  /** Most bytes (sum of `sizeOf`) one `send` may carry. */
  readonly maxBatchBytes: number;
  /** Neutral event → wire items, in the order they must be sent. Must not throw for valid events. */
  map(event: RunEvent): W[];
  /**
   * Optional: `map` given the event's JSON text as well (`JSON.stringify(event)`), which the engine already has when
   * a spool is on — transports that write exactly that (the local store) reuse it instead of serializing again.
   */
  mapJson?(event: RunEvent, json: string): W[];
  /**
   * Optional: true when this transport's wire item for an event is exactly its JSON text (`mapJson` returns
   * `[json]`), so the engine may write events it holds only as JSON without building them (with `writeNow`: the
   * local store). Default false.
   */
  readonly jsonLines?: boolean;
  /** Serialized size of one wire item in bytes, for batching. */
  sizeOf(item: W): number;
  /**
   * Sends one batch, one try. Resolves when the backend accepted all of it; rejects with a
   * `DeliveryError` (retryable or not) otherwise.
   */
  send(batch: W[], signal?: AbortSignal): Promise<void>;
  /**
   * Optional, for a local file (the store): writes `items` now, synchronously, throwing on failure. The engine then
   * writes this transport's events once per event-loop turn, as the spool writes its own, instead of queueing and
   * batching them: each is on disk as soon as the spool's copy would be, so the spool need not keep one for it. When
   * it throws, those events and the ones after them take the ordinary way (spool, queue, `send` with retries) until
   * that has caught up.
   */
  writeNow?(items: W[]): void;
  /** Releases connections. */
  close?(): Promise<void>;
}
