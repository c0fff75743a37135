// The local store written directly (Transport.writeNow): each event lands in the store in the turn the emitter
// accepted it, with no copy in the spool; a store that cannot be written sends its events through the spool and
// retries until it can, once each and in order, then is written directly again; process.exit() loses none.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { createEmitter } from '../../src/delivery/emitter.js';
import type { EmitterOptions, RunEmitter } from '../../src/delivery/types.js';
import { eventKey } from '../../src/model/keys.js';
import type { RunEvent } from '../../src/model/run-event.js';
import { OpenLineageTransport } from '../../src/openlineage/http-transport.js';
import type { Transport } from '../../src/transport.js';
import { RunStoreTransport, readRunStore } from '../../src/transports/run-store.js';
import { expectExactlyOnceInOrder, runs, sleep } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const FAST: Partial<EmitterOptions> = { initialRetryDelayMillis: 20, maxRetryDelayMillis: 100, circuitResetMillis: 200 };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-direct-'));
const turn = () => new Promise((r) => setImmediate(r));
const spoolLines = (dir: string) => {
  const file = path.join(dir, 'slot-0', 'events.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
};

function emitter(options: EmitterOptions): RunEmitter {
  const e = createEmitter(options);
  cleanups.push(() => e.close(1000));
  return e;
}

/** An emitter on the store in `dir` and an OpenLineage backend beside it (a strict loopback server), spool on. */
async function storeBesideOpenLineage(dir: string, options: Partial<EmitterOptions> = {}) {
  const server = await StrictOpenLineageServer.start();
  cleanups.push(() => server.close());
  const store = path.join(dir, 'runs.jsonl');
  const spool = path.join(dir, 'spool');
  const e = emitter({
    transports: [new RunStoreTransport({ path: store }), new OpenLineageTransport({ url: server.url })],
    spool: { dir: spool },
    ...options,
  });
  return { server, store, spool, e };
}

/** `stored` holds exactly `events`, each once, in the order they were enqueued. */
function expectStoredInOrder(stored: RunEvent[], events: RunEvent[]): void {
  expect(stored.map(eventKey)).toEqual(events.map(eventKey));
}

describe('the local store, written directly', () => {
  it('holds each event by the end of the turn that accepted it, with no copy in the spool', async () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    // A flush interval of a minute: what reaches the store at once was not batched.
    const e = emitter({
      transports: [new RunStoreTransport({ path: store })],
      spool: { dir: path.join(dir, 'spool') },
      flushIntervalMillis: 60_000,
    });
    const events = runs(200);
    for (const ev of events) e.enqueue(ev);
    expect(readRunStore(store)).toHaveLength(0);
    await turn();
    expectStoredInOrder(readRunStore(store), events);
    expect(spoolLines(path.join(dir, 'spool'))).toBe(0);
    expect(e.stats()).toMatchObject({ accepted: 400, sent: 400, queued: 0, backends: { store: { sent: 400, queued: 0 } } });
  });

  it('spools for a backend beside it, which gets everything too, while the store gets each event once', async () => {
    const { server, store, spool, e } = await storeBesideOpenLineage(tmp());
    const events = runs(30);
    for (const ev of events) e.enqueue(ev);
    await turn();
    // OpenLineage needs the spool's copy until it has the events; the store has them already.
    expect(spoolLines(spool)).toBe(60);
    expectStoredInOrder(readRunStore(store), events);
    await e.flush();
    expectExactlyOnceInOrder(server.accepted, 30);
    expectStoredInOrder(readRunStore(store), events);
  });

  it('lets the spool be truncated once the backend beside it has everything, without a flush or close', async () => {
    const { server, spool, e } = await storeBesideOpenLineage(tmp(), { maxConcurrentRequests: 4, flushIntervalMillis: 20 });
    // More than the spool's compaction threshold (1 MiB) of OpenLineage's copies.
    const first = runs(2500, 'big');
    for (let i = 0; i < first.length; i += 500) {
      for (const ev of first.slice(i, i + 500)) e.enqueue(ev);
      await turn();
    }
    expect(spoolLines(spool)).toBe(5000);
    await server.waitForAccepted(5000, 30_000);
    // The store's progress is saved within 50 ms of its writes; the next delivery after it truncates the spool.
    await sleep(200);
    for (const ev of runs(1, 'after')) e.enqueue(ev);
    await server.waitForAccepted(5002, 10_000);
    await sleep(100);
    expect(spoolLines(spool)).toBeLessThan(5000);
  });

  it('sends what it could not write through the spool and retries, then writes directly again', async () => {
    const dir = tmp();
    const spool = path.join(dir, 'spool');
    // The store's directory is a file at first: every write fails (ENOTDIR).
    const blocker = path.join(dir, 'blocked');
    fs.writeFileSync(blocker, '');
    const store = path.join(blocker, 'runs.jsonl');
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_: unknown, m?: string) => warnings.push(String(m)), error() {} };
    const e = emitter({
      transports: [new RunStoreTransport({ path: store })],
      spool: { dir: spool },
      logger,
      flushIntervalMillis: 20,
      ...FAST,
    });
    const first = runs(20, 'down');
    for (const ev of first) e.enqueue(ev);
    // A turn for the failed write, another for the spool's write of what it handed over.
    await turn();
    await turn();
    // Not written: kept in the spool, queued and retried.
    expect(spoolLines(spool)).toBe(40);
    await sleep(100);
    expect(e.stats().backends.store?.retried).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes('could not write events'))).toHaveLength(1);
    // While those wait, new events queue behind them (their order per run is kept).
    const second = runs(5, 'while-down');
    for (const ev of second) e.enqueue(ev);
    await turn();
    expect(spoolLines(spool)).toBe(50);
    fs.rmSync(blocker);
    fs.mkdirSync(blocker);
    await e.flush();
    expectStoredInOrder(readRunStore(store), [...first, ...second]);
    // Caught up: the store is written directly again, the spool keeps nothing more for it.
    const spooled = spoolLines(spool);
    const third = runs(10, 'up');
    for (const ev of third) e.enqueue(ev);
    await turn();
    expectStoredInOrder(readRunStore(store), [...first, ...second, ...third]);
    expect(spoolLines(spool)).toBe(spooled);
  });

  it('has what it could not write on disk in the spool within the turn of the failed write', async () => {
    const dir = tmp();
    const spool = path.join(dir, 'spool');
    const blocker = path.join(dir, 'blocked');
    fs.writeFileSync(blocker, '');
    const e = emitter({ transports: [new RunStoreTransport({ path: path.join(blocker, 'runs.jsonl') })], spool: { dir: spool }, ...FAST });
    for (const ev of runs(20, 'same-turn')) e.enqueue(ev);
    // One turn: the failed write's. A delivery thread releases its records in the turn after the one that accepted
    // them; its host may exit at once, so the events must be on disk by then, not in the spool's next write.
    await turn();
    expect(spoolLines(spool)).toBe(40);
  });

  it('dead-letters an event its transport cannot map, and writes and counts the rest', async () => {
    const dir = tmp();
    const written: string[] = [];
    const picky: Transport<string> = {
      name: 'picky',
      maxBatchSize: 1000,
      maxBatchBytes: 1024 * 1024,
      map: (event) => {
        if (event.instance.id.includes('picky-3/')) throw new Error('cannot map this one');
        return [JSON.stringify(event)];
      },
      sizeOf: (line) => line.length,
      send: async () => {
        throw new Error('send is not used while writes succeed');
      },
      writeNow: (lines) => {
        written.push(...lines);
      },
    };
    const e = emitter({ transports: [picky], spool: { dir: path.join(dir, 'spool') }, deadLetterPath: path.join(dir, 'dead.jsonl') });
    const events = runs(5, 'picky');
    for (const ev of events) e.enqueue(ev);
    await turn();
    const bad = events.filter((ev) => ev.instance.id.includes('picky-3/'));
    expect(bad).toHaveLength(2);
    expect(written.map((l) => eventKey(JSON.parse(l) as RunEvent))).toEqual(events.filter((ev) => !bad.includes(ev)).map(eventKey));
    expect(e.stats().backends.picky).toMatchObject({ sent: 8, deadLettered: 2, queued: 0 });
    expect(fs.readFileSync(path.join(dir, 'dead.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('writes more than one write holds as several writes of whole lines, multi-byte text intact, call after call', () => {
    const file = path.join(tmp(), 'runs.jsonl');
    const store = new RunStoreTransport({ path: file });
    cleanups.push(() => store.close());
    // ≈ 2.4 M UTF-16 units: more than maxBatchBytes (4 MiB) by the 3-bytes-per-unit bound, so at least two writes.
    const big = Array.from({ length: 240 }, (_, i) => JSON.stringify({ i, text: `${'é名😀'.repeat(2000)}${'x'.repeat(i)}` }));
    const small = ['{"a":1}', '{"b":"ü"}'];
    store.writeNow(big);
    store.writeNow(small);
    store.writeNow(big.slice(0, 3));
    expect(fs.readFileSync(file, 'utf8')).toBe(`${[...big, ...small, ...big.slice(0, 3)].join('\n')}\n`);
  });

  it('writes what the turn held when the process calls process.exit() right after enqueuing', () => {
    const dir = tmp();
    const store = path.join(dir, 'runs.jsonl');
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createEmitter, RunStoreTransport } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
         const e = createEmitter({ transports: [new RunStoreTransport({ path: ${JSON.stringify(store)} })] });
         for (let i = 0; i < 300; i++) {
           const instance = { orchestrator: 'bullmq', cluster: 'prod', flow: 'q', job: 'j', id: 'bull/q/' + i + '/1', createdAt: 1 };
           e.enqueue({ kind: 'start', instance, attempt: 1, time: 1 + i });
           e.enqueue({ kind: 'end', instance, attempt: 1, time: 2 + i, startTime: 1 + i, result: { status: 'success' } });
         }
         process.exit(0);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(child.status).toBe(0);
    const stored = readRunStore(store);
    expect(stored).toHaveLength(600);
    expect(new Set(stored.map(eventKey)).size).toBe(600);
  });
});
