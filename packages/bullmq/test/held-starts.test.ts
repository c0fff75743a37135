// The held starts of instrument-worker.ts on their own: how long a start is held (at least `millis`, less than twice
// that), in which order starts are written, and that the one timer comes back after the Worker went idle or a flush.
import { describe, expect, it } from 'vitest';
import { HeldStarts, type Holdable } from '../src/held-starts.js';

interface Start extends Holdable {
  id: number;
  heldAt: number;
  writtenAt?: number;
}

const MILLIS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Held starts that record when each was written, and the order. */
function holder() {
  const written: Start[] = [];
  const starts = new HeldStarts<Start>(
    {
      writeHeld(s) {
        s.writtenAt = performance.now();
        written.push(s);
      },
    },
    MILLIS,
  );
  let next = 0;
  const hold = (): Start => {
    const s: Start = { id: next++, held: false, heldAt: performance.now() };
    starts.hold(s);
    return s;
  };
  return { starts, written, hold };
}

describe('HeldStarts', () => {
  it('writes a start once it was held at least `millis` and less than twice that, in the order they began', async () => {
    const { written, hold } = holder();
    // Spread over more than a tick: a start held just before a tick must still wait a whole one more.
    const held: Start[] = [];
    for (let i = 0; i < 8; i++) {
      held.push(hold());
      await sleep(MILLIS / 4);
    }
    await sleep(3 * MILLIS);
    expect(written.map((s) => s.id)).toEqual(held.map((s) => s.id));
    for (const s of written) {
      const heldFor = (s.writtenAt as number) - s.heldAt;
      // Timers fire on the loop's millisecond clock: allow 2 ms early, and a loaded machine's lateness.
      expect(heldFor).toBeGreaterThanOrEqual(MILLIS - 2);
      expect(heldFor).toBeLessThan(2 * MILLIS + 60);
    }
  });

  it('never writes a start that was written or ended meanwhile, and writes each start once', async () => {
    const { starts, written, hold } = holder();
    const ended = hold();
    const early = hold();
    const kept = hold();
    // An attempt that succeeded within the hold: its start went with its end (the hooks clear `held`).
    ended.held = false;
    starts.writeNow(early);
    starts.writeNow(early);
    expect(written.map((s) => s.id)).toEqual([early.id]);
    await sleep(3 * MILLIS);
    expect(written.map((s) => s.id)).toEqual([early.id, kept.id]);
  });

  it('holds again after the Worker was idle, and after a flush or close wrote everything', async () => {
    const { starts, written, hold } = holder();
    const first = hold();
    await sleep(4 * MILLIS);
    expect(written).toEqual([first]);
    // Idle for several ticks: the timer stopped; a new hold arms it again.
    const second = hold();
    await sleep(3 * MILLIS);
    expect(written).toEqual([first, second]);
    // A flush writes every held start at once, older ones first, and stops the timer; holding still works after it.
    const a = hold();
    await sleep(MILLIS + 5);
    const b = hold();
    starts.onFlush();
    expect(written).toEqual([first, second, a, b]);
    const c = hold();
    await sleep(3 * MILLIS);
    expect(written).toEqual([first, second, a, b, c]);
    // Close writes what is held and nothing after it.
    const d = hold();
    starts.close();
    hold();
    await sleep(3 * MILLIS);
    expect(written).toEqual([first, second, a, b, c, d]);
  });
});
