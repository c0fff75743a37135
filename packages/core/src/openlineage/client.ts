// A thin, awaited OpenLineage client for direct use (scripts, backfills): retries with `withRetries` and holds a
// run's terminal event until its START was accepted or finally failed, like the Python async transport
// (reference/openlineage.md §4.2, PR #4694). Hooks should hand events to the delivery engine instead.
import { type RetryOptions, withRetries } from '../http/retry.js';
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';
import type { OpenLineageRunEvent } from './types.js';

/** Options of `OpenLineageClient`. */
export interface OpenLineageClientOptions {
  /** Where events go, e.g. an `OpenLineageTransport`. */
  transport: Transport<OpenLineageRunEvent>;
  /** Retry policy per event. Default `withRetries`' (4 retries, 200 ms initial backoff, doubling, jittered). */
  retry?: RetryOptions;
}

const TERMINAL = new Set(['COMPLETE', 'FAIL', 'ABORT']);

/** Sends OpenLineage events one by one, awaiting each, with retries and per-run START-before-terminal order. */
export class OpenLineageClient {
  readonly #transport: Transport<OpenLineageRunEvent>;
  readonly #retry: RetryOptions;
  /** runId → settles when that run's START was accepted or finally failed. */
  readonly #starts = new Map<string, Promise<void>>();

  constructor(options: OpenLineageClientOptions) {
    this.#transport = options.transport;
    this.#retry = options.retry ?? {};
  }

  /**
   * Sends one event, retrying retryable failures. A COMPLETE, FAIL or ABORT first waits for its run's START
   * still in flight (accepted or finally failed: the terminal event is attempted either way).
   * Rejects with the last DeliveryError when the event could not be delivered.
   */
  async emit(event: OpenLineageRunEvent): Promise<void> {
    const runId = event.run.runId;
    if (TERMINAL.has(event.eventType)) await this.#starts.get(runId);
    const sending = withRetries(() => this.#transport.send([event]), this.#retry);
    if (event.eventType !== 'START') return sending;
    const settled = sending.then(
      () => undefined,
      () => undefined,
    );
    this.#starts.set(runId, settled);
    try {
      await sending;
    } finally {
      if (this.#starts.get(runId) === settled) this.#starts.delete(runId);
    }
  }

  /** Maps a neutral event with the transport's mapper and emits the result. */
  async emitRunEvent(event: RunEvent): Promise<void> {
    for (const ol of this.#transport.map(event)) await this.emit(ol);
  }

  /** Closes the transport. */
  async close(): Promise<void> {
    await this.#transport.close?.();
  }
}
