// The delivery thread's scheduling priority (delivery-thread.ts). Past `maxDeferMillis` of a host that stays busy,
// delivery runs alongside the jobs; at a lower priority (a higher nice value) the kernel gives the host's threads —
// and a Redis or a database on the same machine — the CPU first, and the delivery thread the gaps between their
// bursts. On a no-op BullMQ Worker saturating 2 cores the gain is small (0.83× → 0.85× of its jobs/s in
// bench/bullmq/thread-nice.mjs; 0.80× → 0.87× in a scratch run). Nice 19 was too low: in a 300 000-job round with
// every core kept busy by other processes the thread fell behind and its ring overflowed. Linux only: there a thread
// id names one thread to setpriority(2); elsewhere it would name the whole process, so nothing is changed.
import fs from 'node:fs';
import os from 'node:os';
import { currentThreadId } from './thread-load.js';

/**
 * Default niceness of the delivery thread (0 = the host's own priority, 19 = lowest). 10: about a tenth of a
 * contended core's share against a thread at 0 — with every core kept busy it kept up
 * in rounds of 300 000 jobs, where 19 fell behind.
 */
export const DEFAULT_THREAD_NICE = 10;

/** The calling thread's priority: lowered once, raised again while it is behind (where the OS allows it). */
export class ThreadPriority {
  readonly #tid: number | undefined;
  readonly #nice: number;
  readonly #base: number;
  #raised = false;
  /** Set once raising was refused (no CAP_SYS_NICE, RLIMIT_NICE 0): the thread stays at its nice value. */
  #refused = false;

  /**
   * Lowers the calling thread's priority to `nice` (no change at 0, or off Linux).
   * @param nice niceness to run at, 0–19
   */
  constructor(nice: number) {
    const tid = currentThreadId();
    this.#nice = nice;
    this.#base = 0;
    // Off Linux `currentThreadId()` is the pid, which would renice the host's own thread: never.
    if (nice <= 0 || tid === process.pid) return;
    // Threads inherit the nice value of the thread that creates them, and libuv's pool — which serves the host's fs,
    // dns, crypto and zlib work too — starts on its first job, wherever that comes from: start it now, at the host's
    // priority, if no one has yet.
    fs.stat('.', () => {});
    try {
      this.#base = os.getPriority(tid);
      if (nice > this.#base) {
        os.setPriority(tid, nice);
        this.#tid = tid;
      }
    } catch {
      // Not allowed here (a seccomp profile): delivery simply runs at the host's priority.
    }
  }

  /** The niceness the thread runs at now, or undefined when it was never changed. */
  get current(): number | undefined {
    return this.#tid === undefined ? undefined : this.#raised ? this.#base : this.#nice;
  }

  /**
   * Back to the host's priority while `behind` (the thread falling behind the host: the kernel lets only privileged
   * processes raise a priority, so elsewhere this is refused once and the thread stays lowered), lowered again after.
   * @returns false when raising was refused (first time only; the caller says so once)
   */
  behind(behind: boolean): boolean {
    const tid = this.#tid;
    if (tid === undefined || behind === this.#raised || (behind && this.#refused)) return true;
    try {
      os.setPriority(tid, behind ? this.#base : this.#nice);
      this.#raised = behind;
      return true;
    } catch {
      if (!behind) return true;
      this.#refused = true;
      return false;
    }
  }
}
