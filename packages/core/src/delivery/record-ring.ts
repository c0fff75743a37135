// The hand-over between a host thread and its delivery thread (threaded-emitter.ts): text records in a
// SharedArrayBuffer ring, one line each. The host writes without any message: a postMessage per batch cost a
// BullMQ worker ≈ 11% of its jobs/s even with a thread that did nothing (bench/README.md), the ring next to
// nothing. One writer (the host) and one reader (the delivery thread, or the host itself after a failover or at exit).
//
// Layout: `data` holds records as UTF-8 lines ending in `\n`; a record never wraps around the end — a 0 byte
// marks where the writer went back to offset 0 (records never contain a 0 byte: JSON and escaped fields cannot).
// `control` holds the write offset, the released offset (everything before it is the reader's responsibility),
// a sleeping flag for wake-ups, and the count of records released.

import { escapeField, type RecordField, recordText } from './records.js';

/** Indexes in the control array. */
const WRITE = 0;
const RELEASED = 1;
const SLEEPING = 2;
const RELEASED_RECORDS = 3;
const CONTROL_SLOTS = 4;

const NEWLINE = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
/** The second byte of the escape of tab, newline, backslash and NUL (records.ts), by character code. */
const ESCAPED: Record<number, number> = { 9: 0x74, 10: 0x6e, 92: 0x5c, 0: 0x30 };

/**
 * `String.prototype.charCodeAt`, called with its receiver: a constant call target, which the optimizing compiler turns
 * into a plain character load whatever kind of string it gets. As a method (`s.charCodeAt(i)`) it was looked up per
 * character through a generic inline cache once the strings of a busy Worker (job ids from ioredis, names, the
 * channel's head) had been of more kinds than the cache holds: ≈ 0.2% of the Worker's main thread
 * (`bench/bullmq/hook-share.mjs`).
 */
const charCodeAt = String.prototype.charCodeAt;

/** The ASCII digits of 00 to 99, two bytes each. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 0x30 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/** How many decimal digits int32 `x ≥ 0` has. */
function decimalDigits(x: number): number {
  if (x < 100_000) return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10_000 ? 4 : 5;
  return x < 1_000_000 ? 6 : x < 10_000_000 ? 7 : x < 100_000_000 ? 8 : x < 1_000_000_000 ? 9 : 10;
}

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
  /**
   * Where the lap the reader is on ends (the writer's 0 marker, or the end of the buffer), once `take` has looked;
   * -1 before. Valid until the reader goes back to offset 0: the writer cannot write past the released offset, so
   * the marker stays put (and a take from the released offset starts on this lap, or on a finished one when this is
   * -1 anyway). Without it every take of a short pass searched the whole rest of the lap for the marker —
   * 8% of the delivery thread's time in a profile of 300 000 BullMQ records (passes of 16 KiB, a lap of megabytes).
   */
  #lapEnd = -1;

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
    // UTF-8 needs at most 3 bytes per UTF-16 unit: measure exactly only when that bound does not fit.
    let w = this.#room(record.length * 3 + 1);
    if (w < 0) w = this.#room(Buffer.byteLength(record) + 1, true);
    if (w < 0) return false;
    w += this.#bytes.write(record, w, 'utf8');
    return this.#end(w);
  }

  /**
   * Appends the record `head` + the fields joined by tabs, each escaped as `escapeField` does (records.ts), the
   * same line `write(head + recordText(fields))` would write — without building that string: ASCII text and
   * integers go into the buffer byte by byte, with no string to concatenate, convert, flatten and hand to native
   * code (sampled in a no-op BullMQ Worker at full speed: ≈ 0.25 µs of the host's CPU per record this way, ≈ 0.46 µs
   * as a string; bench/README.md). `head` is written as it is: ASCII, no escaping (a record type and channel, with
   * their tabs). Returns false, writing nothing, when the record does not fit now.
   * @param length how many of `fields` make the record (default: all)
   */
  writeFields(head: string, fields: readonly RecordField[], length: number = fields.length): boolean {
    // Bound: 3 bytes per UTF-16 unit (an escape takes 2), a number's text is at most 24 characters.
    let bound = head.length * 3 + length;
    for (let i = 0; i < length; i++) {
      const f = fields[i];
      bound += typeof f === 'string' ? f.length * 3 : f === undefined ? 0 : 24;
    }
    let w = this.#room(bound);
    // Near the end of the buffer or nearly full: as text, measured exactly (rare).
    if (w < 0) return this.write(head + recordText(fields, length));
    const b = this.#bytes;
    for (let i = 0; i < head.length; i++) b[w++] = charCodeAt.call(head, i);
    for (let i = 0; i < length; i++) {
      if (i > 0) b[w++] = TAB;
      const f = fields[i];
      if (typeof f === 'string') w = this.#text(f, w);
      else if (typeof f === 'number') w = this.#number(f, w);
    }
    return this.#end(w);
  }

  /**
   * Where a record of `need` bytes can start, or -1 when it cannot now. `exact` says that `need` is the record's
   * exact size rather than a bound: only then is it worth going back to the start of the buffer for it.
   */
  #room(need: number, exact = false): number {
    const w = this.#w;
    // The released offset as last read: it only moves forward, so the free space it gives is a safe lower bound,
    // and the shared value is read again only when that is not enough (one atomic store per write, not three).
    if (need <= this.#free(w, this.#released)) return w;
    const released = Atomics.load(this.#control, RELEASED);
    this.#released = released;
    if (need <= this.#free(w, released)) return w;
    if (!exact || released > w || released === 0) return -1;
    // Go back to the start, leaving the marker; the bytes before `released` are free.
    this.#bytes[w] = 0;
    if (need > released - 1) {
      this.#publish(0);
      return -1;
    }
    return 0;
  }

  /** Contiguous free bytes at `w`; one byte always stays free so that a full ring never looks empty. */
  #free(w: number, released: number): number {
    return released > w ? released - w - 1 : this.size - w - (released === 0 ? 1 : 0);
  }

  /** Ends the record that runs up to `w` with its newline and publishes it. */
  #end(end: number): true {
    let w = end;
    this.#bytes[w++] = NEWLINE;
    if (w === this.size) w = 0;
    this.written++;
    this.#publish(w);
    return true;
  }

  /** Writes `s` escaped at `at`; returns the offset after it. */
  #text(s: string, at: number): number {
    const b = this.#bytes;
    let w = at;
    for (let i = 0; i < s.length; i++) {
      const c = charCodeAt.call(s, i);
      // Printable ASCII but the backslash: one byte as it is (the common case, one test).
      if (c >= 0x20 && c < 0x7f && c !== BACKSLASH) b[w++] = c;
      else if (c >= 0x80) return w + b.write(escapeField(s.slice(i)), w, 'utf8');
      else {
        const second = ESCAPED[c];
        if (second === undefined) b[w++] = c;
        else {
          b[w++] = BACKSLASH;
          b[w++] = second;
        }
      }
    }
    return w;
  }

  /**
   * Writes `String(n)` at `at`; returns the offset after it. A safe non-negative integer is written digit by digit,
   * in int32 arithmetic (two halves of 8 digits at most: a millisecond timestamp has 13).
   */
  #number(n: number, at: number): number {
    if (!(n >= 0 && Number.isSafeInteger(n))) return this.#text(String(n), at);
    if (n < 1e8) return this.#digits(n | 0, at, 0);
    // Exact below 2^53: a quotient's fraction is at least 1e-8 away from the next integer, more than half an ulp.
    const high = Math.floor(n / 1e8);
    return this.#digits((n - high * 1e8) | 0, this.#digits(high | 0, at, 0), 8);
  }

  /**
   * Writes int32 `x ≥ 0` in decimal at `at`, padded with zeros to `width` digits; returns the offset after it. Two
   * digits per division, from a table (a record's three timestamps, in isolation: ≈ 0.15 µs one digit at a time, ≈ 0.11 so).
   */
  #digits(x: number, at: number, width: number): number {
    const b = this.#bytes;
    let digits = decimalDigits(x);
    if (digits < width) digits = width;
    let y = x;
    let i = at + digits;
    while (y >= 100) {
      const q = (y / 100) | 0;
      const pair = (y - q * 100) << 1;
      b[--i] = DIGIT_PAIRS[pair + 1] as number;
      b[--i] = DIGIT_PAIRS[pair] as number;
      y = q;
    }
    if (y >= 10) {
      b[--i] = DIGIT_PAIRS[(y << 1) + 1] as number;
      b[--i] = DIGIT_PAIRS[y << 1] as number;
    } else b[--i] = 0x30 + y;
    while (i > at) b[--i] = 0x30;
    return at + digits;
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
      if (this.#lapEnd < 0) this.#lapEnd = this.#lapEndFrom(r);
      const stop = this.#lapEnd;
      const cut = this.#cut(r, stop, budget);
      if (cut > r) this.#split(r, cut, lines);
      budget -= cut - r;
      // Stopping at the wrap, the end is the wrap (a position within what was taken, for the journal).
      if (cut < stop || budget <= 0 || w === 0) {
        this.#r = cut;
        return { lines, end: cut, count: lines.length };
      }
      r = 0;
      this.#lapEnd = -1;
    }
    const cut = w > r ? this.#cut(r, w, budget) : r;
    if (cut > r) this.#split(r, cut, lines);
    this.#r = cut;
    return { lines, end: cut, count: lines.length };
  }

  /** Where the lap holding offset `from` (ahead of the writer) ends: the writer's 0 marker, or the buffer's end. */
  #lapEndFrom(from: number): number {
    const marker = this.#bytes.indexOf(0, from);
    return marker === -1 ? this.size : marker;
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
      const stop = this.#lapEndFrom(r);
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
