// One transport's side of the emitter: its queue, batching, per-run ordering, retries with backoff and
// Retry-After, circuit breaker, dead letters, overflow policy and spool progress. The emitter fans accepted
// events out to one Backend per transport; each Backend delivers at its own pace and never blocks the others.
import { isDeliveryError } from '../errors.js';
import { backoffDelayMillis } from '../http/backoff.js';
import { attemptKey } from '../model/keys.js';
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';
import { BoundedSet } from '../util/bounded.js';
import type { DeadLetterFile } from './dead-letter.js';
import { safeLog } from './logger.js';
import type { Spool, SpoolPosition } from './spool.js';
import type { BackendStats, Logger } from './types.js';

/** An accepted event waiting for (or in) delivery to one backend. */
export interface Entry {
  event: RunEvent;
  /** attemptKey of the event: the unit of ordering. */
  key: string;
  /** Spool position, when spooled. */
  pos?: SpoolPosition;
  /** The event's JSON text when the spool made it (for `Transport.mapJson`). */
  json?: string;
  /** Wire items, mapped when first batched. */
  items?: unknown[];
  /** Send alone (after a batch was refused, to find the one item the backend rejects). */
  solo?: boolean;
}

/**
 * An event held for `Transport.writeNow` as JSON text only (`Backend.pushJson`): its wire item is that text
 * (`Transport.jsonLines`); the event is built only if the write fails and it must take the ordinary way.
 */
interface JsonEntry {
  event?: undefined;
  pos?: undefined;
  key: string;
  json: string;
  build: () => RunEvent;
}

/** Resolved limits of a backend (EmitterOptions with defaults applied). */
export interface BackendLimits {
  maxQueueSize: number;
  maxBatchSize: number;
  flushIntervalMillis: number;
  requestTimeoutMillis: number;
  maxConcurrentRequests: number;
  circuitFailureThreshold: number;
  circuitResetMillis: number;
  initialRetryDelayMillis: number;
  maxRetryDelayMillis: number;
}

/** Longest delay before a delivered batch shows in spool progress, in milliseconds (the spool persists every 100 ms). */
const PROGRESS_MILLIS = 50;

/** Kinds the overflow policy may drop first (DESIGN.md §5). */
function expendable(kind: RunEvent['kind']): boolean {
  return kind === 'running' || kind === 'queued';
}

/** Backends with events for `Transport.writeNow` not written yet: written synchronously if the process exits first. */
const unwritten = new Set<Backend>();
let exitHookInstalled = false;
function writeAllOnExit(): void {
  for (const backend of unwritten) backend.writeNow();
}

/** The counters of a backend (and of an emitter's totals) before anything happened. */
export function zeroCounters(): Omit<BackendStats, 'circuit'> {
  return { queued: 0, inFlight: 0, sent: 0, retried: 0, dropped: 0, deadLettered: 0, spooled: 0 };
}

export class Backend {
  readonly stats: BackendStats = { ...zeroCounters(), circuit: 'closed' };
  readonly #queue: Entry[] = [];
  /** Batches in flight, and how many entries they hold (per batch, not per entry: the hot path). */
  readonly #inFlight = new Set<Entry[]>();
  #inFlightCount = 0;
  /** attemptKey → number of `start` entries not yet accepted (queued or in flight). */
  readonly #pendingStarts = new Map<string, number>();
  /** Attempts whose start was dropped: their end is dropped too, so nothing waits forever. */
  readonly #droppedStarts = new BoundedSet(50_000);
  /** Spool seqs delivered above the watermark. */
  readonly #doneAbove = new Set<number>();
  /** With a spool: first position whose events are on disk only (queue was full, or replay after restart). */
  #diskFrom: SpoolPosition | undefined;
  #requests = 0;
  #failures = 0;
  #pausedUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  #oldestQueuedAt = 0;
  /** running/queued entries in the queue, so overflow knows without scanning whether any can go. */
  #expendable = 0;
  #urgent = false;
  #closing = false;
  readonly #controllers = new Set<AbortController>();
  readonly #idleWaiters: Array<() => void> = [];
  #dropLogged = false;
  #progressTimer: NodeJS.Timeout | undefined;
  /** Events for `Transport.writeNow`, written at the end of this event-loop turn. */
  #now: Array<Entry | JsonEntry> = [];
  #directFailureLogged = false;
  /** The spool's end when a direct write last saved this backend's progress. */
  #directProgressSeq = -1;

  constructor(
    readonly transport: Transport,
    readonly limits: BackendLimits,
    readonly logger: Logger,
    readonly deadLetters: DeadLetterFile,
    readonly spool: Spool | undefined,
  ) {
    if (spool) {
      const p = spool.progressOf(transport.name);
      for (const seq of p.doneAbove) this.#doneAbove.add(seq);
      if (p.seq < spool.end.seq) this.#diskFrom = { seq: p.seq, offset: p.offset };
      this.#refill();
      // Replay what an earlier process left undelivered.
      if (this.#queue.length > 0) this.#schedule(true);
    }
  }

  /** Takes an accepted event. Synchronous, never throws, never waits. */
  push(event: RunEvent, pos: SpoolPosition | undefined, key: string = attemptKey(event), json?: string): void {
    if (event.kind === 'end' && this.#droppedStarts.size > 0 && this.#droppedStarts.has(key)) {
      this.#drop(1);
      return;
    }
    if (this.direct) {
      this.#holdNow({ event, key, pos, json });
      return;
    }
    if (this.#diskFrom) {
      // Events after the first disk-only one stay on disk too, so the order per run is kept.
      this.stats.spooled = this.spool ? this.spool.backlog : 0;
      this.#schedule();
      return;
    }
    if (this.#queue.length + this.#inFlightCount >= this.limits.maxQueueSize) {
      if (this.spool && pos) {
        this.#diskFrom = pos;
        this.stats.spooled = this.spool.backlog;
        this.#schedule();
        return;
      }
      if (!this.#makeRoom(event)) return;
    }
    this.#enqueue({ event, key, pos, json });
    this.#schedule();
  }

  /**
   * Takes an accepted event the emitter has only as JSON text, for a backend that is `direct` and `jsonLines`
   * (the emitter checks both). Synchronous, never throws, never waits.
   * @param build makes the event, if the write fails
   */
  pushJson(kind: RunEvent['kind'], key: string, json: string, build: () => RunEvent): void {
    if (kind === 'end' && this.#droppedStarts.size > 0 && this.#droppedStarts.has(key)) {
      this.#drop(1);
      return;
    }
    this.#holdNow({ key, json, build });
  }

  /** Holds an entry for the write at the end of this turn (and at exit, if the process ends first). */
  #holdNow(entry: Entry | JsonEntry): void {
    if (this.#now.length === 0) {
      setImmediate(this.#writeNowLater);
      unwritten.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', writeAllOnExit);
      }
    }
    this.#now.push(entry);
  }

  /**
   * True while this backend's events are written at once (`Transport.writeNow`): the transport can, and nothing of
   * its own is waiting (after a failed write, until the ordinary way has caught up). The emitter spools an event only
   * for a backend that is not direct.
   */
  get direct(): boolean {
    return this.transport.writeNow !== undefined && this.#queue.length === 0 && this.#inFlightCount === 0 && !this.#diskFrom;
  }

  readonly #writeNowLater = () => this.writeNow();

  /**
   * Writes the events held for `Transport.writeNow` (at the end of the turn, at flush, close and exit). A failed write
   * hands them to the ordinary way — into the spool first, when there is one and they are not in it, so that they
   * are as safe as every other event — where `send` retries them.
   */
  writeNow(): void {
    unwritten.delete(this);
    const entries = this.#now;
    if (entries.length === 0) return;
    this.#now = [];
    const items: unknown[] = [];
    let mapped = 0;
    for (const entry of entries) {
      if (entry.event === undefined) {
        items.push(entry.json);
        mapped++;
        continue;
      }
      // One the transport cannot map is dead-lettered by #map.
      if (!this.#map(entry)) continue;
      mapped++;
      for (const item of entry.items as unknown[]) items.push(item);
    }
    try {
      (this.transport.writeNow as (items: unknown[]) => void)(items);
      this.stats.sent += mapped;
      this.#directFailureLogged = false;
      this.#directProgress();
      return;
    } catch (err) {
      if (!this.#directFailureLogged) {
        this.#directFailureLogged = true;
        safeLog(this.logger, 'warn', { err, transport: this.transport.name }, 'runtrail: could not write events; retrying them');
      }
    }
    let appended = false;
    for (const held of entries) {
      const entry = held.event === undefined ? this.#built(held) : held;
      if (entry?.items === undefined) continue; // dead-lettered by #map, or could not be built
      if (this.spool && !entry.pos) {
        entry.pos = this.spool.append(entry.event, entry.json ?? JSON.stringify(entry.event));
        appended = true;
      }
      this.#enqueue(entry);
    }
    // On disk now, not in the spool's next immediate: whoever counted on these events being safe by the end of this
    // turn (a delivery thread releasing their records, after which its host may exit) must not find them only in
    // memory. Found under load in CI: a host that ended without close lost every event (threaded-exit, 'end').
    if (appended) this.spool?.flushSync();
    this.#schedule();
  }

  /** An entry held as JSON only, as an ordinary one (its wire item is its JSON text); undefined if it cannot be built. */
  #built(held: JsonEntry): Entry | undefined {
    try {
      return { event: held.build(), key: held.key, json: held.json, items: [held.json] };
    } catch (err) {
      safeLog(this.logger, 'error', { err, transport: this.transport.name }, 'runtrail: could not rebuild an event; it is lost');
      this.stats.dropped++;
      return undefined;
    }
  }

  /**
   * After a direct write: this transport has everything in the spool so far (what other backends spooled for
   * themselves included). Its progress must say so — or the spool would never be truncated, and a restart would
   * replay it all to this transport — and the spool may be truncated now if every other backend has it all too.
   * Only when the spool grew since the last time (with the store alone, nothing is spooled).
   */
  #directProgress(): void {
    const spool = this.spool;
    if (!spool || spool.end.seq === this.#directProgressSeq) return;
    this.saveProgress();
    if (spool.compact()) this.resetPositions();
    this.#directProgressSeq = spool.end.seq;
  }

  /** Sends partial batches now (flush/close). */
  hurry(): void {
    this.writeNow();
    this.#urgent = true;
    this.#schedule(true);
  }

  /** Resolves once nothing is queued or in flight, or the backend is failing (circuit open / paused after a failure). */
  whenIdle(): Promise<void> {
    if (this.#isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Events not delivered yet (held for writeNow, queued, in flight, on disk only). */
  get undelivered(): number {
    return (
      this.#now.length +
      this.#queue.length +
      this.#inFlightCount +
      (this.#diskFrom && this.spool ? this.spool.end.seq - this.#diskFrom.seq : 0)
    );
  }

  /** Stops timers and aborts requests in flight (their events stay in the spool or are reported). */
  abort(): void {
    this.writeNow();
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#progressTimer) clearTimeout(this.#progressTimer);
    this.#progressTimer = undefined;
    this.#timer = undefined;
    for (const c of this.#controllers) c.abort();
  }

  /** Saves spool progress now. */
  saveProgress(): void {
    if (!this.spool) return;
    let watermark: SpoolPosition = this.spool.end;
    const consider = (p: SpoolPosition | undefined) => {
      if (p && p.seq < watermark.seq) watermark = p;
    };
    consider(this.#diskFrom);
    for (const e of this.#now) consider(e.pos);
    for (const batch of this.#inFlight) for (const e of batch) consider(e.pos);
    for (const e of this.#queue) consider(e.pos);
    for (const seq of this.#doneAbove) if (seq < watermark.seq) this.#doneAbove.delete(seq);
    this.spool.setProgress(this.transport.name, watermark, [...this.#doneAbove].slice(0, 10_000));
  }

  /**
   * Saves progress within `PROGRESS_MILLIS`: the watermark scans the queue, and the spool persists no more often
   * anyway, so after each request only one scan per interval (flush and close save at once).
   */
  #saveProgressSoon(): void {
    if (!this.spool || this.#progressTimer) return;
    this.#progressTimer = setTimeout(() => {
      this.#progressTimer = undefined;
      this.saveProgress();
    }, PROGRESS_MILLIS);
    this.#progressTimer.unref();
  }

  /** After the spool was truncated: every position restarts at 0. */
  resetPositions(): void {
    this.#doneAbove.clear();
  }

  #enqueue(entry: Entry): void {
    if (this.#queue.length === 0) this.#oldestQueuedAt = Date.now();
    this.#queue.push(entry);
    if (expendable(entry.event.kind)) this.#expendable++;
    if (entry.event.kind === 'start') this.#pendingStarts.set(entry.key, (this.#pendingStarts.get(entry.key) ?? 0) + 1);
    this.stats.queued = this.#queue.length;
  }

  /**
   * Overflow without a spool (DESIGN.md §5): drop queued `running`/`queued` events first, then new work — an
   * incoming start is refused (and its end with it, so no run appears ended without a start). The end of a run
   * whose start is in the queue is always kept, even past the bound (at most one per queued start).
   */
  #makeRoom(incoming: RunEvent): boolean {
    if (this.#expendable > 0) {
      const victim = this.#queue.findIndex((e) => expendable(e.event.kind));
      if (victim >= 0) {
        this.#queue.splice(victim, 1);
        this.#expendable--;
        this.#drop(1);
        return true;
      }
    }
    if (expendable(incoming.kind)) {
      this.#drop(1);
      return false;
    }
    if (incoming.kind === 'start') {
      this.#droppedStarts.add(attemptKey(incoming));
      this.#drop(1);
      return false;
    }
    return true;
  }

  #drop(n: number): void {
    this.stats.dropped += n;
    this.stats.queued = this.#queue.length;
    if (!this.#dropLogged) {
      this.#dropLogged = true;
      safeLog(
        this.logger,
        'warn',
        { transport: this.transport.name, maxQueueSize: this.limits.maxQueueSize },
        'runtrail: queue full, dropping events (counted in stats().dropped)',
      );
      setTimeout(() => {
        this.#dropLogged = false;
      }, 60_000).unref();
    }
  }

  #refill(): void {
    if (!this.spool || !this.#diskFrom) return;
    const room = this.limits.maxQueueSize - this.#queue.length - this.#inFlightCount;
    if (room <= 0) return;
    const { records, next } = this.spool.read(this.#diskFrom, room, (seq) => this.#doneAbove.has(seq));
    for (const r of records)
      this.#enqueue({ event: r.event, key: attemptKey(r.event), pos: { seq: r.seq, offset: r.offset }, json: r.json });
    this.#diskFrom = next.seq >= this.spool.end.seq ? undefined : next;
    this.stats.spooled = this.spool.backlog;
  }

  #isSettled(): boolean {
    if (this.#now.length > 0) return false;
    if (this.#queue.length === 0 && this.#inFlightCount === 0 && !this.#diskFrom) return true;
    return this.#inFlightCount === 0 && (this.stats.circuit === 'open' || (this.#failures > 0 && this.#closing));
  }

  #notifyIdle(): void {
    if (!this.#isSettled()) return;
    this.#urgent = false;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** Arranges the next pump: now when a batch is full or urgent, else when the oldest event's interval ends. */
  #schedule(now = false): void {
    if (this.#closing && !this.#urgent) return;
    const ready = now || this.#urgent || this.#queue.length >= this.limits.maxBatchSize || this.#diskFrom !== undefined;
    const at = Math.max(this.#pausedUntil, ready ? Date.now() : this.#oldestQueuedAt + this.limits.flushIntervalMillis);
    if (this.#timer && this.#timerAt <= at) {
      // A pending timer was unref'd when it was set: whoever awaits flush()/close() now needs it to keep the process alive.
      if (this.#urgent) this.#timer.ref();
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(0, at - Date.now()),
    );
    // Delivery never keeps the host process alive, except while someone awaits flush() or close().
    if (!this.#urgent) this.#timer.unref();
  }

  #pump(): void {
    if (Date.now() < this.#pausedUntil) {
      this.#schedule();
      return;
    }
    this.#refill();
    const maxRequests = this.stats.circuit === 'closed' ? this.limits.maxConcurrentRequests : 1;
    while (this.#requests < maxRequests && this.#queue.length > 0) {
      const due =
        this.#urgent ||
        this.#queue.length >= this.limits.maxBatchSize ||
        Date.now() >= this.#oldestQueuedAt + this.limits.flushIntervalMillis;
      if (!due) break;
      const batch = this.#takeBatch();
      if (batch.length === 0) break;
      if (this.stats.circuit === 'open') this.stats.circuit = 'half-open';
      void this.#send(batch);
      this.#refill();
    }
    if (this.#queue.length > 0 && this.#requests < maxRequests) this.#schedule();
    this.#notifyIdle();
  }

  /** The next batch: queue order, within the transport's item and byte limits, ends only after their start. */
  #takeBatch(): Entry[] {
    const maxItems = Math.min(this.limits.maxBatchSize, this.transport.maxBatchSize);
    const batch: Entry[] = [];
    const startsInBatch = new Set<string>();
    // Indices (ascending) of entries that leave the queue, in one pass at the end (splicing one by one is
    // quadratic on a long queue).
    const leaving: number[] = [];
    let items = 0;
    let bytes = 0;
    for (let i = 0; i < this.#queue.length; i++) {
      const entry = this.#queue[i] as Entry;
      if (entry.event.kind === 'end' && this.#droppedStarts.size > 0 && this.#droppedStarts.has(entry.key)) {
        leaving.push(i);
        this.#drop(1);
        continue;
      }
      // Its start is not accepted yet (DESIGN.md §5: a terminal event waits for its START).
      if (entry.event.kind === 'end' && (this.#pendingStarts.get(entry.key) ?? 0) > 0 && !startsInBatch.has(entry.key)) continue;
      if (entry.items === undefined && !this.#map(entry)) {
        leaving.push(i);
        continue;
      }
      const mapped = entry.items as unknown[];
      let size = 0;
      for (const item of mapped) size += this.#sizeOf(item);
      const fits =
        batch.length === 0 ||
        (!entry.solo && !batch[0]?.solo && items + mapped.length <= maxItems && bytes + size <= this.transport.maxBatchBytes);
      if (!fits) break;
      leaving.push(i);
      if (expendable(entry.event.kind)) this.#expendable--;
      batch.push(entry);
      if (entry.event.kind === 'start') startsInBatch.add(entry.key);
      items += mapped.length;
      bytes += size;
      if (entry.solo || items >= maxItems) break;
    }
    if (leaving.length > 0) {
      // The common case is a prefix of the queue: one splice; otherwise one filtering pass.
      if (leaving[leaving.length - 1] === leaving.length - 1) this.#queue.splice(0, leaving.length);
      else {
        let w = 0;
        let next = 0;
        for (let r = 0; r < this.#queue.length; r++) {
          if (leaving[next] === r) next++;
          else this.#queue[w++] = this.#queue[r] as Entry;
        }
        this.#queue.length = w;
      }
    }
    this.stats.queued = this.#queue.length;
    if (this.#queue.length > 0) this.#oldestQueuedAt = Math.min(this.#oldestQueuedAt, Date.now());
    return batch;
  }

  #map(entry: Entry): boolean {
    try {
      entry.items =
        entry.json !== undefined && this.transport.mapJson
          ? this.transport.mapJson(entry.event, entry.json)
          : this.transport.map(entry.event);
      entry.json = undefined;
      return true;
    } catch (err) {
      this.#deadLetter(entry, err);
      return false;
    }
  }

  #sizeOf(item: unknown): number {
    try {
      return this.transport.sizeOf(item);
    } catch {
      return 0;
    }
  }

  async #send(batch: Entry[]): Promise<void> {
    const items = batch.flatMap((e) => e.items as unknown[]);
    this.#inFlight.add(batch);
    this.#inFlightCount += batch.length;
    this.stats.inFlight = this.#inFlightCount;
    this.#requests++;
    const controller = new AbortController();
    this.#controllers.add(controller);
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.limits.requestTimeoutMillis);
    timeout.unref();
    let error: unknown;
    try {
      if (items.length > 0) await this.transport.send(items, controller.signal);
    } catch (err) {
      error = err ?? new Error('transport rejected without a reason');
    } finally {
      clearTimeout(timeout);
      this.#controllers.delete(controller);
      this.#requests--;
      this.#inFlight.delete(batch);
      this.#inFlightCount -= batch.length;
      this.stats.inFlight = this.#inFlightCount;
    }
    if (error === undefined) this.#delivered(batch);
    else this.#failed(batch, error, timedOut);
    // Idle: the watermark costs nothing and compaction needs it now; busy: at most one queue scan per interval.
    if (this.#queue.length === 0 && this.#inFlightCount === 0) this.saveProgress();
    else this.#saveProgressSoon();
    if (this.spool && this.#queue.length === 0 && this.#inFlightCount === 0 && !this.#diskFrom && this.spool.compact())
      this.resetPositions();
    if (!this.#closing || this.#urgent) this.#schedule(this.#queue.length > 0);
    this.#notifyIdle();
  }

  #delivered(batch: Entry[]): void {
    this.#failures = 0;
    this.#pausedUntil = 0;
    if (this.stats.circuit !== 'closed') {
      safeLog(this.logger, 'info', { transport: this.transport.name }, 'runtrail: backend is back; delivering');
      this.stats.circuit = 'closed';
    }
    for (const e of batch) this.#settled(e);
    this.stats.sent += batch.length;
  }

  #failed(batch: Entry[], error: unknown, timedOut: boolean): void {
    // Our own request timeout aborts the transport's request: that is a retryable timeout, not a refusal.
    const retryable = timedOut || !isDeliveryError(error) || error.retryable;
    if (this.#closing && !this.#urgent) {
      // Aborted at close: keep the events (spool) and report them as undelivered.
      this.#requeue(batch);
      return;
    }
    if (!retryable) {
      if (batch.length > 1) {
        // One bad item fails the whole request: resend each event alone so only the bad one is dead-lettered.
        for (const e of batch) e.solo = true;
        this.#requeue(batch);
        return;
      }
      for (const e of batch) this.#deadLetter(e, error);
      return;
    }
    this.#failures++;
    this.stats.retried++;
    const retryAfter = isDeliveryError(error) ? error.retryAfterMillis : undefined;
    let delay = backoffDelayMillis(
      this.#failures,
      { initialDelayMillis: this.limits.initialRetryDelayMillis, maxDelayMillis: this.limits.maxRetryDelayMillis },
      retryAfter,
    );
    if (this.#failures >= this.limits.circuitFailureThreshold) {
      if (this.stats.circuit !== 'open') {
        safeLog(
          this.logger,
          'warn',
          { transport: this.transport.name, failures: this.#failures, err: String(error) },
          `runtrail: backend failing; pausing ${this.limits.circuitResetMillis} ms before probing`,
        );
      }
      this.stats.circuit = 'open';
      delay = Math.max(delay, this.limits.circuitResetMillis);
    }
    this.#pausedUntil = Date.now() + delay;
    this.#requeue(batch);
  }

  #requeue(batch: Entry[]): void {
    this.#queue.unshift(...batch);
    for (const e of batch) if (expendable(e.event.kind)) this.#expendable++;
    this.#oldestQueuedAt = Math.min(this.#oldestQueuedAt || Date.now(), Date.now());
    this.stats.queued = this.#queue.length;
  }

  #deadLetter(entry: Entry, error: unknown): void {
    this.stats.deadLettered++;
    const status = isDeliveryError(error) ? error.status : undefined;
    this.deadLetters.write({
      time: Date.now(),
      transport: this.transport.name,
      status,
      error: error instanceof Error ? error.message : String(error),
      event: entry.event,
    });
    this.#settled(entry);
  }

  /** The entry is done for this backend (delivered or dead-lettered). */
  #settled(entry: Entry): void {
    if (entry.event.kind === 'start') this.#startSettled(entry.key);
    if (entry.pos) this.#doneAbove.add(entry.pos.seq);
  }

  #startSettled(key: string): void {
    const n = (this.#pendingStarts.get(key) ?? 1) - 1;
    if (n <= 0) this.#pendingStarts.delete(key);
    else this.#pendingStarts.set(key, n);
  }
}
