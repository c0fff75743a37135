// An emitter whose delivery runs on a worker thread (DESIGN.md §5, "the host never pays"): `enqueue` only appends
// to an array; every 5 ms (or every 512 events) the batch is posted to the thread, where an ordinary
// emitter does dedup, the spool, batching, JSON and I/O. Measured on a BullMQ worker, this moves most of
// runtrail's per-job cost off the host's event loop (bench/README.md). If the thread cannot start or dies, the
// emitter carries on in the host thread with what the thread had not acknowledged: nothing is lost either way.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunEvent } from '../model/run-event.js';
import { disabledEmitter, emptyStats } from './emitter.js';
import { notifyListeners } from './listeners.js';
import { quietLogger, safeLog } from './logger.js';
import { writeRescue } from './spool.js';
import type { FromThread, ThreadEmitterOptions, ToThread } from './thread-protocol.js';
import type { EmitterStats, Logger, RunEmitter } from './types.js';

/** Events buffered before a post without waiting for the post interval. */
const MAX_BUFFER = 512;
/**
 * Longest wait of an event before its batch goes to the thread, in milliseconds. Each message costs both event
 * loops a fixed amount, so batches are gathered for a few ms rather than per turn of the event loop.
 */
const POST_INTERVAL_MILLIS = 5;
/** Extra time `close` grants the thread beyond its own timeout before terminating it, in milliseconds. */
const CLOSE_GRACE_MILLIS = 1000;

/** Live threaded emitters, for the exit hook. */
const live = new Set<ThreadedEmitter>();
let exitHookInstalled = false;
function rescueAllOnExit(): void {
  for (const emitter of live) emitter.rescueOnExit();
}

/** Where the thread's code is: next to this file once built; from `src/` (tests, ts runners) the built copy. */
function threadEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? '../../dist/delivery/delivery-thread.js' : './delivery-thread.js', import.meta.url);
}

/** A `RunEmitter` whose delivery runs on a worker thread; see the file comment. */
export class ThreadedEmitter implements RunEmitter {
  #thread: Worker | undefined;
  #fallback: RunEmitter | undefined;
  readonly #makeFallback: () => RunEmitter;
  readonly #logger: Logger;
  #buffer: RunEvent[] = [];
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #nextId = 1;
  /** Batches posted and not acknowledged yet (re-enqueued on the host if the thread dies). */
  readonly #unacked = new Map<number, RunEvent[]>();
  /** flush/close requests waiting for the thread. */
  readonly #waiting = new Map<number, () => void>();
  readonly #listeners = new Set<(event: RunEvent) => void>();
  #stats: EmitterStats = emptyStats();
  #uncloneable = 0;
  #closing: Promise<void> | undefined;
  #closed = false;
  /** The spool the thread writes, for rescuing events at process exit. */
  readonly #spool: { dir: string } | undefined;
  readonly #postLater = () => this.#post();

  /**
   * @param options the thread's `emitterFromEnv` settings (plain data)
   * @param makeFallback builds the same emitter in the host thread, used if the thread cannot run
   * @param entry the thread's module (tests substitute a failing one)
   */
  constructor(options: ThreadEmitterOptions, makeFallback: () => RunEmitter, logger: Logger = quietLogger, entry: URL = threadEntry()) {
    this.#makeFallback = makeFallback;
    this.#logger = logger;
    this.#spool = options.spool ? { dir: options.spool.dir ?? path.join(options.cwd, '.runtrail', 'spool') } : undefined;
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', rescueAllOnExit);
    }
    try {
      const thread = new Worker(entry, { workerData: options });
      thread.on('message', (m: FromThread) => this.#onMessage(m));
      thread.on('error', (err) => this.#failover(err));
      thread.on('exit', (code) => this.#failover(new Error(`delivery thread exited with code ${code}`)));
      // The thread never keeps the process alive by itself: only while batches are unacknowledged (so a
      // process that ends on its own still gets them into the spool) or someone awaits flush/close. After the
      // listeners: a 'message' listener added after unref() refs the port again (nodejs/node#53036).
      thread.unref();
      this.#thread = thread;
    } catch (err) {
      this.#failover(err);
    }
  }

  /** Where delivery runs now: `thread`, or `host` after a failover. */
  get mode(): 'thread' | 'host' {
    return this.#fallback ? 'host' : 'thread';
  }

  enqueue(event: RunEvent): void {
    try {
      if (this.#closing) return;
      if (this.#fallback) {
        this.#fallback.enqueue(event);
        return;
      }
      this.#buffer.push(event);
      if (this.#buffer.length >= MAX_BUFFER) this.#post();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        this.#timer = setTimeout(this.#postLater, POST_INTERVAL_MILLIS);
      }
    } catch (err) {
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not accept an event');
    }
  }

  flush(): Promise<void> {
    // After close there is no thread to ask: flushing means waiting for the close.
    if (this.#closing) return this.#closing;
    if (this.#fallback) return this.#fallback.flush();
    this.#post();
    return this.#request({ t: 'flush', id: this.#nextId++ });
  }

  close(timeoutMillis = 5000): Promise<void> {
    this.#closing ??= this.#close(timeoutMillis);
    return this.#closing;
  }

  stats(): EmitterStats {
    if (this.#fallback) return this.#fallback.stats();
    const s = this.#stats;
    // Events still on this side of the thread count as queued; those that could not be cloned as dropped.
    const waiting = this.#buffer.length + [...this.#unacked.values()].reduce((n, b) => n + b.length, 0);
    return { ...s, queued: s.queued + waiting, dropped: s.dropped + this.#uncloneable, backends: { ...s.backends } };
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #close(timeoutMillis: number): Promise<void> {
    if (this.#fallback) return this.#fallback.close(timeoutMillis);
    this.#post();
    let timer: NodeJS.Timeout | undefined;
    const closed = this.#request({ t: 'close', id: this.#nextId++, timeoutMillis });
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, timeoutMillis + CLOSE_GRACE_MILLIS)))]);
    clearTimeout(timer);
    if (this.#fallback) return (this.#fallback as RunEmitter).close(timeoutMillis);
    this.#closed = true;
    live.delete(this);
    await this.#thread?.terminate();
  }

  /**
   * At process exit (`process.exit()`, a crash) the thread is stopped with whatever it had not spooled yet. Those
   * events are written, synchronously, to a rescue file beside the spool slots, which the next spool opened there
   * adopts. An event the thread had spooled without acknowledging it yet may then be delivered twice.
   */
  rescueOnExit(): void {
    if (this.#closed || this.#fallback || !this.#spool) return;
    const events = [...[...this.#unacked.values()].flat(), ...this.#buffer];
    if (events.length === 0) return;
    try {
      writeRescue(this.#spool.dir, events);
    } catch (err) {
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not save undelivered events at exit');
    }
  }

  /** Posts the buffered events as one batch. */
  #post(): void {
    if (this.#scheduled) clearTimeout(this.#timer);
    this.#scheduled = false;
    const thread = this.#thread;
    if (this.#buffer.length === 0 || !thread || this.#fallback) return;
    const batch = this.#buffer;
    this.#buffer = [];
    const id = this.#nextId++;
    const wantAccepted = this.#listeners.size > 0;
    try {
      thread.postMessage({ t: 'events', id, batch, wantAccepted } satisfies ToThread);
      this.#unacked.set(id, batch);
    } catch {
      // An event that cannot be cloned (a function or symbol in it): send the others one by one, count the rest.
      for (const event of batch) {
        const one = this.#nextId++;
        try {
          thread.postMessage({ t: 'events', id: one, batch: [event], wantAccepted } satisfies ToThread);
          this.#unacked.set(one, [event]);
        } catch (err) {
          this.#uncloneable++;
          safeLog(this.#logger, 'error', { err }, 'runtrail: dropped an event that cannot be copied to the delivery thread');
        }
      }
    }
    thread.ref();
  }

  #request(message: ToThread): Promise<void> {
    const thread = this.#thread;
    if (!thread) return (this.#fallback as RunEmitter).flush();
    return new Promise((resolve) => {
      this.#waiting.set(message.id, resolve);
      thread.ref();
      thread.postMessage(message);
    });
  }

  #onMessage(m: FromThread): void {
    if (m.t === 'ack') {
      if (m.stats) this.#stats = m.stats;
      for (const [id, indexes] of m.accepted ?? []) {
        const batch = this.#unacked.get(id);
        if (batch) for (const i of indexes) this.#notify(batch[i] as RunEvent);
      }
      // Batch ids grow, and the map keeps insertion order: the acknowledged ones are at its front.
      for (const id of this.#unacked.keys()) {
        if (id > m.upTo) break;
        this.#unacked.delete(id);
      }
    } else if (m.t === 'done') {
      this.#stats = m.stats;
      this.#waiting.get(m.id)?.();
      this.#waiting.delete(m.id);
    } else if (m.t === 'log') {
      safeLog(this.#logger, m.level, m.obj, m.msg);
    } else {
      this.#failover(new Error(m.message));
      return;
    }
    if (this.#unacked.size === 0 && this.#waiting.size === 0) this.#thread?.unref();
  }

  #notify(event: RunEvent): void {
    notifyListeners(this.#listeners, event, this.#logger);
  }

  /** The thread could not start or died: deliver in the host thread from now on, starting with what it had not acknowledged. */
  #failover(err: unknown): void {
    if (this.#fallback || this.#closed) return;
    live.delete(this); // the fallback's own spool writes at exit
    safeLog(this.#logger, 'warn', { err }, 'runtrail: the delivery thread is unavailable; delivering on the main thread');
    const thread = this.#thread;
    this.#thread = undefined;
    void thread?.terminate().catch(() => {});
    let fallback: RunEmitter;
    try {
      fallback = this.#makeFallback();
    } catch (e) {
      safeLog(this.#logger, 'error', { err: e }, 'runtrail: could not build the fallback emitter; events are dropped');
      fallback = disabledEmitter();
    }
    this.#fallback = fallback;
    fallback.onEvent((event) => this.#notify(event));
    // Dedup in the new emitter keeps each event once.
    for (const batch of this.#unacked.values()) for (const event of batch) fallback.enqueue(event);
    this.#unacked.clear();
    for (const event of this.#buffer) fallback.enqueue(event);
    this.#buffer = [];
    for (const resolve of this.#waiting.values()) fallback.flush().then(resolve, resolve);
    this.#waiting.clear();
  }
}
