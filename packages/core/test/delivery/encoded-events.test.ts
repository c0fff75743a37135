// Events as JSON text (records.ts: RecordEncoder, EncodedSink): a codec's encoder gives the delivery thread the JSON
// of a record's events, which the local store writes as it is, with no event object built — the same lines, the
// same dedup, as the decoded events would give. An event is built, once, only where something needs it: a
// listener, a backend beside the store, a store that cannot be written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmitter } from '../../src/delivery/emitter.js';
import { enqueueRecord, type RecordDecoder, type RecordEncoder } from '../../src/delivery/records.js';
import type { EmitterOptions, RunEmitter } from '../../src/delivery/types.js';
import { eventKey } from '../../src/model/keys.js';
import type { RunEvent } from '../../src/model/run-event.js';
import type { Transport } from '../../src/transport.js';
import { RunStoreTransport, readRunStore } from '../../src/transports/run-store.js';
import { createDecoder, createEncoder } from './fixtures/run-codec.mjs';
import { T } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-encoded-'));
const turn = () => new Promise((r) => setImmediate(r));
const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const FAST: Partial<EmitterOptions> = { initialRetryDelayMillis: 20, maxRetryDelayMillis: 100, circuitResetMillis: 200 };

function emitter(options: EmitterOptions): RunEmitter {
  const e = createEmitter(options);
  cleanups.push(() => e.close(1000));
  return e;
}

/** The fixture codec, its decoder counting its calls (each call builds the events of one record). */
function codec() {
  const decodeOnce = createDecoder({ cluster: 'prod' }) as RecordDecoder;
  const counted = { decodes: 0 };
  const decode: RecordDecoder = (fields) => {
    counted.decodes++;
    return decodeOnce(fields);
  };
  const encode = createEncoder({ cluster: 'prod' }) as RecordEncoder;
  /** The events of a record, as the decoder builds them. */
  const decoded = (fields: string[]): RunEvent[] => {
    const d = decodeOnce(fields);
    return d === undefined ? [] : Array.isArray(d) ? [...(d as readonly RunEvent[])] : [d as RunEvent];
  };
  return { decode, encode, counted, decoded };
}

/** `p` records (a start and its end each) for runs `from` to `to`. */
const pairs = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ['p', String(from + k), String(T + from + k)]);

describe('events as JSON text', () => {
  it('are written to the store as their JSON text, each once, with no event built and nothing spooled', async () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    const e = emitter({ transports: [new RunStoreTransport({ path: store })], spool: { dir: path.join(dir, 'spool') } });
    const c = codec();
    const records = pairs(0, 500);
    for (const fields of records) enqueueRecord(e, c.decode, c.encode, fields);
    // Each record again: duplicates (sinks are at-least-once), dropped without being built either.
    for (const fields of records.slice(0, 100)) enqueueRecord(e, c.decode, c.encode, fields);
    await turn();
    expect(c.counted.decodes).toBe(0);
    // The very lines JSON.stringify makes of the decoded events.
    expect(lines(store)).toEqual(records.flatMap((f) => c.decoded(f).map((ev) => JSON.stringify(ev))));
    expect(e.stats()).toMatchObject({ accepted: 1000, duplicates: 200 });
    expect(e.stats().backends.store).toMatchObject({ sent: 1000, queued: 0 });
    expect(lines(path.join(dir, 'spool', 'slot-0', 'events.jsonl'))).toHaveLength(0);
  });

  it('share dedup and the immutability guard with events enqueued as objects, both ways round', async () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    const e = emitter({ transports: [new RunStoreTransport({ path: store })] });
    const c = codec();
    const [first, second] = pairs(0, 2) as [string[], string[]];
    enqueueRecord(e, c.decode, c.encode, first);
    for (const ev of c.decoded(first)) e.enqueue(ev);
    const [start, end] = c.decoded(second) as [RunEvent, RunEvent];
    e.enqueue(start);
    e.enqueue(end);
    enqueueRecord(e, c.decode, c.encode, second);
    // After its end, nothing more of an attempt is taken: a heartbeat seen only now is dropped as after-terminal.
    e.enqueue({ ...start, kind: 'running', time: start.time + 5 });
    await e.flush();
    expect(readRunStore(store).map(eventKey)).toEqual([...c.decoded(first), start, end].map(eventKey));
    expect(e.stats()).toMatchObject({ accepted: 4, duplicates: 4, afterTerminal: 1 });
  });

  it('are built, once per record, for a listener, which gets them after dedup', async () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    const e = emitter({ transports: [new RunStoreTransport({ path: store })], spool: { dir: path.join(dir, 'spool') } });
    const heard: RunEvent[] = [];
    const stop = e.onEvent((ev) => heard.push(ev));
    const c = codec();
    const records = pairs(0, 50);
    for (const fields of [...records, ...records]) enqueueRecord(e, c.decode, c.encode, fields);
    await e.flush();
    expect(c.counted.decodes).toBe(50);
    expect(heard).toEqual(records.flatMap((f) => c.decoded(f)));
    expect(lines(store)).toEqual(heard.map((ev) => JSON.stringify(ev)));
    // No listener any more: nothing is built again.
    stop();
    for (const fields of pairs(50, 60)) enqueueRecord(e, c.decode, c.encode, fields);
    await e.flush();
    expect(c.counted.decodes).toBe(50);
    expect(lines(store)).toHaveLength(120);
  });

  it('are built for a backend beside the store, which gets them through the spool, the store its lines', async () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    const sent: RunEvent[] = [];
    const beside: Transport<RunEvent> = {
      name: 'beside',
      maxBatchSize: 100,
      maxBatchBytes: 1024 * 1024,
      map: (event) => [event],
      sizeOf: () => 100,
      send: async (batch) => {
        sent.push(...batch);
      },
    };
    const spool = path.join(dir, 'spool');
    const e = emitter({ transports: [new RunStoreTransport({ path: store }), beside], spool: { dir: spool } });
    const c = codec();
    const records = pairs(0, 200);
    for (const fields of records) enqueueRecord(e, c.decode, c.encode, fields);
    await e.flush();
    const expected = records.flatMap((f) => c.decoded(f));
    expect(c.counted.decodes).toBe(200);
    expect(sent).toEqual(expected);
    expect(lines(store)).toEqual(expected.map((ev) => JSON.stringify(ev)));
  });

  it('are built and spooled within the turn when the store cannot be written, and written once it can', async () => {
    const dir = tmp();
    const spool = path.join(dir, 'spool');
    // The store's directory is a file at first: every write fails (ENOTDIR).
    const blocker = path.join(dir, 'blocked');
    fs.writeFileSync(blocker, '');
    const store = path.join(blocker, 'runs.jsonl');
    const e = emitter({ transports: [new RunStoreTransport({ path: store })], spool: { dir: spool }, flushIntervalMillis: 20, ...FAST });
    const c = codec();
    const records = pairs(0, 30);
    for (const fields of records) enqueueRecord(e, c.decode, c.encode, fields);
    await turn();
    // On disk in the spool by the end of the failed write's turn (a delivery thread releases its records after it).
    expect(lines(path.join(spool, 'slot-0', 'events.jsonl'))).toHaveLength(60);
    expect(c.counted.decodes).toBe(30);
    fs.rmSync(blocker);
    fs.mkdirSync(blocker);
    await e.flush();
    const expected = records.flatMap((f) => c.decoded(f));
    expect(readRunStore(store).map(eventKey)).toEqual(expected.map(eventKey));
    expect(lines(store)).toEqual(expected.map((ev) => JSON.stringify(ev)));
  });

  it('are decoded instead for a record the encoder leaves, and for a sink that takes no JSON text', async () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    const e = emitter({ transports: [new RunStoreTransport({ path: store })] });
    const c = codec();
    enqueueRecord(e, c.decode, c.encode, ['s', '7', String(T)]);
    expect(c.counted.decodes).toBe(1);
    const plain: RunEvent[] = [];
    enqueueRecord({ enqueue: (ev) => plain.push(ev) }, c.decode, c.encode, ['p', '8', String(T)]);
    expect(c.counted.decodes).toBe(2);
    expect(plain).toEqual(c.decoded(['p', '8', String(T)]));
    await e.flush();
    expect(readRunStore(store)).toEqual(c.decoded(['s', '7', String(T)]));
  });
});
