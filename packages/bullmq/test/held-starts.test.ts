// The held starts of instrument-worker.ts on their own: how long a start is held (at least `millis`, less than twice
// that), in which order starts are written, that an attempt's end found among them (in either generation) is written
// with its start, that each is written once, and that the one timer comes back after the Worker went idle or a flush.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { HeldStarts } from '../src/held-starts.js';

/** A job as the hooks hold it (any object: held by identity). */
interface Job {
  id: number;
  heldAt: number;
}

/** What the writer was given for one held attempt, and when. */
interface Written {
  id: number;
  attempt: number;
  startTime: number;
  endTime: number;
  heldFor: number;
  /** The job's timestamp, as kept by `succeededPlain`. */
  timestamp?: number;
}

const MILLIS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Held starts that record what was written for each job, when, and in which order. */
function holder() {
  const written: Written[] = [];
  /** How many attempts had been written at each `endHeld`. */
  const endedAt: number[] = [];
  const starts = new HeldStarts<Job>(
    {
      writeHeld(job, attempt, startTime, endTime) {
        written.push({ id: job.id, attempt, startTime, endTime, heldFor: performance.now() - job.heldAt });
      },
      writePlain(jobId, name, timestamp, attempt, startTime, endTime) {
        // What was kept of the job: its id, and its hold's start as its "name", its own start as its "timestamp".
        written.push({ id: Number(jobId), attempt, startTime, endTime, heldFor: performance.now() - Number(name), timestamp });
      },
      endHeld() {
        endedAt.push(written.length);
      },
    },
    MILLIS,
  );
  let next = 0;
  /** Holds a new job's attempt: attempt number = id + 1, start time = 1000 + id. */
  const hold = (): Job => {
    const job: Job = { id: next++, heldAt: performance.now() };
    starts.hold(job, job.id + 1, 1000 + job.id);
    return job;
  };
  const ids = () => written.map((w) => w.id);
  return { starts, written, hold, ids, endedAt };
}

describe('HeldStarts', () => {
  it('writes a start once it was held at least `millis` and less than twice that, in the order they began', async () => {
    const { written, hold, ids } = holder();
    // Spread over more than a tick: a start held just before a tick must still wait a whole one more.
    const held: Job[] = [];
    for (let i = 0; i < 8; i++) {
      held.push(hold());
      await sleep(MILLIS / 4);
    }
    await sleep(3 * MILLIS);
    expect(ids()).toEqual(held.map((j) => j.id));
    for (const w of written) {
      expect(w).toMatchObject({ attempt: w.id + 1, startTime: 1000 + w.id, endTime: 0 });
      // Timers fire on the loop's millisecond clock: allow 2 ms early, and a loaded machine's lateness.
      expect(w.heldFor).toBeGreaterThanOrEqual(MILLIS - 2);
      expect(w.heldFor).toBeLessThan(2 * MILLIS + 60);
    }
  });

  it('writes an attempt that succeeded within its hold with its end, once, in its place — found in either generation', async () => {
    const { starts, written, hold, ids } = holder();
    const a = hold();
    const b = hold();
    // b's end is noted in the younger generation; a tick later a's in the older one.
    expect(starts.succeeded(b, 5001)).toBe(true);
    await sleep(MILLIS + 5);
    expect(written).toEqual([]);
    expect(starts.succeeded(a, 5000)).toBe(true);
    await sleep(2 * MILLIS + 10);
    expect(written.map(({ id, endTime }) => [id, endTime])).toEqual([
      [a.id, 5000],
      [b.id, 5001],
    ]);
    // Written: no longer held, nothing noted, nothing written again.
    expect(starts.succeeded(a, 6000)).toBe(false);
    expect(starts.release(a)).toBe(false);
    await sleep(2 * MILLIS + 10);
    expect(ids()).toEqual([a.id, b.id]);
    // A job never held is not found either.
    expect(starts.succeeded({ id: 99, heldAt: 0 }, 1)).toBe(false);
  });

  it('finds ends in the order the attempts started at once, and any other order by a search, in either generation', async () => {
    const { starts, written, hold } = holder();
    const older = [hold(), hold(), hold()];
    await sleep(MILLIS * 1.3);
    const younger = [hold(), hold(), hold(), hold()];
    const all = [...older, ...younger];
    // In order across the two generations, then out of order, then in order again after a search.
    for (const i of [0, 1, 3, 4, 6, 2, 5]) expect(starts.succeeded(all[i] as Job, 5000 + i)).toBe(true);
    await sleep(3 * MILLIS);
    expect(written.map((w) => [w.id, w.endTime])).toEqual(all.map((j, i) => [j.id, 5000 + i]));
  });

  it('writes a released start at once (with its end if one was noted) and never again', async () => {
    const { starts, written, hold, ids } = holder();
    const early = hold();
    const ended = hold();
    const kept = hold();
    expect(starts.release(early)).toBe(true);
    expect(starts.release(early)).toBe(false);
    expect(ids()).toEqual([early.id]);
    expect(written[0]?.endTime).toBe(0);
    expect(starts.succeeded(ended, 7000)).toBe(true);
    expect(starts.release(ended)).toBe(true);
    expect(written[1]).toMatchObject({ id: ended.id, endTime: 7000 });
    await sleep(3 * MILLIS);
    expect(ids()).toEqual([early.id, ended.id, kept.id]);
  });

  it('writes the earlier held starts of the same job first, oldest first across generations, and nothing after it', async () => {
    const { starts, written, hold, ids } = holder();
    // "The same job" here: the same parity of id.
    const same = (a: Job, b: Job) => a.id % 2 === b.id % 2;
    const older = [hold(), hold()];
    // A tick between: the first two in the older generation.
    await sleep(MILLIS * 1.3);
    expect(ids()).toEqual([]);
    const younger = [hold(), hold(), hold(), hold(), hold()];
    const job = younger[2] as Job;
    starts.releaseEarlier(job, same);
    expect(ids()).toEqual([older[0]?.id, younger[0]?.id]);
    // Not the job itself: release writes it.
    expect(starts.release(job)).toBe(true);
    expect(ids()).toEqual([0, 2, 4]);
    starts.onFlush();
    expect(ids()).toEqual([0, 2, 4, 1, 3, 5, 6]);
    expect(written.map((w) => w.attempt)).toEqual([1, 3, 5, 2, 4, 6, 7]);
  });

  it('holds again after the Worker was idle, and after a flush or close wrote everything', async () => {
    const { starts, hold, ids } = holder();
    const first = hold();
    await sleep(4 * MILLIS);
    expect(ids()).toEqual([first.id]);
    // Idle for several ticks: the timer stopped; a new hold arms it again.
    const second = hold();
    await sleep(3 * MILLIS);
    expect(ids()).toEqual([first.id, second.id]);
    // A flush writes every held start at once, older ones first, and stops the timer; holding still works after it.
    const a = hold();
    await sleep(MILLIS + 5);
    const b = hold();
    starts.onFlush();
    expect(ids()).toEqual([first.id, second.id, a.id, b.id]);
    const c = hold();
    await sleep(3 * MILLIS);
    expect(ids()).toEqual([first.id, second.id, a.id, b.id, c.id]);
    // Close writes what is held and nothing after it.
    const d = hold();
    starts.close();
    hold();
    await sleep(3 * MILLIS);
    expect(ids()).toEqual([first.id, second.id, a.id, b.id, c.id, d.id]);
  });

  it('tells its writer once the attempts due together are all written — a tick, a flush — never between them', async () => {
    const { starts, written, hold, endedAt } = holder();
    const a = hold();
    hold();
    expect(starts.succeededPlain(a, 5000, String(a.id), String(a.heldAt), 77)).toBe(true);
    await sleep(3 * MILLIS);
    // One tick wrote both (a plain success and a start): told after both, not after the first.
    expect(written).toHaveLength(2);
    expect(endedAt).not.toContain(1);
    expect(endedAt.at(-1)).toBe(2);
    // A flush: told once both are written.
    const told = endedAt.length;
    hold();
    hold();
    starts.onFlush();
    expect(written).toHaveLength(4);
    expect(endedAt.slice(told)).not.toContain(3);
    expect(endedAt.at(-1)).toBe(4);
  });

  it('lets go of a job that succeeded plain at once, and writes what was kept of it in its place, once', async () => {
    const { starts, written, hold, ids } = holder();
    const a = hold();
    const b = hold();
    const c = hold();
    expect(starts.succeededPlain(b, 5000, String(b.id), String(b.heldAt), 77)).toBe(true);
    // Found no more: its end is noted, the job let go of.
    expect(starts.succeededPlain(b, 6000, String(b.id), String(b.heldAt), 77)).toBe(false);
    expect(starts.release(b)).toBe(false);
    expect(starts.succeeded(c, 5001)).toBe(true);
    expect(ids()).toEqual([]);
    await sleep(3 * MILLIS);
    expect(ids()).toEqual([a.id, b.id, c.id]);
    expect(written[1]).toMatchObject({ id: b.id, attempt: b.id + 1, startTime: 1000 + b.id, endTime: 5000, timestamp: 77 });
    expect(written[1]?.heldFor).toBeGreaterThanOrEqual(MILLIS - 1);
    expect(written[2]).toMatchObject({ id: c.id, endTime: 5001 });
    expect(written[2]?.timestamp).toBeUndefined();
    starts.onFlush();
    expect(written).toHaveLength(3);
  });

  it('keeps no job once its start is written (a generation lets go of what it held)', async () => {
    const { starts, hold } = holder();
    // Held, then written by a flush: only the generation's arrays could still reach it.
    const ref = new WeakRef(hold());
    starts.onFlush();
    // And one that succeeded plain, while it is still held: let go of at its end, before its hold is over.
    const plainRef = ((job) => {
      starts.succeededPlain(job, 1, String(job.id), 'job', 0);
      return new WeakRef(job);
    })(hold());
    // The GC of this V8, reached without --expose-gc.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await sleep(0);
    gc();
    expect(ref.deref()).toBeUndefined();
    expect(plainRef.deref()).toBeUndefined();
    starts.close();
  });
});
