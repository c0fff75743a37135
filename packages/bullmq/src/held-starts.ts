// Attempt starts held back for a moment (instrument-worker.ts): an attempt that succeeds meanwhile — most short jobs —
// goes as one compact record for its start and end (job-records.ts), half the hot path's records. One timer while
// anything is held; the emitter has every held start written before it flushes or closes, and at exit (the
// channel's `onFlush`, core's records.ts).

/**
 * Default of `holdStartMillis`: how long a start is held back at least, in milliseconds (at most twice that: the timer
 * runs every that often while anything is held and writes the starts held that long).
 */
export const DEFAULT_HOLD_MILLIS = 5;

/** What an attempt carries while its start may be held. */
export interface Holdable {
  /** True while the start is held back, not written yet. */
  held: boolean;
  /** When the hold began, epoch ms. */
  heldAt: number;
}

/** The held starts of one instrumented Worker, in the order they began. */
export class HeldStarts<A extends Holdable> {
  readonly #held: A[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Writes one start; dropped by `close`, so that the emitter, which keeps `onFlush`, no longer keeps the Worker. */
  #write: ((a: A) => void) | undefined;
  /** For the record channel's `onFlush`: writes every held start (a field, so that it holds this object alone). */
  readonly onFlush = (): void => this.#writeDue(true);
  readonly #onTimer = (): void => this.#writeDue(false);

  readonly #millis: number;

  /**
   * @param write writes an attempt's start record
   * @param millis least hold, in milliseconds (> 0)
   */
  constructor(write: (a: A) => void, millis: number = DEFAULT_HOLD_MILLIS) {
    this.#write = write;
    this.#millis = millis;
  }

  /** Holds `a`'s start back; it is written once due, or by `writeNow`, `onFlush` or `close`. */
  hold(a: A): void {
    a.held = true;
    a.heldAt = Date.now();
    this.#held.push(a);
    if (this.#timer === undefined) this.#arm();
  }

  /** Writes `a`'s start now if it is still held (before any other event of its attempt). */
  writeNow(a: A): void {
    if (!a.held) return;
    a.held = false;
    this.#write?.(a);
  }

  /** Writes every held start and holds nothing more (a closed or detached Worker). */
  close(): void {
    this.#writeDue(true);
    this.#write = undefined;
  }

  #writeDue(all: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    const dueBefore = all ? Number.POSITIVE_INFINITY : Date.now() - this.#millis;
    // In the order they began: the first one not due ends the pass.
    let i = 0;
    for (; i < held.length; i++) {
      const a = held[i] as A;
      if (!a.held) continue;
      if (a.heldAt > dueBefore) break;
      this.writeNow(a);
    }
    if (i === held.length) held.length = 0;
    else {
      held.splice(0, i);
      this.#arm();
    }
  }

  #arm(): void {
    this.#timer = setTimeout(this.#onTimer, this.#millis);
    // Never what keeps a process alive: at exit the emitter has the held starts written (onFlush).
    this.#timer.unref();
  }
}
