// The delivery thread (threaded-emitter.ts): the same contract as the in-host emitter — every event once, in order
// per run, dedup, onEvent after dedup, flush/close, config errors at construction — with delivery on a worker
// thread; and what happens when the thread cannot run, dies, or the process ends without closing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { createEmitter } from '../../src/delivery/emitter.js';
import { emitterFromEnv } from '../../src/delivery/from-env.js';
import { fieldText, type RecordField } from '../../src/delivery/records.js';
import { ThreadedEmitter } from '../../src/delivery/threaded-emitter.js';
import type { RunEmitter } from '../../src/delivery/types.js';
import { ConfigError } from '../../src/errors.js';
import type { RunEvent } from '../../src/model/run-event.js';
import { RunStoreTransport, readRunStore } from '../../src/transports/run-store.js';
import { runs, T } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rt-thread-'));
}

function threaded(cwd: string, extra: Record<string, string> = {}): RunEmitter {
  const emitter = emitterFromEnv({ cwd, env: { RUNTRAIL_STORE: path.join(cwd, 'runs.jsonl'), ...extra }, spool: {}, deliveryThread: true });
  cleanups.push(() => emitter.close(2000));
  return emitter;
}

/** Starts fixture `script` as a child process and resolves with it once it says "ready". */
async function readyChild(script: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [new URL(`./fixtures/${script}`, import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  return child;
}

/** A ThreadedEmitter running `fixture` as its thread, falling back to a store in a fresh directory. */
function withThread(fixture: string): { emitter: ThreadedEmitter; file: string } {
  const cwd = tmp();
  const file = path.join(cwd, 'runs.jsonl');
  const entry = new URL(`./fixtures/${fixture}`, import.meta.url);
  const emitter = new ThreadedEmitter(
    { env: {}, cwd },
    () => createEmitter({ transports: [new RunStoreTransport({ path: file })] }),
    undefined,
    entry,
  );
  cleanups.push(() => emitter.close(1000));
  return { emitter, file };
}

const keyOf = (e: RunEvent) => `${e.instance.id}#${e.attempt}:${e.kind}`;

describe('ThreadedEmitter', () => {
  it('delivers every event once, in order per run, with dedup and onEvent after dedup', async () => {
    const cwd = tmp();
    const emitter = threaded(cwd);
    expect(emitter).toBeInstanceOf(ThreadedEmitter);
    const notified: string[] = [];
    emitter.onEvent((e) => notified.push(keyOf(e)));
    const events = runs(3000, 'thr');
    // Enqueued in several turns of the event loop, each event twice: the copy is a duplicate.
    for (let i = 0; i < events.length; i += 700) {
      for (const e of events.slice(i, i + 700)) {
        emitter.enqueue(e);
        emitter.enqueue({ ...e });
      }
      await new Promise((r) => setImmediate(r));
    }
    await emitter.flush();
    expect((emitter as ThreadedEmitter).mode).toBe('thread');
    const stored = readRunStore(path.join(cwd, 'runs.jsonl'));
    expect(stored.map(keyOf)).toEqual(events.map(keyOf));
    expect(notified).toEqual(events.map(keyOf));
    const stats = emitter.stats();
    expect(stats).toMatchObject({ accepted: 6000, duplicates: 6000, sent: 6000, queued: 0 });
    // Closing is idempotent; afterwards flush resolves (no thread left to answer) and enqueue is ignored.
    await Promise.all([emitter.close(1000), emitter.close(1000)]);
    emitter.enqueue(runs(1, 'late')[0] as RunEvent);
    await emitter.flush();
    expect(readRunStore(path.join(cwd, 'runs.jsonl'))).toHaveLength(6000);
  });

  it('throws configuration errors at construction, as the in-host emitter does', () => {
    expect(() => emitterFromEnv({ cwd: tmp(), env: {}, deliveryThread: true, maxBatchSize: -1 })).toThrow(ConfigError);
    expect(() => emitterFromEnv({ cwd: tmp(), env: { DATAHUB_GMS_URL: 'gms:8080' }, deliveryThread: true })).toThrow(/DATAHUB_GMS_URL/);
  });

  it('stays in the host when RUNTRAIL_DELIVERY_THREAD=off or extra transports are given', async () => {
    const cwd = tmp();
    const off = emitterFromEnv({ cwd, env: { RUNTRAIL_DELIVERY_THREAD: 'off' }, deliveryThread: true });
    const extra = emitterFromEnv({
      cwd,
      env: {},
      deliveryThread: true,
      transports: [new RunStoreTransport({ path: path.join(cwd, 'x.jsonl'), name: 'x' })],
    });
    cleanups.push(
      () => off.close(100),
      () => extra.close(100),
    );
    expect(off).not.toBeInstanceOf(ThreadedEmitter);
    expect(extra).not.toBeInstanceOf(ThreadedEmitter);
  });

  it('drops only an event that has no JSON form, and says so in stats', async () => {
    const cwd = tmp();
    const emitter = threaded(cwd);
    const [start, end] = runs(1, 'json');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    emitter.enqueue(start as RunEvent);
    emitter.enqueue({ ...(end as RunEvent), properties: cyclic as unknown as Record<string, string> });
    // A function is left out, as JSON does: the rest of the event travels.
    const ok = runs(1, 'ok')[0] as RunEvent;
    emitter.enqueue({ ...ok, properties: { keep: 'yes', bad: (() => 1) as unknown as string } });
    await emitter.flush();
    const stored = readRunStore(path.join(cwd, 'runs.jsonl'));
    expect(stored.map((e) => e.instance.id)).toEqual([start?.instance.id, `default/ok-0/run-1/1`]);
    expect(stored[1]?.properties).toEqual({ keep: 'yes' });
    expect(emitter.stats().dropped).toBe(1);
  });

  it('carries on in the host when the thread cannot start: nothing lost', async () => {
    const { emitter, file } = withThread('no-such-thread.mjs');
    const events = runs(50, 'nostart');
    for (const e of events) emitter.enqueue(e);
    await emitter.flush();
    expect(emitter.mode).toBe('host');
    expect(readRunStore(file).map(keyOf)).toEqual(events.map(keyOf));
  });

  it('re-delivers what a dying thread had not released, each event once', async () => {
    const { emitter, file } = withThread('thread-dies.mjs');
    const events = runs(40, 'dies');
    for (const e of events.slice(0, 40)) emitter.enqueue(e);
    await new Promise((r) => setTimeout(r, 200)); // the thread died holding the first records
    for (const e of events.slice(40)) emitter.enqueue(e);
    await emitter.flush();
    expect(emitter.mode).toBe('host');
    expect(readRunStore(file).map(keyOf)).toEqual(events.map(keyOf));
  });

  it('delivers compact records as the events their codec builds: on the thread, and on the host after it died', async () => {
    const { createDecoder, runCodec } = (await import('./fixtures/run-codec.mjs')) as typeof import('./fixtures/run-codec.mjs');
    const decode = createDecoder({ cluster: 'prod' });
    // Ids with characters a record must escape, and numbers the ring writes digit by digit (or as their text).
    const fieldsOf = (i: number): RecordField[] => ['s', i % 5 === 0 ? `x\t${i}\\n€` : i, i % 7 === 0 ? 1.5 + i : T + i];
    const expected = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => keyOf(decode(fieldsOf(from + k).map(fieldText)) as RunEvent));
    const timeOf = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => (decode(fieldsOf(from + k).map(fieldText)) as RunEvent).time);

    const cwd = tmp();
    const emitter = threaded(cwd) as ThreadedEmitter;
    const records = emitter.openRecords(runCodec, { cluster: 'prod' });
    // Every third from an array longer than its record (an adapter reusing one): only its first 3 fields are written.
    const write = (into: typeof records, i: number) =>
      i % 3 === 0 ? into.write([...fieldsOf(i), 'not\tpart', 9], 3) : into.write(fieldsOf(i));
    for (let i = 0; i < 2000; i++) write(records, i);
    await emitter.flush();
    expect(emitter.mode).toBe('thread');
    const stored = readRunStore(path.join(cwd, 'runs.jsonl'));
    expect(stored.map(keyOf)).toEqual(expected(0, 2000));
    expect(stored.map((e) => e.time)).toEqual(timeOf(0, 2000));

    // The thread dies holding the first records: the host decodes them from the ring, then decodes the rest at once.
    const dying = withThread('thread-dies.mjs');
    const dyingRecords = dying.emitter.openRecords(runCodec, { cluster: 'prod' });
    for (let i = 0; i < 40; i++) write(dyingRecords, i);
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 40; i < 80; i++) write(dyingRecords, i);
    await dying.emitter.flush();
    expect(dying.emitter.mode).toBe('host');
    expect(readRunStore(dying.file).map(keyOf)).toEqual(expected(0, 80));
    expect(readRunStore(dying.file).map((e) => e.time)).toEqual(timeOf(0, 80));
  });

  it('delivers every event of a record that stands for several, and the records a channel holds back before flush and close', async () => {
    const { runCodec } = (await import('./fixtures/run-codec.mjs')) as typeof import('./fixtures/run-codec.mjs');
    const pairKeys = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => [`bull/q/${from + k}/1#1:start`, `bull/q/${from + k}/1#1:end`]).flat();
    const cwd = tmp();
    const emitter = threaded(cwd) as ThreadedEmitter;
    const held: RecordField[][] = [];
    let flushes = 0;
    const records = emitter.openRecords(runCodec, { cluster: 'prod' }, () => {
      flushes++;
      for (const fields of held.splice(0)) records.write(fields);
    });
    for (let i = 0; i < 100; i++) records.write(['p', i, T + i]);
    // Held back by the adapter, never written by it: flush must have the channel write them first.
    for (let i = 100; i < 110; i++) held.push(['p', i, T + i]);
    await emitter.flush();
    const file = path.join(cwd, 'runs.jsonl');
    expect(readRunStore(file).map(keyOf)).toEqual(pairKeys(0, 110));
    expect(
      readRunStore(file)
        .filter((e) => e.kind === 'end')
        .map((e) => e.time),
    ).toEqual(Array.from({ length: 110 }, (_, i) => T + i + 1));
    held.push(['p', 110, T + 110]);
    await emitter.close(2000);
    expect(readRunStore(file).map(keyOf)).toEqual(pairKeys(0, 111));
    expect(flushes).toBe(2);

    // A thread that dies: the host decodes both events of each record it takes over.
    const dying = withThread('thread-dies.mjs');
    const dyingRecords = dying.emitter.openRecords(runCodec, { cluster: 'prod' });
    for (let i = 0; i < 40; i++) dyingRecords.write(['p', i, T + i]);
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 40; i < 60; i++) dyingRecords.write(['p', i, T + i]);
    await dying.emitter.flush();
    expect(dying.emitter.mode).toBe('host');
    expect(readRunStore(dying.file).map(keyOf)).toEqual(pairKeys(0, 60));
  });

  it("gives a host's listener the events of encoded records, built on the thread, and the store their JSON text", async () => {
    const { createDecoder, runCodec } = (await import('./fixtures/run-codec.mjs')) as typeof import('./fixtures/run-codec.mjs');
    const decode = createDecoder({ cluster: 'prod' });
    const cwd = tmp();
    const emitter = threaded(cwd);
    const records = (emitter as ThreadedEmitter).openRecords(runCodec, { cluster: 'prod' });
    // Without a listener first (the store is written from the JSON text alone), then with one, then without again.
    for (let i = 0; i < 100; i++) records.write(['p', i, T + i]);
    await emitter.flush();
    const heard: RunEvent[] = [];
    const stop = emitter.onEvent((ev) => heard.push(ev));
    for (let i = 100; i < 200; i++) records.write(['p', i, T + i]);
    await emitter.flush();
    stop();
    for (let i = 200; i < 300; i++) records.write(['p', i, T + i]);
    await emitter.flush();
    const expected = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => decode(['p', String(from + k), String(T + from + k)]) as RunEvent[]).flat();
    expect(heard).toEqual(expected(100, 200));
    const lines = fs.readFileSync(path.join(cwd, 'runs.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toEqual(expected(0, 300).map((ev) => JSON.stringify(ev)));
  });

  it('starts its thread whatever Node flags the host runs with', () => {
    const fixture = new URL('./fixtures/thread-mode.mjs', import.meta.url).pathname;
    // Inline code as an ES module needs `--input-type`, which a worker with a file entry refuses: the thread gets
    // an explicit list of flags then, and Node refuses V8 and per-process flags in such a list.
    const inline = `await import(${JSON.stringify(new URL('./fixtures/thread-mode.mjs', import.meta.url).href)});`;
    const hosts: string[][] = [
      ['--max-old-space-size=256', '--expose-gc', fixture],
      ['--stack-size=2000', '--title=rt-host', fixture],
      ['--input-type=module', '-e', inline],
      ['--expose-gc', '--max-old-space-size=256', '--input-type=module', '--enable-source-maps', '-e', inline],
      ['--input-type', 'module', '--stack-size=2000', '-e', inline],
      // A per-process flag with its value in the next argument: refused by name, its value left behind.
      ['--title', 'rt-host', '--input-type=module', '-e', inline],
    ];
    for (const flags of hosts) {
      const file = path.join(tmp(), 'runs.jsonl');
      const child = spawnSync(process.execPath, [...flags, file], { encoding: 'utf8', timeout: 30_000 });
      expect({ flags: flags.slice(0, -1), out: child.stdout, status: child.status }).toEqual({
        flags: flags.slice(0, -1),
        out: 'thread 1',
        status: 0,
      });
      expect(readRunStore(file)).toHaveLength(1);
    }
  });

  /** Runs the child, then a second process on the same spool; returns what reached the store. */
  function exitThenReplay(how: string): RunEvent[] {
    const cwd = tmp();
    const script = new URL('./fixtures/threaded-exit.mjs', import.meta.url).pathname;
    const child = spawnSync(process.execPath, [script, cwd, '500', how], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status).toBe(0);
    const file = path.join(cwd, 'runs.jsonl');
    const next = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { emitterFromEnv } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
         const e = emitterFromEnv({ cwd: ${JSON.stringify(cwd)}, env: { RUNTRAIL_STORE: ${JSON.stringify(file)} }, spool: {} });
         await e.close(10_000);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(next.status).toBe(0);
    return readRunStore(file);
  }

  it('a process that ends without flush or close still gets every event into the spool', () => {
    const stored = exitThenReplay('end');
    // The next process on the same spool delivers all 1000 events, once each.
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map(keyOf)).size).toBe(1000);
  });

  it('process.exit() right after enqueue: what the thread had not spooled is rescued and delivered next time', () => {
    const stored = exitThenReplay('exit');
    // Every event arrives; one the thread had spooled but not acknowledged may arrive twice (documented).
    expect(new Set(stored.map(keyOf)).size).toBe(1000);
  });

  it('process.exit() with records a channel holds back: they are written at exit and rescued with the rest', () => {
    const stored = exitThenReplay('exit-held');
    const keys = new Set(stored.map(keyOf));
    expect(keys.size).toBe(1020);
    for (let i = 500; i < 510; i++) for (const kind of ['start', 'end']) expect(keys.has(`bull/q/${i}/1#1:${kind}`)).toBe(true);
  });

  /** Keeps this thread on the CPU for `ms` (a host busy with jobs). */
  function busy(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // spin
    }
  }

  it('leaves events in the ring while the host thread is busy, and delivers them as soon as it is idle', async () => {
    const cwd = tmp();
    const emitter = threaded(cwd, { RUNTRAIL_MAX_DEFER_MILLIS: '10000', RUNTRAIL_FLUSH_INTERVAL_MILLIS: '20' });
    await emitter.flush(); // the thread is up
    const events = runs(200, 'defer');
    for (const e of events) emitter.enqueue(e);
    busy(800);
    const storeFile = path.join(cwd, 'runs.jsonl');
    // Read before this thread yields: the delivery thread has had 800 ms, and waited.
    expect(readRunStore(storeFile)).toHaveLength(0);
    const idleSince = performance.now();
    while (readRunStore(storeFile).length < events.length && performance.now() - idleSince < 5000)
      await new Promise((r) => setTimeout(r, 10));
    // No flush needed: once the host is idle the thread delivers, well before maxDeferMillis.
    expect(readRunStore(storeFile).map(keyOf)).toEqual(events.map(keyOf));
    expect(performance.now() - idleSince).toBeLessThan(1000);
  });

  it('closes cleanly while it is deferring: everything delivered, no failover', async () => {
    for (let i = 0; i < 3; i++) {
      const cwd = tmp();
      const emitter = threaded(cwd, { RUNTRAIL_MAX_DEFER_MILLIS: '10000' }) as ThreadedEmitter;
      await emitter.flush();
      const events = runs(50, `close-${i}`);
      for (const e of events) emitter.enqueue(e);
      busy(150); // the thread is between two looks at this thread's load
      await emitter.close(5000);
      // A thread that died on the way (its load reader closed under its loop) would have failed over to the host.
      expect(emitter.mode).toBe('thread');
      expect(readRunStore(path.join(cwd, 'runs.jsonl')).map(keyOf)).toEqual(events.map(keyOf));
    }
  });

  it('leaves records in the ring while a slow backend is behind, handing them over as it catches up', async () => {
    // The thread hands its emitter nothing while a backend holds more than half its queue (delivery-thread.ts,
    // `backendsBehind`, whose answer is kept for a moment while deferring): records wait in the ring, not in the
    // backend's queue or the spool file. The local store, written as events are accepted, shows the pace.
    const server = await StrictOpenLineageServer.start({ delayMillis: 5 });
    cleanups.push(() => server.close());
    const cwd = tmp();
    const store = path.join(cwd, 'runs.jsonl');
    const emitter = emitterFromEnv({
      cwd,
      env: { RUNTRAIL_STORE: store, OPENLINEAGE_URL: server.url },
      spool: {},
      deliveryThread: true,
      maxDeferMillis: 0,
      // Half of it, plus a pass of the thread's (16 KiB: ≈ 65 of these events), fits.
      maxQueueSize: 300,
    });
    cleanups.push(() => emitter.close(5000));
    expect(emitter).toBeInstanceOf(ThreadedEmitter);
    // One event per request to OpenLineage: 2 at a time, 5 ms each, against 900 events written at once.
    for (const e of runs(450, 'slow')) emitter.enqueue(e);
    const lines = () => (fs.existsSync(store) ? fs.readFileSync(store, 'utf8').split('\n').length - 1 : 0);
    let sentWhenAllAccepted = -1;
    const until = Date.now() + 20_000;
    while (sentWhenAllAccepted < 0 && Date.now() < until) {
      const sent = server.accepted.length;
      if (lines() === 900) sentWhenAllAccepted = sent;
      await new Promise((r) => setTimeout(r, 5));
    }
    await emitter.flush();
    expect(server.accepted).toHaveLength(900);
    expect(emitter.stats()).toMatchObject({ dropped: 0, spooled: 0 });
    // Accepted at the backend's pace: the last events were taken from the ring only once OpenLineage had most of the
    // others (at once, all 900 would be in the store before it had a tenth).
    expect(sentWhenAllAccepted).toBeGreaterThan(500);
  });

  it('delivers after maxDeferMillis even while the host stays busy, and at once with maxDeferMillis 0', () => {
    for (const [maxDefer, busyMillis] of [
      ['200', 1000],
      ['0', 600],
    ] as const) {
      const cwd = tmp();
      const emitter = threaded(cwd, { RUNTRAIL_MAX_DEFER_MILLIS: maxDefer, RUNTRAIL_FLUSH_INTERVAL_MILLIS: '20' });
      // The thread's first look at the ring waits for its module to load: start it while this thread is idle.
      busy(0);
      const events = runs(100, `bound-${maxDefer}`);
      for (const e of events) emitter.enqueue(e);
      busy(busyMillis);
      expect(readRunStore(path.join(cwd, 'runs.jsonl')).map(keyOf), `maxDeferMillis ${maxDefer}`).toEqual(events.map(keyOf));
    }
  });

  it('a deferring thread looks at a host that stays busy less and less often, every 100 ms at most, journaling at each look', async () => {
    const cwd = tmp();
    const child = await readyChild('deferred-busy.mjs', [cwd]);
    try {
      // The journal grows at each look (the host writes all along): the times it changes are the looks.
      const root = path.join(cwd, '.runtrail', 'spool');
      const looks: number[] = [];
      let size = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1500) {
        const journal = fs.existsSync(root) ? fs.readdirSync(root).find((n) => n.startsWith('journal-')) : undefined;
        const now = journal ? fs.statSync(path.join(root, journal)).size : 0;
        if (now !== size) looks.push(performance.now() - t0);
        size = now;
        await new Promise((r) => setTimeout(r, 2));
      }
      const gaps = looks.slice(1).map((t, i) => t - (looks[i] as number));
      // 25, 50, then 100 ms: about 16 looks in 1.5 s (60 at a look every 25 ms; the machine may delay a few).
      expect(looks.length).toBeGreaterThanOrEqual(8);
      expect(looks.length).toBeLessThanOrEqual(24);
      const late = gaps.slice(3).sort((a, b) => a - b);
      expect(late[late.length >> 1]).toBeGreaterThan(70);
      expect(late[late.length >> 1]).toBeLessThan(160);
      // Nothing delivered meanwhile: every record waits in the ring and the journal.
      expect(fs.existsSync(path.join(cwd, 'runs.jsonl')) ? readRunStore(path.join(cwd, 'runs.jsonl')) : []).toHaveLength(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.each([
    ['a delivery thread', true],
    ['the host thread', false],
  ])(
    'a process killed (SIGKILL) while its events were deferred loses none: the next process replays its journal on %s',
    async (_, deliveryThread) => {
      const cwd = tmp();
      const child = await readyChild('deferred-kill.mjs', [cwd, '500']);
      // The delivery thread copies deferred records to its journal at each look (the first ~30 ms in).
      await new Promise((r) => setTimeout(r, 400));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const root = path.join(cwd, '.runtrail', 'spool');
      const journals = fs.readdirSync(root).filter((n) => n.startsWith('journal-'));
      expect(journals).toHaveLength(1);
      expect(fs.statSync(path.join(root, journals[0] as string)).size).toBeGreaterThan(0);
      // Deferred: nothing reached the store before the kill.
      expect(readRunStore(path.join(cwd, 'runs.jsonl'))).toHaveLength(0);
      const next = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { emitterFromEnv } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
         const e = emitterFromEnv({ cwd: ${JSON.stringify(cwd)}, env: { RUNTRAIL_STORE: ${JSON.stringify(path.join(cwd, 'runs.jsonl'))} }, spool: {}, deliveryThread: ${deliveryThread} });
         await new Promise((r) => setTimeout(r, 300));
         await e.close(10_000);`,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(next.status).toBe(0);
      const stored = readRunStore(path.join(cwd, 'runs.jsonl'));
      expect(stored).toHaveLength(1000);
      expect(new Set(stored.map(keyOf)).size).toBe(1000);
      // The starts were compact records, decoded by the codec module the journal names.
      const starts = stored.filter((e) => e.kind === 'start');
      expect(starts).toHaveLength(500);
      expect(starts.every((e) => e.time === Number(e.instance.id.split('/')[2]) + 1 && e.instance.cluster === 'prod')).toBe(true);
      expect(fs.readdirSync(root).filter((n) => n.startsWith('journal-'))).toEqual([]);
    },
  );
});
