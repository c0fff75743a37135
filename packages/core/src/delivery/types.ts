// The public contract of the delivery engine (DESIGN.md §5): what adapters and applications hold. The
// implementation lives next to it (emitter.ts, spool, breaker…); adapters depend only on these types.
import type { RunEvent } from '../model/run-event.js';
import type { RunEventSink } from '../sink.js';
import type { Transport } from '../transport.js';

/** A pino-compatible logger (each method takes an object and/or a message). Default: quiet. */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Counters for one backend (one transport). Monotonic except `queued`, `inFlight` and `spooled`. */
export interface BackendStats {
  /** Events waiting in memory for this backend. */
  queued: number;
  /** Wire items currently in requests. */
  inFlight: number;
  /** Events the backend accepted. */
  sent: number;
  /** Requests repeated after a retryable failure. */
  retried: number;
  /** Events dropped (queue overflow, spool cap), never silently: each is counted here. */
  dropped: number;
  /** Events the backend refused for good (4xx), written to the dead-letter file. */
  deadLettered: number;
  /** Events held in the durable spool, not yet delivered. */
  spooled: number;
  /** `closed` (healthy), `open` (backend considered down, probing), `half-open` (probe in flight). */
  circuit: 'closed' | 'open' | 'half-open';
}

/** `stats()` of an emitter: totals over backends plus each backend by transport name. */
export interface EmitterStats extends Omit<BackendStats, 'circuit'> {
  /** Events `enqueue` accepted (after dedup and the immutability guard). */
  accepted: number;
  /** Events `enqueue` ignored as duplicates of an event key already seen. */
  duplicates: number;
  /** Events `enqueue` ignored because their attempt had already ended. */
  afterTerminal: number;
  backends: Record<string, BackendStats>;
}

/**
 * What adapters and applications hold: a `RunEventSink` with stats and live updates. `enqueue` is
 * synchronous, O(1), never throws and never waits for a backend.
 */
export interface RunEmitter extends RunEventSink {
  stats(): EmitterStats;
  /** Calls `listener` with every accepted event (after dedup), synchronously; its errors are logged. Returns an unsubscribe function. */
  onEvent(listener: (event: RunEvent) => void): () => void;
}

/** Where an emitter keeps events durably until every transport delivered them. */
export interface SpoolOptions {
  /** Directory of the spool files. Default `.runtrail/spool` under the working directory. */
  dir?: string;
  /** Cap on spool size on disk, in bytes; beyond it new events are dropped (counted in `dropped`, logged once) until backends catch up. Default 1 GiB. */
  maxBytes?: number;
}

/** Options of `createEmitter`. Every limit is per backend unless said otherwise. */
export interface EmitterOptions {
  /** Backends to deliver to. An emitter with none accepts and discards (counted as sent nowhere). */
  transports: Transport[];
  /** Most events held in memory per backend before the overflow policy drops. Default 10 000. */
  maxQueueSize?: number;
  /** Most wire items per request; capped by the transport's own `maxBatchSize`. Default the transport's. */
  maxBatchSize?: number;
  /** Longest time an event waits for a batch to fill, in milliseconds. Default 1000. */
  flushIntervalMillis?: number;
  /** Timeout of one request, in milliseconds. Default 5000. */
  requestTimeoutMillis?: number;
  /** Requests in flight per backend. Default 2. */
  maxConcurrentRequests?: number;
  /** Delay before the first retry of a failed request, in milliseconds (then doubling, with jitter). Default 200. */
  initialRetryDelayMillis?: number;
  /** Longest delay between retries, in milliseconds (a longer `Retry-After` wins). Default 30 000. */
  maxRetryDelayMillis?: number;
  /** Consecutive failed requests that open the circuit (then one probe per `circuitResetMillis`). Retryable failures are retried without limit: nothing is given up while the backend may come back. Default 5. */
  circuitFailureThreshold?: number;
  /** Wait before a probe request on an open circuit, in milliseconds. Default 30 000. */
  circuitResetMillis?: number;
  /** Durable spool; `false` keeps events in memory only. Default `false` (adapters turn it on for workers). */
  spool?: SpoolOptions | false;
  /** JSONL file for events a backend refused (4xx), with its answer (tokens redacted). Default `.runtrail/dead-letter.jsonl`. */
  deadLetterPath?: string;
  /** Logger; default quiet. */
  logger?: Logger;
}

/** Options of `emitterFromEnv`: the environment decides the transports, these tune the rest. */
export interface EmitterFromEnvOptions extends Omit<EmitterOptions, 'transports'> {
  /** Environment to read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths resolve against. Default `process.cwd()`. */
  cwd?: string;
  /** Extra transports to add to those the environment configures. */
  transports?: Transport[];
  /**
   * Run delivery — dedup, spool, batching, JSON, HTTP and file I/O — on a worker thread, so the host's event loop
   * only writes each event into shared memory (its JSON, ≈ 1 µs; adapters' compact records ≈ 0.2 µs; instead of
   * ≈ 5–8 µs for delivery in the host). Ignored with extra `transports` (objects cannot move to another thread) and
   * when `RUNTRAIL_DELIVERY_THREAD=off`. With the thread, an event reaches the spool a few milliseconds after
   * `enqueue` (≈ 30 ms when the host is idle; up to `maxDeferMillis` while it is busy) instead of by the end of the
   * current event-loop turn.
   * Default `false`; the Temporal and BullMQ adapters' default emitters turn it on.
   */
  deliveryThread?: boolean;
  /**
   * With the delivery thread: while the thread that enqueues is busy (on a CPU ≥ 25% of the last 100 ms; Linux) or
   * a backend's queue is half full, the delivery thread leaves events waiting for up to this long, in milliseconds,
   * so that runtrail's work falls in the host's idle time rather than competing with a burst of jobs; then it delivers
   * whatever the load. Deferred events are journaled beside the spool, so a killed process loses none. 0 never waits.
   * Env `RUNTRAIL_MAX_DEFER_MILLIS`. Default 2000.
   */
  maxDeferMillis?: number;
  /**
   * With the delivery thread, on Linux: its niceness, 0 (the host's priority) to 19 (the lowest). Above 0 the kernel
   * runs the host's threads (and a Redis or database on the same machine) first and delivery in the gaps; while the
   * thread falls behind (its record ring half full) it goes back to the host's priority where the OS allows that
   * (CAP_SYS_NICE or RLIMIT_NICE), else it stays lowered and says so once. 0 for hosts that keep every core busy for
   * long at high event rates. Env `RUNTRAIL_DELIVERY_THREAD_NICE`. Default 10.
   */
  deliveryThreadNice?: number;
}
