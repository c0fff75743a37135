// The hand-over between a host thread and its delivery thread (threaded-emitter.ts): text records in a
// SharedArrayBuffer ring, one line each. The host writes without any message: a postMessage per batch cost a
// BullMQ worker ≈ 11% of its jobs/s even with a thread that did nothing (bench/README.md), the ring next to
// nothing. One writer (the host) and one reader (the delivery thread, or the host itself after a failover or at exit).
//
// Layout: `data` holds records as UTF-8 lines ending in `\n`; a record never wraps around the end — a 0 byte
// marks where the writer went back to offset 0 (records never contain a 0 byte: JSON and escaped fields cannot).
// `control` holds the write offset, the released offset (everything before it is the reader's responsibility),
// a sleeping flag for wake-ups, and the count of records released.

/** Indexes in the control array. */
const WRITE = 0;
const RELEASED = 1;
const SLEEPING = 2;
const RELEASED_RECORDS = 3;
const CONTROL_SLOTS = 4;

const NEWLINE = 0x0a;

/** `Atomics.waitAsync` (Node ≥ 16; typed from lib ES2024, newer than this project's ES2023 lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync;

/** The shared memory of a ring, as it crosses to the delivery thread. */
export interface RingBuffers {
  data: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** Records read off the ring: their text (lines separated by `\n`) and where the reader stands after them. */
export interface TakenRecords {
  lines: string[];
  /** Offset after the last line taken; pass it to `release` once the records are safe elsewhere. */
  end: number;
  count: number;
}

/** A single-writer, single-reader ring of text records over shared memory. */
export class RecordRing {
  readonly buffers: RingBuffers;
  readonly size: number;
  readonly #bytes: Buffer;
  readonly #control: Int32Array;
  /** The writer's offset (the host's own copy of WRITE). */
  #w: number;
  /** The reader's offset: ahead of RELEASED while taken records are being made safe. */
  #r: number;
  /** The released offset as the writer last read it. */
  #released: number;
  /** Records this writer wrote (the writer's own count; the reader counts what it releases). */
  written = 0;

  /** @param bytes size of the data buffer, in bytes (at least 1 KiB) */
  static create(bytes: number): RecordRing {
    return new RecordRing({
      data: new SharedArrayBuffer(Math.max(1024, Math.floor(bytes))),
      control: new SharedArrayBuffer(CONTROL_SLOTS * 4),
    });
  }

  constructor(buffers: RingBuffers) {
    this.buffers = buffers;
    this.size = buffers.data.byteLength;
    this.#bytes = Buffer.from(buffers.data);
    this.#control = new Int32Array(buffers.control);
    this.#w = Atomics.load(this.#control, WRITE);
    this.#r = Atomics.load(this.#control, RELEASED);
    this.#released = this.#r;
  }

  /**
   * Appends one record (a line, without its `\n`, containing no 0 byte) and wakes a sleeping reader. Returns false,
   * writing nothing, when it does not fit now.
   */
  write(record: string): boolean {
    // The released offset as last read: it only moves forward, so the free space it gives is a safe lower bound,
    // and the shared value is read again only when that is not enough (one atomic store per write, not three).
    let released = this.#released;
    let w = this.#w;
    // Contiguous free bytes at w; one byte always stays free so that a full ring never looks empty.
    let free = released > w ? released - w - 1 : this.size - w - (released === 0 ? 1 : 0);
    // UTF-8 needs at most 3 bytes per UTF-16 unit: measure exactly only when that bound does not fit.
    let need = record.length * 3 + 1;
    if (need > free) {
      released = this.#released = Atomics.load(this.#control, RELEASED);
      free = released > w ? released - w - 1 : this.size - w - (released === 0 ? 1 : 0);
      need = Buffer.byteLength(record) + 1;
      if (need > free) {
        if (released > w || released === 0) return false;
        // Go back to the start, leaving the marker; the bytes before `released` are free.
        this.#bytes[w] = 0;
        w = 0;
        free = released - 1;
        if (need > free) {
          this.#publish(w);
          return false;
        }
      }
    }
    const n = this.#bytes.write(record, w, 'utf8');
    this.#bytes[w + n] = NEWLINE;
    w += n + 1;
    if (w === this.size) w = 0;
    this.written++;
    this.#publish(w);
    return true;
  }

  #publish(w: number): void {
    this.#w = w;
    Atomics.store(this.#control, WRITE, w);
    if (Atomics.load(this.#control, SLEEPING) !== 0) {
      Atomics.store(this.#control, SLEEPING, 0);
      Atomics.notify(this.#control, SLEEPING);
    }
  }

  /** True when records were written that this reader has not taken. */
  get hasRecords(): boolean {
    return Atomics.load(this.#control, WRITE) !== this.#r;
  }

  /** On the writer's side: records written and not released yet (the reader may hold some). */
  get unreleased(): number {
    return this.written - Atomics.load(this.#control, RELEASED_RECORDS);
  }

  /** On the writer's side: true while some written record is not released. */
  get pending(): boolean {
    return Atomics.load(this.#control, RELEASED) !== this.#w;
  }

  /** Fraction of the data buffer in use (written and not released), 0 to 1. */
  get fill(): number {
    const w = Atomics.load(this.#control, WRITE);
    const r = Atomics.load(this.#control, RELEASED);
    return (w >= r ? w - r : this.size - r + w) / this.size;
  }

  /**
   * Takes the records written since the last take: all of them, or as many whole records as fit in `maxBytes` (at
   * least one). `fromReleased` starts from the released offset instead (the host taking over what a dead reader
   * held, or rescuing at exit).
   */
  take(fromReleased = false, maxBytes = Number.POSITIVE_INFINITY): TakenRecords {
    let r = fromReleased ? Atomics.load(this.#control, RELEASED) : this.#r;
    const w = Atomics.load(this.#control, WRITE);
    const lines: string[] = [];
    let budget = maxBytes;
    if (r > w) {
      // The tail of the buffer up to the wrap marker (or its very end), then the start.
      const marker = this.#bytes.indexOf(0, r);
      const stop = marker === -1 ? this.size : marker;
      const cut = this.#cut(r, stop, budget);
      if (cut > r) this.#split(r, cut, lines);
      budget -= cut - r;
      // Stopping at the wrap, the end is the wrap (a position within what was taken, for the journal).
      if (cut < stop || budget <= 0 || w === 0) {
        this.#r = cut;
        return { lines, end: cut, count: lines.length };
      }
      r = 0;
    }
    const cut = w > r ? this.#cut(r, w, budget) : r;
    if (cut > r) this.#split(r, cut, lines);
    this.#r = cut;
    return { lines, end: cut, count: lines.length };
  }

  /** Where to stop taking records in [from, to) within `budget` bytes: after the last whole record that fits (or the first). */
  #cut(from: number, to: number, budget: number): number {
    if (to - from <= budget) return to;
    if (budget <= 0) return from;
    const last = this.#bytes.lastIndexOf(NEWLINE, from + budget - 1);
    return last >= from ? last + 1 : this.#bytes.indexOf(NEWLINE, from) + 1;
  }

  /** The reader's offset: where the next `take` starts. */
  get taken(): number {
    return this.#r;
  }

  /**
   * The bytes of the records written after offset `from` (a reader position) that no one has taken yet, as views of
   * the shared buffer with their offsets (two when they wrap), and the offset after them. For copying records
   * elsewhere untaken.
   */
  peek(from: number): { chunks: Array<{ from: number; bytes: Buffer }>; end: number } {
    const w = Atomics.load(this.#control, WRITE);
    const chunks: Array<{ from: number; bytes: Buffer }> = [];
    let r = from;
    if (r > w) {
      const marker = this.#bytes.indexOf(0, r);
      const stop = marker === -1 ? this.size : marker;
      if (stop > r) chunks.push({ from: r, bytes: this.#bytes.subarray(r, stop) });
      r = 0;
    }
    if (w > r) chunks.push({ from: r, bytes: this.#bytes.subarray(r, w) });
    return { chunks, end: w };
  }

  #split(from: number, to: number, into: string[]): void {
    // Each record ends with `\n`, so the text ends with one: drop the empty string after it.
    const parts = this.#bytes.toString('utf8', from, to).split('\n');
    for (let i = 0; i < parts.length - 1; i++) into.push(parts[i] as string);
  }

  /** Marks everything before `end` (from a `take`) as safe elsewhere: the writer may reuse it. */
  release(end: number, count: number): void {
    Atomics.store(this.#control, RELEASED_RECORDS, (Atomics.load(this.#control, RELEASED_RECORDS) + count) | 0);
    Atomics.store(this.#control, RELEASED, end);
  }

  /**
   * Resolves when a record is written or after `timeoutMillis`, whichever comes first (the reader's idle wait; no
   * polling while the host writes nothing).
   */
  async waitForRecords(timeoutMillis: number): Promise<void> {
    Atomics.store(this.#control, SLEEPING, 1);
    // Written between the check and the flag: the writer saw no flag, so do not sleep.
    if (this.hasRecords) {
      Atomics.store(this.#control, SLEEPING, 0);
      return;
    }
    const waited = waitAsync(this.#control, SLEEPING, 1, timeoutMillis);
    if (waited.async) await waited.value;
    Atomics.store(this.#control, SLEEPING, 0);
  }
}
