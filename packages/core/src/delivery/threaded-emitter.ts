// An emitter whose delivery runs on a worker thread (DESIGN.md §5, "the host never pays"): `enqueue` writes the
// event's JSON into a shared-memory ring (record-ring.ts) and returns; adapters with a hot path write compact
// records instead (records.ts). The thread takes the records off the ring and runs an ordinary emitter — dedup, the
// spool, batching, JSON and I/O — in the host's idle time (delivery-thread.ts). No message crosses per event or per
// batch: measured on a BullMQ worker, messages alone cost more than everything else (bench/README.md). If the thread
// cannot start or dies, the emitter carries on in the host thread with what the thread had not released: nothing
// is lost either way.
import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { RunEvent } from '../model/run-event.js';
import { disabledEmitter, emptyStats } from './emitter.js';
import { notifyListeners } from './listeners.js';
import { quietLogger, safeLog } from './logger.js';
import { journalFile } from './record-journal.js';
import { RecordRing } from './record-ring.js';
import {
  eachEvent,
  fieldTexts,
  type RecordCodec,
  type RecordDecoder,
  type RecordField,
  type RecordSink,
  type RecordWriter,
  recordText,
} from './records.js';
import { writeRescue } from './spool.js';
import { currentThreadId } from './thread-load.js';
import { DEFAULT_THREAD_NICE } from './thread-priority.js';
import {
  channelOf,
  compactFields,
  DEFAULT_DEFER_POLL_MILLIS,
  DEFAULT_PASS_BYTES,
  type FromThread,
  MAX_DEFER_POLL_MILLIS,
  RECORD,
  spoolRoot,
  type ThreadData,
  type ThreadEmitterOptions,
  type ToThread,
} from './thread-protocol.js';
import { startThread } from './thread-start.js';
import type { EmitterStats, Logger, RunEmitter } from './types.js';

/** Size of the shared ring, in bytes: ≈ 250 000 compact records or 50 000 events as JSON. */
const RING_BYTES = 16 * 1024 * 1024;
/** Records kept in the host while the ring is full (the thread stalled); beyond that they are dropped and counted. */
const MAX_OVERFLOW = 100_000;
/** How often the host looks whether the thread has released everything (and it may stop keeping the process alive), in milliseconds. */
const RELEASE_CHECK_MILLIS = 20;
/** Extra time `close` grants the thread beyond its own timeout before terminating it, in milliseconds. */
const CLOSE_GRACE_MILLIS = 1000;
/** Default of `maxDeferMillis`. */
export const DEFAULT_MAX_DEFER_MILLIS = 2000;

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

/** A channel's writer (`openRecords`): one class for all channels, so that `write` is one call target (records.ts). */
class ChannelWriter implements RecordWriter {
  readonly #emitter: ThreadedEmitter;
  readonly #head: string;
  readonly #decode: RecordDecoder;

  constructor(emitter: ThreadedEmitter, head: string, decode: RecordDecoder) {
    this.#emitter = emitter;
    this.#head = head;
    this.#decode = decode;
  }

  write(fields: readonly RecordField[], length: number = fields.length): void {
    this.#emitter.writeChannel(this.#head, this.#decode, fields, length);
  }
}

/** A `RunEmitter` whose delivery runs on a worker thread; see the file comment. */
export class ThreadedEmitter implements RunEmitter, RecordSink {
  #thread: Worker | undefined;
  #fallback: RunEmitter | undefined;
  readonly #makeFallback: () => RunEmitter;
  readonly #logger: Logger;
  readonly #ring: RecordRing;
  /** Records that found the ring full, in order; written before anything newer. */
  #overflow: string[] = [];
  /** Per channel, the host's own decoder (for a failover, or rescuing at exit). */
  readonly #channels: RecordDecoder[] = [];
  /** The channels' `onFlush` callbacks: records their adapters hold back, written before a flush, close or rescue. */
  readonly #onFlush: Array<() => void> = [];
  #releaseCheck: NodeJS.Timeout | undefined;
  #nextId = 1;
  /** flush/close requests waiting for the thread. */
  readonly #waiting = new Map<number, () => void>();
  readonly #listeners = new Set<(event: RunEvent) => void>();
  #stats: EmitterStats = emptyStats();
  /** Events that could not be written (no JSON form, or the ring and the overflow full). */
  #dropped = 0;
  #closing: Promise<void> | undefined;
  #closed = false;
  /** The spool the thread writes, for rescuing events at process exit. */
  readonly #spool: { dir: string } | undefined;
  readonly #checkReleased = () => this.#onReleaseCheck();
  readonly #enqueueFallback = (event: RunEvent) => this.#fallback?.enqueue(event);

  /**
   * @param options the thread's `emitterFromEnv` settings (plain data)
   * @param makeFallback builds the same emitter in the host thread, used if the thread cannot run
   * @param entry the thread's module (tests substitute a failing one)
   */
  constructor(options: ThreadEmitterOptions, makeFallback: () => RunEmitter, logger: Logger = quietLogger, entry: URL = threadEntry()) {
    this.#makeFallback = makeFallback;
    this.#logger = logger;
    this.#spool = options.spool ? { dir: spoolRoot(options) } : undefined;
    this.#ring = RecordRing.create(RING_BYTES);
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', rescueAllOnExit);
    }
    try {
      const {
        maxDeferMillis = DEFAULT_MAX_DEFER_MILLIS,
        deliveryThreadNice: nice = DEFAULT_THREAD_NICE,
        passBytes = DEFAULT_PASS_BYTES,
        deferPollMillis = DEFAULT_DEFER_POLL_MILLIS,
        maxDeferPollMillis = MAX_DEFER_POLL_MILLIS,
        ...rest
      } = options;
      const workerData: ThreadData = {
        options: rest,
        ring: this.#ring.buffers,
        maxDeferMillis,
        nice,
        hostThreadId: currentThreadId(),
        passBytes,
        deferPollMillis,
        maxDeferPollMillis,
      };
      const thread = startThread(entry, workerData);
      thread.on('message', (m: FromThread) => this.#onMessage(m));
      thread.on('error', (err) => this.#failover(err));
      thread.on('exit', (code) => this.#failover(new Error(`delivery thread exited with code ${code}`)));
      // The thread never keeps the process alive by itself: only while records are unreleased (so a process that
      // ends on its own still gets them into the spool) or someone awaits flush/close. After the listeners: a
      // 'message' listener added after unref() refs the port again (nodejs/node#53036).
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
      let json: string;
      try {
        json = JSON.stringify(event);
      } catch (err) {
        // A cycle or a BigInt: this one event cannot travel; count it and say so.
        this.#dropped++;
        safeLog(this.#logger, 'error', { err }, 'runtrail: dropped an event that has no JSON form');
        return;
      }
      this.#write(RECORD.json + json);
    } catch (err) {
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not accept an event');
    }
  }

  /**
   * Opens a channel of compact records (records.ts); its records are decoded by `codec` in the thread.
   * @param onFlush see `RecordSink.openRecords`
   */
  openRecords<C>(codec: RecordCodec<C>, context: C, onFlush?: () => void): RecordWriter {
    const decode = codec.createDecoder(context);
    const index = this.#channels.length;
    this.#channels.push(decode);
    if (onFlush) this.#onFlush.push(onFlush);
    this.#write(`${RECORD.channel}${index}\t${codec.url}\t${JSON.stringify(context)}`);
    return new ChannelWriter(this, `${RECORD.compact}${index}\t`, decode);
  }

  /**
   * Writes one record of a channel (`ChannelWriter.write`): into the ring behind `head` (the channel's record
   * prefix), or, after a failover, its events decoded by `decode` straight to the host's emitter. Never throws.
   * @param length how many of `fields` make the record
   * @internal
   */
  writeChannel(head: string, decode: RecordDecoder, fields: readonly RecordField[], length: number): void {
    try {
      if (this.#closing) return;
      if (this.#fallback) eachEvent(decode(fieldTexts(fields, length)), this.#enqueueFallback);
      else this.#write(head, fields, length);
    } catch (err) {
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not accept a record');
    }
  }

  flush(): Promise<void> {
    // After close there is no thread to ask: flushing means waiting for the close.
    if (this.#closing) return this.#closing;
    this.#writeHeld();
    if (this.#fallback) return this.#fallback.flush();
    this.#writeOverflow();
    return this.#request({ t: 'flush', id: this.#nextId++ });
  }

  close(timeoutMillis = 5000): Promise<void> {
    if (!this.#closing) this.#writeHeld();
    this.#closing ??= this.#close(timeoutMillis);
    return this.#closing;
  }

  stats(): EmitterStats {
    if (this.#fallback) return this.#fallback.stats();
    const s = this.#stats;
    // Records still on this side of the thread count as queued; those that could not be written as dropped.
    const waiting = Math.max(0, this.#ring.unreleased) + this.#overflow.length;
    return { ...s, queued: s.queued + waiting, dropped: s.dropped + this.#dropped, backends: { ...s.backends } };
  }

  onEvent(listener: (event: RunEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1 && !this.#fallback) this.#write(`${RECORD.listen}1`);
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0 && !this.#fallback && !this.#closing)
        this.#write(`${RECORD.listen}0`);
    };
  }

  async #close(timeoutMillis: number): Promise<void> {
    if (this.#fallback) return this.#fallback.close(timeoutMillis);
    this.#writeOverflow();
    let timer: NodeJS.Timeout | undefined;
    const closed = this.#request({ t: 'close', id: this.#nextId++, timeoutMillis });
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, timeoutMillis + CLOSE_GRACE_MILLIS)))]);
    clearTimeout(timer);
    if (this.#fallback) return (this.#fallback as RunEmitter).close(timeoutMillis);
    this.#closed = true;
    live.delete(this);
    clearInterval(this.#releaseCheck);
    await this.#thread?.terminate();
  }

  /**
   * At process exit (`process.exit()`, a crash) the thread is stopped with whatever it had not spooled yet. Those
   * events are written, synchronously, to a rescue file beside the spool slots, which the next spool opened there
   * adopts. An event the thread had spooled without releasing it yet may then be delivered twice.
   */
  rescueOnExit(): void {
    if (this.#closed || this.#fallback || !this.#spool) return;
    this.#writeHeld();
    try {
      const events = this.#takeUnreleased();
      if (events.length > 0) writeRescue(this.#spool.dir, events);
      // The rescue holds every unreleased record, so the thread's journal of deferred ones is not needed twice.
      const thread = this.#thread;
      if (thread) fs.rmSync(journalFile(this.#spool.dir, process.pid, thread.threadId), { force: true });
    } catch (err) {
      safeLog(this.#logger, 'error', { err }, 'runtrail: could not save undelivered events at exit');
    }
  }

  /**
   * Writes one record — `record`, or `record` followed by the first `length` of `fields` (a compact record, written
   * without building its text) — after any that wait in the overflow; keeps the process alive until the thread
   * releases it.
   */
  #write(record: string, fields?: readonly RecordField[], length?: number): void {
    if (this.#overflow.length > 0) this.#writeOverflow();
    const written = this.#overflow.length === 0 && (fields ? this.#ring.writeFields(record, fields, length) : this.#ring.write(record));
    if (!written) {
      if (this.#overflow.length >= MAX_OVERFLOW) {
        this.#dropped++;
        if (this.#dropped === 1) safeLog(this.#logger, 'error', {}, 'runtrail: the delivery thread is not keeping up; events are dropped');
      } else this.#overflow.push(fields ? record + recordText(fields, length) : record);
    }
    if (this.#releaseCheck === undefined) {
      this.#thread?.ref();
      this.#releaseCheck = setInterval(this.#checkReleased, RELEASE_CHECK_MILLIS);
    }
  }

  /** Has every channel write the records its adapter holds back (`onFlush`). */
  #writeHeld(): void {
    for (const write of this.#onFlush) {
      try {
        write();
      } catch (err) {
        safeLog(this.#logger, 'error', { err }, 'runtrail: an adapter could not write the records it held back');
      }
    }
  }

  #writeOverflow(): void {
    let i = 0;
    while (i < this.#overflow.length && this.#ring.write(this.#overflow[i] as string)) i++;
    if (i > 0) this.#overflow = this.#overflow.slice(i);
  }

  #onReleaseCheck(): void {
    if (this.#overflow.length > 0) this.#writeOverflow();
    if (this.#ring.pending || this.#overflow.length > 0) return;
    clearInterval(this.#releaseCheck);
    this.#releaseCheck = undefined;
    if (this.#waiting.size === 0) this.#thread?.unref();
  }

  /** The events of every record the thread has not released, and of the overflow, in order (for a failover or a rescue). */
  #takeUnreleased(): RunEvent[] {
    const taken = this.#ring.take(true);
    this.#ring.release(taken.end, taken.count);
    const events: RunEvent[] = [];
    const keep = (event: RunEvent) => events.push(event);
    for (const line of [...taken.lines, ...this.#overflow]) {
      try {
        if (line[0] === RECORD.json) events.push(JSON.parse(line.slice(1)) as RunEvent);
        else if (line[0] === RECORD.compact) eachEvent(this.#channels[channelOf(line)]?.(compactFields(line)), keep);
      } catch (err) {
        this.#dropped++;
        safeLog(this.#logger, 'error', { err }, 'runtrail: dropped a record that could not be read back');
      }
    }
    this.#overflow = [];
    return events;
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
    if (m.t === 'stats') this.#stats = m.stats;
    else if (m.t === 'accepted') for (const event of m.events) this.#notify(event);
    else if (m.t === 'done') {
      this.#stats = m.stats;
      this.#waiting.get(m.id)?.();
      this.#waiting.delete(m.id);
      if (this.#waiting.size === 0 && this.#releaseCheck === undefined) this.#thread?.unref();
    } else if (m.t === 'log') safeLog(this.#logger, m.level, m.obj, m.msg);
    else this.#failover(new Error(m.message));
  }

  #notify(event: RunEvent): void {
    notifyListeners(this.#listeners, event, this.#logger);
  }

  /** The thread could not start or died: deliver in the host thread from now on, starting with what it had not released. */
  #failover(err: unknown): void {
    if (this.#fallback || this.#closed) return;
    live.delete(this); // the fallback's own spool writes at exit
    safeLog(this.#logger, 'warn', { err }, 'runtrail: the delivery thread is unavailable; delivering on the main thread');
    const thread = this.#thread;
    this.#thread = undefined;
    void thread?.terminate().catch(() => {});
    clearInterval(this.#releaseCheck);
    this.#releaseCheck = undefined;
    let fallback: RunEmitter;
    try {
      fallback = this.#makeFallback();
    } catch (e) {
      safeLog(this.#logger, 'error', { err: e }, 'runtrail: could not build the fallback emitter; events are dropped');
      fallback = disabledEmitter();
    }
    const events = this.#takeUnreleased();
    this.#fallback = fallback;
    fallback.onEvent((event) => this.#notify(event));
    // Dedup in the new emitter keeps each event once.
    for (const event of events) fallback.enqueue(event);
    for (const resolve of this.#waiting.values()) fallback.flush().then(resolve, resolve);
    this.#waiting.clear();
  }
}
