// The emitter (DESIGN.md §5): what adapters hand events to. `enqueue` is synchronous, O(1) and cannot throw; it
// drops duplicates (sinks and listeners are at-least-once) and anything after an attempt's terminal event,
// appends to the spool, notifies subscribers and fans out to one Backend per transport.
import path from 'node:path';
import { attemptKey } from '../model/keys.js';
import type { RunEvent } from '../model/run-event.js';
import { BoundedMap, BoundedSet } from '../util/bounded.js';
import { Backend, type BackendLimits, zeroCounters } from './backend.js';
import { DeadLetterFile } from './dead-letter.js';
import { replayJournals } from './journal-replay.js';
import { notifyListeners } from './listeners.js';
import { quietLogger, safeLog } from './logger.js';
import { DISCARDING_WRITER, type EncodedEvent, type EncodedSink, type RecordSink } from './records.js';
import { Spool } from './spool.js';
import type { EmitterOptions, EmitterStats, Logger, RunEmitter } from './types.js';

/** Attempts (and heartbeat times) remembered for dedup and the immutability guard: 100 000 to 200 000 each. */
const MEMORY = 100_000;

/** Per attempt, which once-only kinds were accepted: one map lookup per event instead of one per key. */
const SEEN_BIT = { queued: 1, start: 2, end: 4 } as const;

/** Defaults of `EmitterOptions` (see its TSDoc). */
export const EMITTER_DEFAULTS = {
  maxQueueSize: 10_000,
  flushIntervalMillis: 1000,
  requestTimeoutMillis: 5000,
  maxConcurrentRequests: 2,
  circuitFailureThreshold: 5,
  circuitResetMillis: 30_000,
  spoolMaxBytes: 1024 ** 3,
} as const;

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${name} must be a positive number, got ${value}`);
  return v;
}

class Emitter implements RunEmitter, EncodedSink {
  readonly #backends: Backend[];
  /** attemptKey → SEEN_BIT flags (but the last attempt's, while it is `#last`). */
  readonly #attempts = new BoundedMap<string, number>(MEMORY);
  /**
   * The attempt of the last event admitted or refused, with its flags, written back to `#attempts` only when
   * another attempt comes: an attempt's events tend to come together (a short BullMQ attempt's start and end arrive
   * as one record), and a `Map` of 10⁵ keys costs ≈ 0.2 µs per lookup or insert here (cache misses; measured).
   * A table of typed arrays instead (a string hash in JS, open addressing) measured no better on the delivery
   * thread: hashing the key in JS costs what the misses it saves do.
   */
  #last: string | undefined;
  #lastSeen = 0;
  #lastDirty = false;
  /** `attemptKey@time` of accepted `running` events (distinct per time: a re-delivered heartbeat is dropped). */
  readonly #running = new BoundedSet(MEMORY);
  readonly #listeners = new Set<(event: RunEvent) => void>();
  readonly #spool: Spool | undefined;
  readonly #logger: Logger;
  #accepted = 0;
  #duplicates = 0;
  #afterTerminal = 0;
  #spoolDropped = 0;
  #closing: Promise<void> | undefined;
  /** Delivering the journals dead processes left beside the spool (flush and close wait for it). */
  #replaying: Promise<void> | undefined;
  #spoolClosed = false;

  constructor(options: EmitterOptions) {
    this.#logger = options.logger ?? quietLogger;
    const cwd = process.cwd();
    const deadLetters = new DeadLetterFile(options.deadLetterPath ?? path.join(cwd, '.runtrail', 'dead-letter.jsonl'), this.#logger);
    // The spool's root holds its slots, rescue files and the delivery threads' journals.
    const spoolRoot = options.spool && (options.spool.dir ?? path.join(cwd, '.runtrail', 'spool'));
    if (options.spool && spoolRoot) {
      this.#spool = Spool.open(
        spoolRoot,
        positiveInt('spool.maxBytes', options.spool.maxBytes, EMITTER_DEFAULTS.spoolMaxBytes),
        this.#logger,
      );
    }
    const names = new Set<string>();
    this.#backends = options.transports.map((transport) => {
      if (names.has(transport.name))
        throw new TypeError(`two transports are named ${JSON.stringify(transport.name)}; give each a distinct name`);
      names.add(transport.name);
      const limits: BackendLimits = {
        maxQueueSize: positiveInt('maxQueueSize', options.maxQueueSize, EMITTER_DEFAULTS.maxQueueSize),
        maxBatchSize: Math.min(positiveInt('maxBatchSize', options.maxBatchSize, transport.maxBatchSize), transport.maxBatchSize),
        flushIntervalMillis: positiveInt('flushIntervalMillis', options.flushIntervalMillis, EMITTER_DEFAULTS.flushIntervalMillis),
        requestTimeoutMillis: positiveInt('requestTimeoutMillis', options.requestTimeoutMillis, EMITTER_DEFAULTS.requestTimeoutMillis),
        maxConcurrentRequests: positiveInt('maxConcurrentRequests', options.maxConcurrentRequests, EMITTER_DEFAULTS.maxConcurrentRequests),
        circuitFailureThreshold: positiveInt(
          'circuitFailureThreshold',
          options.circuitFailureThreshold,
          EMITTER_DEFAULTS.circuitFailureThreshold,
        ),
        circuitResetMillis: positiveInt('circuitResetMillis', options.circuitResetMillis, EMITTER_DEFAULTS.circuitResetMillis),
        initialRetryDelayMillis: positiveInt('initialRetryDelayMillis', options.initialRetryDelayMillis, 200),
        maxRetryDelayMillis: positiveInt('maxRetryDelayMillis', options.maxRetryDelayMillis, 30_000),
      };
      return new Backend(transport, limits, this.#logger, deadLetters, this.#spool);
    });
    if (spoolRoot) {
      const accept = (event: RunEvent) => this.#accept(event);
      this.#replaying = replayJournals(spoolRoot, accept, () => !this.#spoolClosed, this.#logger).catch((err: unknown) =>
        safeLog(this.#logger, 'error', { err }, 'runtrail: could not deliver a journal left beside the spool'),
      );
    }
  }

  /** True when some backend is not direct now (Backend.direct): the event must go into the spool. */
  #needsSpool(): boolean {
    for (const backend of this.#backends) if (!backend.direct) return true;
    return false;
  }

  enqueue(event: RunEvent): void {
    if (!this.#closing) this.#accept(event);
  }

  /**
   * Takes an event as JSON text (EncodedSink): written as it is where every backend writes events' JSON directly
   * (`Transport.jsonLines`, the local store) and nobody listens; otherwise `build()` makes the event, once.
   */
  enqueueEncoded(encoded: EncodedEvent, build: () => RunEvent): void {
    if (this.#closing) return;
    try {
      if (!this.#admit(encoded.kind, encoded.attempt, encoded.time)) return;
      if (this.#listeners.size > 0 || !this.#allWriteJson()) {
        this.#deliver(build(), encoded.attempt, encoded.json);
        return;
      }
      this.#accepted++;
      for (const backend of this.#backends) backend.pushJson(encoded.kind, encoded.attempt, encoded.json, build);
    } catch (err) {
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not accept an event');
    }
  }

  /** True when every backend writes events' JSON text as it is, now (direct and `jsonLines`). */
  #allWriteJson(): boolean {
    for (const backend of this.#backends) if (!backend.direct || !backend.transport.jsonLines) return false;
    return true;
  }

  /** Takes one event (from the host, or from a journal being delivered while closing). */
  #accept(event: RunEvent): void {
    try {
      // One attempt key per event, shared by dedup, the immutability guard and every backend.
      const attempt = attemptKey(event);
      if (this.#admit(event.kind, attempt, event.time)) this.#deliver(event, attempt);
    } catch (err) {
      // Nothing may reach the host: a malformed event or an internal bug is logged, never thrown.
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not accept an event');
    }
  }

  /**
   * Dedup and the immutability guard: true when an event of `kind` for `attempt` at `time` is new, and records it.
   * One map lookup and one write-back per run of an attempt's events in a row, not per event (the hot path: string
   * keys in large hash tables are most of what accepting costs).
   */
  #admit(kind: RunEvent['kind'], attempt: string, time: number): boolean {
    const seen = attempt === this.#last ? this.#lastSeen : this.#recall(attempt);
    if (kind === 'running') {
      const key = `${attempt}@${time}`;
      if (this.#running.has(key)) {
        this.#duplicates++;
        return false;
      }
      if (seen & SEEN_BIT.end) {
        this.#afterTerminal++;
        return false;
      }
      this.#running.add(key);
      return true;
    }
    const bit = SEEN_BIT[kind];
    if (seen & bit) {
      this.#duplicates++;
      return false;
    }
    if (seen & SEEN_BIT.end) {
      this.#afterTerminal++;
      return false;
    }
    this.#lastSeen = seen | bit;
    this.#lastDirty = true;
    return true;
  }

  /** The flags of `attempt`, which becomes `#last` (the previous last one written back first, when it changed). */
  #recall(attempt: string): number {
    if (this.#lastDirty) this.#attempts.set(this.#last as string, this.#lastSeen);
    const seen = this.#attempts.get(attempt) ?? 0;
    this.#last = attempt;
    this.#lastSeen = seen;
    this.#lastDirty = false;
    return seen;
  }

  /** An admitted event to the spool (when a backend needs its copy), every backend and the listeners. */
  #deliver(event: RunEvent, attempt: string, json?: string): void {
    this.#accepted++;
    let pos: ReturnType<Spool['append']>;
    // Only a backend that is not direct needs the spool's copy: a direct one writes the event in this turn too
    // (serializing it then, not here: enqueue stays cheap).
    if (this.#spool && this.#needsSpool()) {
      // Serialized once: the spool line, and the store's line too (Transport.mapJson).
      json ??= JSON.stringify(event);
      pos = this.#spool.append(event, json);
      if (pos === undefined) {
        this.#spoolDropped++;
        return;
      }
    }
    for (const backend of this.#backends) backend.push(event, pos, attempt, json);
    if (this.#listeners.size > 0) this.#notify(event);
  }

  async flush(): Promise<void> {
    await this.#replaying;
    for (const b of this.#backends) b.hurry();
    this.#spool?.flushSync();
    await Promise.all(this.#backends.map((b) => b.whenIdle()));
    for (const b of this.#backends) b.saveProgress();
    this.#spool?.persist();
  }

  close(timeoutMillis = 5000): Promise<void> {
    this.#closing ??= this.#close(timeoutMillis);
    return this.#closing;
  }

  async #close(timeoutMillis: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      // Not unref'd: a process awaiting close() must live until delivery ends or the timeout passes.
      timer = setTimeout(() => resolve('timeout'), timeoutMillis);
    });
    const outcome = await Promise.race([this.flush().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    for (const b of this.#backends) b.abort();
    // Let aborted requests settle so their events are counted as undelivered, not lost.
    await new Promise((r) => setImmediate(r));
    for (const b of this.#backends) b.saveProgress();
    const left = this.#backends.filter((b) => b.undelivered > 0).map((b) => `${b.transport.name}: ${b.undelivered}`);
    if (left.length > 0) {
      safeLog(
        this.#logger,
        'warn',
        { undelivered: left, spool: this.#spool?.dir, timedOut: outcome === 'timeout' },
        this.#spool
          ? 'runtrail: closed with events undelivered; they stay in the spool and are sent on the next start'
          : 'runtrail: closed with events undelivered (no spool): they are lost',
      );
    }
    this.#spoolClosed = true;
    this.#spool?.close();
    await Promise.all(
      this.#backends.map(async (b) => {
        try {
          await b.transport.close?.();
        } catch (err) {
          safeLog(this.#logger, 'warn', { err, transport: b.transport.name }, 'runtrail: transport close failed');
        }
      }),
    );
  }

  stats(): EmitterStats {
    const backends: EmitterStats['backends'] = {};
    const total = { ...zeroCounters(), dropped: this.#spoolDropped };
    for (const b of this.#backends) {
      backends[b.transport.name] = { ...b.stats };
      total.queued += b.stats.queued;
      total.inFlight += b.stats.inFlight;
      total.sent += b.stats.sent;
      total.retried += b.stats.retried;
      total.dropped += b.stats.dropped;
      total.deadLettered += b.stats.deadLettered;
      total.spooled = Math.max(total.spooled, b.stats.spooled);
    }
    return { ...total, accepted: this.#accepted, duplicates: this.#duplicates, afterTerminal: this.#afterTerminal, backends };
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(event: RunEvent): void {
    notifyListeners(this.#listeners, event, this.#logger);
  }
}

/**
 * Creates the delivery engine over `options.transports`.
 * @throws TypeError for invalid limits or duplicate transport names (at construction, never at enqueue)
 */
export function createEmitter(options: EmitterOptions): RunEmitter {
  return new Emitter(options);
}

/** Stats of an emitter that has seen nothing. */
export function emptyStats(): EmitterStats {
  return { ...zeroCounters(), accepted: 0, duplicates: 0, afterTerminal: 0, backends: {} };
}

/** An emitter that accepts and discards everything at no cost (the `RUNTRAIL_DISABLED` kill switch). */
export function disabledEmitter(): RunEmitter & RecordSink {
  return {
    enqueue() {},
    // Adapters' compact records are discarded too, without being decoded.
    openRecords: () => DISCARDING_WRITER,
    flush: async () => {},
    close: async () => {},
    stats: emptyStats,
    onEvent: () => () => {},
  };
}
