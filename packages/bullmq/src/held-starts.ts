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
//
// What is held is the job itself (BullMQ hands the same Job object to an attempt's `active`, `progress`, `completed`
// and `failed`), with the attempt's number, start and end in number arrays beside it: a short attempt costs no object
// of its own and no entry in a Map keyed by job id (≈ 0.3% of a no-op Worker's main thread, hashing the id included).
// Its end finds it by identity, newest first: a job that ends within its hold started among the last few. A job
// with none of the options a start record carries is let go of there, its id, name and timestamp kept (no object).

/**
 * Default of `holdStartMillis`: how long a start is held back at least, in milliseconds (less than twice that at
 * most).
 */
export const DEFAULT_HOLD_MILLIS = 5;

/**
 * Writes a held attempt's record: its start, or its start and successful end. An object with a method, not a
 * callback: one call target for every instrumented Worker (core's records.ts, `RecordWriter`, says why).
 */
export interface HeldWriter<J extends object> {
  /**
   * @param job the job whose attempt it is
   * @param attempt the attempt's number (1 = first)
   * @param startTime epoch ms the attempt started
   * @param endTime epoch ms it succeeded, or 0 while it runs on (its start alone is written then)
   */
  writeHeld(job: J, attempt: number, startTime: number, endTime: number): void;
  /**
   * Writes the record of an attempt that succeeded within its hold and was let go of then (`succeededPlain`): its
   * start and end, from what was kept of its job.
   * @param jobId the job's id
   * @param name the job's name
   * @param timestamp the job's timestamp (epoch ms it was created)
   * @param attempt the attempt's number (1 = first)
   * @param startTime epoch ms the attempt started
   * @param endTime epoch ms it succeeded
   */
  writePlain(jobId: string, name: string, timestamp: number, attempt: number, startTime: number, endTime: number): void;
  /**
   * Called once the attempts due together (a tick's, a flush's) were passed to `writeHeld` and `writePlain`: a writer
   * that gathers them (many to a record) writes what it gathered.
   */
  endHeld(): void;
}

/** One generation of held attempts: parallel arrays, reused tick after tick (no array made per tick). */
class Generation<J extends object> {
  /** The held jobs, `null` where one was written early (`release`); only the first `length` count. */
  readonly jobs: Array<J | null> = [];
  readonly attempts: number[] = [];
  readonly starts: number[] = [];
  /** Epoch ms each attempt succeeded at, 0 while it runs. */
  readonly ends: number[] = [];
  /**
   * What was kept of a job let go of when it succeeded (`succeededPlain`): its id, name and timestamp; the id is
   * undefined for every other entry (`#writeHeld` clears it when it writes one, and only it empties a generation, so
   * a hold need not).
   */
  readonly ids: Array<string | undefined> = [];
  readonly names: Array<string | undefined> = [];
  readonly timestamps: number[] = [];
  length = 0;
  /** Where the next end is looked for first: just after the last one found (`indexOf`). */
  next = 0;

  /**
   * The index of `job`, or -1: first just after the last one found — attempts of about the same length end in the
   * order they started, and a no-op Worker's in exactly that order — then searched newest first.
   */
  indexOf(job: J): number {
    const jobs = this.jobs;
    const next = this.next;
    if (next < this.length && jobs[next] === job) {
      this.next = next + 1;
      return next;
    }
    for (let i = this.length - 1; i >= 0; i--)
      if (jobs[i] === job) {
        this.next = i + 1;
        return i;
      }
    return -1;
  }
}

/** The held starts of one instrumented Worker, in the order they began. */
export class HeldStarts<J extends object> {
  /** Held since the last tick. */
  #young = new Generation<J>();
  /** Held since the tick before the last: what the next tick writes. */
  #old = new Generation<J>();
  /** The generation `#find` found its job in. */
  #found = this.#young;
  /** Made at a hold, re-armed with `refresh()` (made again after a flush cleared it); armed while `#running`. */
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /**
   * Writes one held attempt's record; dropped by `close`, so that the emitter, which keeps `onFlush`, no longer keeps
   * the Worker.
   */
  #writer: HeldWriter<J> | undefined;
  /** For the record channel's `onFlush`: writes every held start (a field, so that it holds this object alone). */
  readonly onFlush = (): void => this.#writeAll();
  readonly #onTick = (): void => this.#tick();

  readonly #millis: number;

  /**
   * @param writer writes a held attempt's record: its start, or its start and end when it succeeded meanwhile
   * @param millis least hold, in milliseconds (> 0)
   */
  constructor(writer: HeldWriter<J>, millis: number = DEFAULT_HOLD_MILLIS) {
    this.#writer = writer;
    this.#millis = millis;
  }

  /**
   * Holds the start of `job`'s attempt back; its record is written once due, or by `release`, `onFlush` or `close`.
   * @param attempt the attempt's number
   * @param startTime epoch ms it started
   */
  hold(job: J, attempt: number, startTime: number): void {
    const g = this.#young;
    const i = g.length++;
    g.jobs[i] = job;
    g.attempts[i] = attempt;
    g.starts[i] = startTime;
    g.ends[i] = 0;
    if (!this.#running) this.#arm();
  }

  /**
   * Notes that `job`'s held attempt succeeded at epoch ms `endTime`: its start and end are written together when the
   * hold is over. False when its start is not held (written already, or never held): nothing noted.
   */
  succeeded(job: J, endTime: number): boolean {
    const i = this.#find(job);
    if (i < 0) return false;
    this.#found.ends[i] = endTime;
    return true;
  }

  /**
   * As `succeeded`, for a job whose record needs no more of it than `jobId`, `name` and `timestamp`: those are kept
   * and the job is let go of at once. A Worker drops a job when it completes; held on to for the rest of its hold,
   * the jobs of a busy Worker outlived a young-generation GC by the hundred, and each GC copied them all (in a no-op
   * Worker's burst, ≈ 0.2 µs more of the main thread's time per job in scavenges, measured with `PerformanceObserver`;
   * bench/README.md, "A job let go of at its end").
   */
  succeededPlain(job: J, endTime: number, jobId: string, name: string, timestamp: number): boolean {
    const i = this.#find(job);
    if (i < 0) return false;
    const g = this.#found;
    g.jobs[i] = null;
    g.ends[i] = endTime;
    g.ids[i] = jobId;
    g.names[i] = name;
    g.timestamps[i] = timestamp;
    return true;
  }

  /**
   * Writes the start of `job`'s attempt now if it is held (before any other event of that attempt), with the end
   * noted by `succeeded` if there is one. True when it was held.
   */
  release(job: J): boolean {
    const i = this.#find(job);
    if (i < 0) return false;
    this.#write(this.#found, i, job);
    return true;
  }

  /**
   * Writes now the records of the jobs held before `job` for which `same(job, held)` is true (earlier attempts of its
   * job), oldest first. A search of everything held: for the rare path only.
   */
  releaseEarlier(job: J, same: (job: J, held: J) => boolean): void {
    for (const g of [this.#old, this.#young]) {
      const jobs = g.jobs;
      for (let i = 0; i < g.length; i++) {
        const held = jobs[i];
        if (held === job) return;
        if (held && same(job, held)) this.#write(g, i, held);
      }
    }
  }

  /** Writes the record of `job`, held at `i` in `g`, and lets go of it there (never written twice; for the GC). */
  #write(g: Generation<J>, i: number, job: J): void {
    g.jobs[i] = null;
    this.#writer?.writeHeld(job, g.attempts[i] as number, g.starts[i] as number, g.ends[i] as number);
  }

  /** The index of `job` in the generation it is held in, which is left in `#found` (no pair made); -1 if not held. */
  #find(job: J): number {
    // Where each generation's next end most likely is, before any search.
    const old = this.#old;
    if (old.next < old.length && old.jobs[old.next] === job) {
      this.#found = old;
      return old.next++;
    }
    this.#found = this.#young;
    const i = this.#young.indexOf(job);
    if (i >= 0) return i;
    this.#found = old;
    return old.indexOf(job);
  }

  /** Writes every held start and holds nothing more (a closed or detached Worker). */
  close(): void {
    this.#writeAll();
    this.#writer = undefined;
  }

  #tick(): void {
    const old = this.#old;
    this.#writeHeld(old);
    // The older generation, emptied, becomes the younger one.
    this.#old = this.#young;
    this.#young = old;
    if (this.#old.length > 0) this.#timer?.refresh();
    else this.#running = false;
  }

  /** Writes the starts still held in `g`, in order, and empties it. */
  #writeHeld(g: Generation<J>): void {
    const jobs = g.jobs;
    const ids = g.ids;
    for (let i = 0; i < g.length; i++) {
      const job = jobs[i];
      if (job) this.#write(g, i, job);
      else {
        const jobId = ids[i];
        if (jobId === undefined) continue;
        const name = g.names[i] as string;
        ids[i] = undefined;
        g.names[i] = undefined;
        this.#writer?.writePlain(
          jobId,
          name,
          g.timestamps[i] as number,
          g.attempts[i] as number,
          g.starts[i] as number,
          g.ends[i] as number,
        );
      }
    }
    g.length = 0;
    g.next = 0;
    this.#writer?.endHeld();
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
