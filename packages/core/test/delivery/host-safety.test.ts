// The host never pays (issue 6): with the backend down — refusing or hanging — enqueue stays as cheap and the
// host's own loop as fast as with no backend at all. Ratios within one run, generous bounds: shared machines are noisy.
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { createEmitter } from '../../src/delivery/emitter.js';
import type { RunEmitter } from '../../src/delivery/types.js';
import type { RunEvent } from '../../src/model/run-event.js';
import { OpenLineageTransport } from '../../src/openlineage/http-transport.js';
import { freePort, runs } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A host loop: some CPU work per job plus the job's lineage events; returns ms for `jobs` jobs. */
async function hostLoop(emitter: RunEmitter, events: RunEvent[]): Promise<number> {
  const started = performance.now();
  let acc = 0;
  for (let i = 0; i < events.length; i += 2) {
    for (let k = 0; k < 2000; k++) acc += Math.sqrt(k * i);
    emitter.enqueue(events[i] as RunEvent);
    emitter.enqueue(events[i + 1] as RunEvent);
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  expect(acc).toBeGreaterThan(0);
  return performance.now() - started;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

describe('host safety', () => {
  it('costs the host the same with the backend refusing or hanging as with no backend', async () => {
    const hanging = await StrictOpenLineageServer.start();
    hanging.hangNext(1_000_000);
    cleanups.push(() => hanging.close());
    const refused = `http://127.0.0.1:${await freePort()}`;
    const make = (url?: string) => {
      const e = createEmitter({
        transports: url ? [new OpenLineageTransport({ url, timeoutMillis: 200 })] : [],
        requestTimeoutMillis: 200,
        initialRetryDelayMillis: 10,
      });
      cleanups.push(() => e.close(100));
      return e;
    };
    const emitters = { none: make(), refused: make(refused), hanging: make(hanging.url) };
    const times: Record<string, number[]> = { none: [], refused: [], hanging: [] };
    for (let round = 0; round < 5; round++) {
      for (const [name, emitter] of Object.entries(emitters)) times[name]?.push(await hostLoop(emitter, runs(2000, `${name}-${round}`)));
    }
    const base = median(times.none as number[]);
    expect(median(times.refused as number[]) / base).toBeLessThan(2);
    expect(median(times.hanging as number[]) / base).toBeLessThan(2);
  });

  it('keeps a single enqueue in the microseconds while the backend is down', async () => {
    const emitter = createEmitter({
      transports: [new OpenLineageTransport({ url: `http://127.0.0.1:${await freePort()}` })],
      maxQueueSize: 100_000,
    });
    cleanups.push(() => emitter.close(100));
    const events = runs(20_000, 'lat');
    const started = process.hrtime.bigint();
    for (const e of events) emitter.enqueue(e);
    const perEventMicros = Number(process.hrtime.bigint() - started) / 1000 / events.length;
    // The bench measures the real figure (bench/delivery); this only guards against blocking behaviour.
    expect(perEventMicros).toBeLessThan(50);
  });
});
