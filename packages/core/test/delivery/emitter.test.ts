// The emitter's contract with adapters: enqueue never throws or blocks; duplicates and events after an
// attempt's end are dropped; flush/close/stats/onEvent; configuration errors at construction.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { createEmitter, disabledEmitter } from '../../src/delivery/emitter.js';
import type { RunEmitter } from '../../src/delivery/types.js';
import { attemptKey, eventKey } from '../../src/model/keys.js';
import type { RunEvent } from '../../src/model/run-event.js';
import { OpenLineageTransport } from '../../src/openlineage/http-transport.js';
import type { Transport } from '../../src/transport.js';
import { RunStoreTransport, readRunStore } from '../../src/transports/run-store.js';
import { expectExactlyOnceInOrder, runs, T } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(options: Partial<Parameters<typeof createEmitter>[0]> = {}) {
  const server = await StrictOpenLineageServer.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-emitter-'));
  const emitter = createEmitter({
    transports: [new OpenLineageTransport({ url: server.url })],
    deadLetterPath: path.join(dir, 'dead.jsonl'),
    ...options,
  });
  cleanups.push(
    () => server.close(),
    () => emitter.close(1000),
  );
  return { server, emitter, dir };
}

/** `store` without `writeNow`: its events are queued and batched like any backend's. */
function queued(store: RunStoreTransport): Transport<string> {
  return {
    name: store.name,
    maxBatchSize: store.maxBatchSize,
    maxBatchBytes: store.maxBatchBytes,
    map: (event) => store.map(event),
    sizeOf: (line) => store.sizeOf(line),
    send: (batch) => store.send(batch),
    close: () => store.close(),
  };
}

describe('createEmitter', () => {
  it('delivers every event once, START before COMPLETE, and counts them', async () => {
    const { server, emitter } = await setup();
    for (const e of runs(25)) emitter.enqueue(e);
    await emitter.flush();
    expectExactlyOnceInOrder(server.accepted, 25);
    expect(emitter.stats()).toMatchObject({
      accepted: 50,
      sent: 50,
      queued: 0,
      inFlight: 0,
      dropped: 0,
      backends: { openlineage: { sent: 50, circuit: 'closed' } },
    });
  });

  it('drops duplicates by event key (sinks and listeners are at-least-once)', async () => {
    const { server, emitter } = await setup();
    const events = runs(5);
    for (const e of [...events, ...events, ...events.map((e) => structuredClone(e))]) emitter.enqueue(e);
    await emitter.flush();
    expectExactlyOnceInOrder(server.accepted, 5);
    expect(emitter.stats()).toMatchObject({ accepted: 10, duplicates: 20 });
  });

  it('keeps each once-only kind once per attempt and nothing after its end, however attempts interleave', async () => {
    // The emitter remembers the last attempt's flags outside its table (emitter.ts, `#last`): events of attempts in
    // runs and interleaved, repeated, against a model of the rules.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-emitter-'));
    const emitter = createEmitter({ transports: [new RunStoreTransport({ path: path.join(dir, 'runs.jsonl') })] });
    cleanups.push(() => emitter.close(1000));
    const accepted: string[] = [];
    emitter.onEvent((e) => accepted.push(eventKey(e)));
    let x = 5;
    const rand = (n: number) => {
      x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((x / 2 ** 31) * n);
    };
    const kinds = ['queued', 'start', 'running', 'end'] as const;
    const expected: string[] = [];
    const seen = new Set<string>();
    const ended = new Set<string>();
    let duplicates = 0;
    let afterTerminal = 0;
    let job = 0;
    for (let i = 0; i < 20_000; i++) {
      // Mostly the same attempt as the event before, sometimes one of the last few, sometimes a new one.
      const r = rand(10);
      if (r === 0) job++;
      const instance = {
        orchestrator: 'bullmq',
        cluster: 'prod',
        flow: 'q',
        job: 'j',
        id: `q/${r < 8 ? job : job - rand(4)}/1`,
        createdAt: T,
      };
      const kind = kinds[rand(4)] as (typeof kinds)[number];
      const base = { instance, attempt: 1 + rand(2), time: T + rand(3) };
      const event: RunEvent = kind === 'end' ? { ...base, kind, startTime: T, result: { status: 'success' } } : { ...base, kind };
      const key = eventKey(event);
      const attempt = attemptKey(event);
      if (seen.has(key)) duplicates++;
      else if (ended.has(attempt)) afterTerminal++;
      else {
        seen.add(key);
        if (kind === 'end') ended.add(attempt);
        expected.push(key);
      }
      emitter.enqueue(event);
    }
    expect(accepted).toEqual(expected);
    expect(emitter.stats()).toMatchObject({ accepted: expected.length, duplicates, afterTerminal });
    expect(expected.length).toBeGreaterThan(1000);
    expect(duplicates).toBeGreaterThan(1000);
    expect(afterTerminal).toBeGreaterThan(1000);
  });

  it('accepts nothing for an attempt after its terminal event', async () => {
    const { server, emitter } = await setup();
    const [start, end] = runs(1) as [RunEvent, RunEvent];
    emitter.enqueue(start);
    emitter.enqueue(end);
    emitter.enqueue({ ...start, kind: 'running', time: end.time + 1 });
    emitter.enqueue({ ...end, time: end.time + 2, result: { status: 'failure' } });
    await emitter.flush();
    expect(server.accepted).toHaveLength(2);
    expect(emitter.stats().afterTerminal).toBe(1);
    expect(emitter.stats().duplicates).toBe(1);
  });

  it('never throws from enqueue, even for garbage, and keeps delivering', async () => {
    const { server, emitter } = await setup();
    expect(() => emitter.enqueue(null as unknown as RunEvent)).not.toThrow();
    expect(() => emitter.enqueue({ kind: 'start' } as unknown as RunEvent)).not.toThrow();
    for (const e of runs(2)) emitter.enqueue(e);
    await emitter.flush();
    expect(server.accepted.length).toBeGreaterThanOrEqual(4);
  });

  it('tells subscribers about each accepted event, and survives a throwing subscriber', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_o: unknown, m?: string) => warnings.push(m ?? ''), error() {} };
    const { emitter } = await setup({ logger });
    const seen: string[] = [];
    const off = emitter.onEvent((e) => seen.push(e.kind));
    emitter.onEvent(() => {
      throw new Error('subscriber bug');
    });
    const events = runs(1);
    for (const e of [...events, ...events]) emitter.enqueue(e);
    off();
    emitter.enqueue({ ...(events[0] as RunEvent), attempt: 2 });
    expect(seen).toEqual(['start', 'end']);
    expect(warnings.some((w) => w.includes('listener threw'))).toBe(true);
  });

  it('closes idempotently and ignores events after close', async () => {
    const { server, emitter } = await setup();
    for (const e of runs(3)) emitter.enqueue(e);
    const a = emitter.close(2000);
    const b = emitter.close(2000);
    expect(a).toBe(b);
    await a;
    emitter.enqueue(runs(1, 'late')[0] as RunEvent);
    expect(server.accepted).toHaveLength(6);
  });

  it('waits for the flush interval to fill batches, and flush() sends at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-interval-'));
    const store = path.join(dir, 'runs.jsonl');
    const emitter = createEmitter({ transports: [queued(new RunStoreTransport({ path: store }))], flushIntervalMillis: 60_000 });
    cleanups.push(() => emitter.close(1000));
    for (const e of runs(2)) emitter.enqueue(e);
    await new Promise((r) => setTimeout(r, 150));
    expect(readRunStore(store)).toHaveLength(0);
    await emitter.flush();
    expect(readRunStore(store)).toHaveLength(4);
    const fast = createEmitter({
      transports: [queued(new RunStoreTransport({ path: path.join(dir, 'fast.jsonl') }))],
      flushIntervalMillis: 50,
    });
    cleanups.push(() => fast.close(1000));
    for (const e of runs(2)) fast.enqueue(e);
    await new Promise((r) => setTimeout(r, 300));
    expect(readRunStore(path.join(dir, 'fast.jsonl'))).toHaveLength(4);
  });

  it('rejects invalid limits and duplicate transport names at construction', () => {
    const t = () => new OpenLineageTransport({ url: 'http://127.0.0.1:9' });
    expect(() => createEmitter({ transports: [t()], maxQueueSize: 0 })).toThrow(/maxQueueSize/);
    expect(() => createEmitter({ transports: [t()], flushIntervalMillis: Number.NaN })).toThrow(/flushIntervalMillis/);
    expect(() => createEmitter({ transports: [t(), t()] })).toThrow(/distinct name/);
  });

  it('has a disabled form that costs nothing', async () => {
    const off: RunEmitter = disabledEmitter();
    off.enqueue(runs(1)[0] as RunEvent);
    await off.flush();
    expect(off.stats().accepted).toBe(0);
  });
});
