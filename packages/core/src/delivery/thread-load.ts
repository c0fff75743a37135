// How busy a thread of this process is, for the delivery thread to do its work in the host's idle time
// (threaded-emitter.ts): the thread's CPU time from Linux's /proc (`schedstat`: nanoseconds; else `stat`: clock
// ticks), over wall time. Elsewhere there is no reading and the delivery thread never defers.
import fs from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/task/<tid>/stat` (USER_HZ, 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;

/** The Linux thread id of the calling thread (the host's thread may be a worker thread itself), or the pid elsewhere. */
export function currentThreadId(): number {
  try {
    // `<pid>/task/<tid>`
    return Number(fs.readlinkSync('/proc/thread-self').split('/').pop()) || process.pid;
  } catch {
    return process.pid;
  }
}

/** Samples the share of wall time one thread spends on a CPU. */
export class ThreadLoad {
  readonly #fd: number;
  readonly #nanosPerUnit: number;
  readonly #parse: (text: string) => number;
  readonly #buf = Buffer.alloc(512);
  /** Samples as pairs: wall time (ms), CPU time (ns). */
  readonly #history: number[] = [];

  /** A sampler of thread `tid` of this process (its main thread by default), or undefined without /proc. */
  static open(tid: number = process.pid): ThreadLoad | undefined {
    const task = `/proc/${process.pid}/task/${tid}`;
    try {
      return new ThreadLoad(fs.openSync(`${task}/schedstat`, 'r'), 1, (t) => Number(t.slice(0, t.indexOf(' '))));
    } catch {
      try {
        // Fields 14 and 15 (utime, stime) counted after the command name, which may contain spaces.
        const ticks = (t: string) => {
          const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
          return Number(f[11]) + Number(f[12]);
        };
        return new ThreadLoad(fs.openSync(`${task}/stat`, 'r'), 1e9 / TICKS_PER_SECOND, ticks);
      } catch {
        return undefined;
      }
    }
  }

  private constructor(fd: number, nanosPerUnit: number, parse: (text: string) => number) {
    this.#fd = fd;
    this.#nanosPerUnit = nanosPerUnit;
    this.#parse = parse;
    this.#history.push(performance.now(), this.#cpuNanos());
  }

  #cpuNanos(): number {
    // A failed read (closed, the thread gone) reads as no CPU time: never an exception into the delivery loop.
    try {
      const n = fs.readSync(this.#fd, this.#buf, 0, this.#buf.length, 0);
      return this.#parse(this.#buf.toString('latin1', 0, n)) * this.#nanosPerUnit;
    } catch {
      return this.#history.at(-1) ?? 0;
    }
  }

  /** Starts measuring afresh: later shares cover no time before now (after an idle wait, the old samples are stale). */
  restart(): void {
    this.#history.length = 0;
    this.#history.push(performance.now(), this.#cpuNanos());
  }

  /**
   * Share of the last `windowMillis` (or of the time since the oldest sample kept, if shorter) that the thread ran,
   * 0 to 1; `NaN` while less than `minMillis` is covered. Linux updates a running thread's CPU time only every few
   * milliseconds, so a short window can read far too low (or high): hence the window and the minimum.
   */
  share(windowMillis: number, minMillis = 0): number {
    const cpu = this.#cpuNanos();
    const wall = performance.now();
    const h = this.#history;
    h.push(wall, cpu);
    // Drop samples older than the window, keeping one at or before its start.
    let first = 0;
    while (first + 2 < h.length - 2 && (h[first + 2] as number) <= wall - windowMillis) first += 2;
    if (first > 0) h.splice(0, first);
    const dt = wall - (h[0] as number);
    if (dt < minMillis) return Number.NaN;
    if (dt <= 0) return 0;
    const share = (cpu - (h[1] as number)) / (dt * 1e6);
    return Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  }

  close(): void {
    try {
      fs.closeSync(this.#fd);
    } catch {
      // already closed
    }
  }
}
