// Attempt starts held back for a moment (instrument-worker.ts): an attempt that succeeds meanwhile — most short jobs —
// is written when its hold is over, start and end in one compact record (job-records.ts): half the hot path's
// records, and none written from the Worker's own hooks — the records of a hold go into the ring together, one after
// the other, rather than each between BullMQ's and ioredis's code (in a busy Worker, runtrail's share of the main
// thread 2.27% → 2.13%, a scratch run of bench/bullmq/hook-share.mjs's method). The emitter has every held attempt
// written before it flushes or closes, and at exit (the channel's `onFlush`, core's records.ts).
//
// Two generations and one timer, so that holding costs a job no clock read and no search: every `millis` the timer
// writes the attempts still held in the older generation, which then takes the younger one's place. An attempt is
// held from one tick through the next, so at least `millis` and less than twice that. The timer object is made once
// and re-armed with `refresh()`; it runs only while something is held. In a busy Worker's profile the timer used to
// be ≈ 0.4% of the main thread (a new `setTimeout`, a clock read per start, and a splice per tick).

/**
 * Default of `holdStartMillis`: how long a start is held back at least, in milliseconds (less than twice that at
 * most).
 */
export const DEFAULT_HOLD_MILLIS = 5;

/** What an attempt carries while its start may be held. */
export interface Holdable {
  /** True while the attempt's start is held back, not written yet (it may have ended meanwhile). */
  held: boolean;
}

/**
 * Writes a held attempt's record: its start, or its start and end when it ended meanwhile. An object with a method,
 * not a callback: one call target for every instrumented Worker (core's records.ts, `RecordWriter`, says why).
 */
export interface HeldWriter<A extends Holdable> {
  writeHeld(a: A): void;
}

/** The held starts of one instrumented Worker, in the order they began. */
export class HeldStarts<A extends Holdable> {
  /** Held since the last tick. */
  #young: A[] = [];
  /** Held since the tick before the last: what the next tick writes. */
  #old: A[] = [];
  /** Made at a hold, re-armed with `refresh()` (made again after a flush cleared it); armed while `#running`. */
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /**
   * Writes one held attempt's record (its start, or its start and end); dropped by `close`, so that the emitter,
   * which keeps `onFlush`, no longer keeps the Worker.
   */
  #writer: HeldWriter<A> | undefined;
  /** For the record channel's `onFlush`: writes every held start (a field, so that it holds this object alone). */
  readonly onFlush = (): void => this.#writeAll();
  readonly #onTick = (): void => this.#tick();

  readonly #millis: number;

  /**
   * @param writer writes a held attempt's record: its start, or its start and end when it ended meanwhile
   * @param millis least hold, in milliseconds (> 0)
   */
  constructor(writer: HeldWriter<A>, millis: number = DEFAULT_HOLD_MILLIS) {
    this.#writer = writer;
    this.#millis = millis;
  }

  /** Holds `a`'s start back; its record is written once due, or by `writeNow`, `onFlush` or `close`. */
  hold(a: A): void {
    a.held = true;
    this.#young.push(a);
    if (!this.#running) this.#arm();
  }

  /** Writes `a`'s start now if it is still held (before any other event of its attempt). */
  writeNow(a: A): void {
    if (!a.held) return;
    a.held = false;
    this.#writer?.writeHeld(a);
  }

  /** Writes every held start and holds nothing more (a closed or detached Worker). */
  close(): void {
    this.#writeAll();
    this.#writer = undefined;
  }

  #tick(): void {
    const old = this.#old;
    this.#writeHeld(old);
    // The older generation's array, emptied, becomes the younger one: no array is made per tick.
    this.#old = this.#young;
    this.#young = old;
    if (this.#old.length > 0) this.#timer?.refresh();
    else this.#running = false;
  }

  /** Writes the starts still held in `held`, in order, and empties it. */
  #writeHeld(held: A[]): void {
    for (let i = 0; i < held.length; i++) this.writeNow(held[i] as A);
    held.length = 0;
  }

  #writeAll(): void {
    // The older generation first: starts in the order they began.
    this.#writeHeld(this.#old);
    this.#writeHeld(this.#young);
    // A cleared timer cannot be refreshed (Node sets its duration to -1): the next hold makes a new one.
    if (this.#running) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#running = false;
    }
  }

  #arm(): void {
    this.#running = true;
    if (this.#timer) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(this.#onTick, this.#millis);
    // Never what keeps a process alive: at exit the emitter has the held starts written (onFlush).
    this.#timer.unref();
  }
}
