// The durable spool: a backend outage of any length keeps memory bounded and loses nothing; a process killed
// with SIGKILL loses nothing; each transport resumes from its own progress; the file is compacted once delivered.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { createEmitter } from '../../src/delivery/emitter.js';
import type { EmitterOptions } from '../../src/delivery/types.js';
import { OpenLineageTransport } from '../../src/openlineage/http-transport.js';
import { expectExactlyOnceInOrder, freePort, runs, sleep } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const FAST: Partial<EmitterOptions> = { initialRetryDelayMillis: 20, maxRetryDelayMillis: 200, circuitResetMillis: 200 };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-spool-'));

async function server(port = 0) {
  const s = await StrictOpenLineageServer.start({}, port);
  cleanups.push(() => s.close());
  return s;
}

function ol(url: string, name?: string) {
  return new OpenLineageTransport({ url, timeoutMillis: 1000, name });
}

/** A new emitter on `dir` delivers the `runs` runs an earlier process left there: every event once, in order per run. */
async function expectReplayed(dir: string, port: number, runs: number): Promise<void> {
  const s = await server(port);
  const next = createEmitter({ transports: [ol(s.url)], spool: { dir }, ...FAST });
  cleanups.push(() => next.close(1000));
  await s.waitForAccepted(2 * runs, 30_000);
  await next.flush();
  expectExactlyOnceInOrder(s.accepted, runs);
}

function spoolFile(dir: string): string {
  return path.join(dir, 'slot-0', 'events.jsonl');
}

describe('durable spool', () => {
  it('keeps memory bounded through an outage and delivers everything, in order, once it ends', async () => {
    const port = await freePort();
    const dir = tmp();
    const emitter = createEmitter({ transports: [ol(`http://127.0.0.1:${port}`)], spool: { dir }, maxQueueSize: 50, ...FAST });
    cleanups.push(() => emitter.close(1000));
    for (const e of runs(1000)) emitter.enqueue(e);
    await sleep(200);
    const during = emitter.stats();
    expect(during.queued + during.inFlight).toBeLessThanOrEqual(50);
    expect(during.spooled).toBeGreaterThan(1900);
    const s = await server(port);
    await s.waitForAccepted(2000, 60_000);
    await emitter.flush();
    expectExactlyOnceInOrder(s.accepted, 1000);
    await emitter.close(1000);
    expect(fs.statSync(spoolFile(dir)).size).toBe(0);
  });

  it('leaves what close() could not deliver in the spool and sends it on the next start', async () => {
    const port = await freePort();
    const dir = tmp();
    const first = createEmitter({ transports: [ol(`http://127.0.0.1:${port}`)], spool: { dir }, ...FAST });
    for (const e of runs(20)) first.enqueue(e);
    const started = Date.now();
    await first.close(300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fs.statSync(spoolFile(dir)).size).toBeGreaterThan(0);
    const s = await server(port);
    const second = createEmitter({ transports: [ol(s.url)], spool: { dir }, ...FAST });
    cleanups.push(() => second.close(1000));
    await s.waitForAccepted(40, 10_000);
    await second.flush();
    expectExactlyOnceInOrder(s.accepted, 20);
  });

  it('loses nothing when the process is killed with SIGKILL', async () => {
    const port = await freePort();
    const dir = tmp();
    const script = new URL('./fixtures/spool-child.mjs', import.meta.url);
    const child = spawn(process.execPath, [script.pathname, dir, `http://127.0.0.1:${port}`, '300', 'crash'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await expectReplayed(dir, port, 300);
  });

  it('loses nothing when the process calls process.exit() right after enqueuing', async () => {
    const port = await freePort();
    const dir = tmp();
    const script = new URL('./fixtures/spool-child.mjs', import.meta.url);
    const child = spawnSync(process.execPath, [script.pathname, dir, `http://127.0.0.1:${port}`, '200', 'exit', 'exit'], {
      timeout: 20_000,
    });
    expect(child.status).toBe(0);
    await expectReplayed(dir, port, 200);
  });

  it('keeps each transport’s progress apart: a backend that was down gets everything, the other nothing twice', async () => {
    const up = await server();
    const downPort = await freePort();
    const dir = tmp();
    const first = createEmitter({ transports: [ol(up.url, 'a'), ol(`http://127.0.0.1:${downPort}`, 'b')], spool: { dir }, ...FAST });
    for (const e of runs(15)) first.enqueue(e);
    await up.waitForAccepted(30);
    await first.close(300);
    const down = await server(downPort);
    const second = createEmitter({ transports: [ol(up.url, 'a'), ol(down.url, 'b')], spool: { dir }, ...FAST });
    cleanups.push(() => second.close(1000));
    await down.waitForAccepted(30, 10_000);
    await second.flush();
    await sleep(100);
    expectExactlyOnceInOrder(down.accepted, 15);
    expectExactlyOnceInOrder(up.accepted, 15);
  });

  it('gives concurrent emitters their own slots', async () => {
    const dir = tmp();
    const s = await server();
    const a = createEmitter({ transports: [ol(s.url)], spool: { dir }, ...FAST });
    const b = createEmitter({ transports: [ol(s.url)], spool: { dir }, ...FAST });
    for (const e of runs(5, 'a')) a.enqueue(e);
    for (const e of runs(5, 'b')) b.enqueue(e);
    await Promise.all([a.close(2000), b.close(2000)]);
    expect(fs.existsSync(path.join(dir, 'slot-0'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'slot-1'))).toBe(true);
    expectExactlyOnceInOrder(s.accepted, 10);
  });

  it('stops spooling at its size cap, counts what it dropped and logs once', async () => {
    const port = await freePort();
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_o: unknown, m?: string) => errors.push(m ?? '') };
    const emitter = createEmitter({ transports: [ol(`http://127.0.0.1:${port}`)], spool: { dir: tmp(), maxBytes: 4000 }, logger, ...FAST });
    cleanups.push(() => emitter.close(200));
    for (const e of runs(50)) emitter.enqueue(e);
    expect(emitter.stats().dropped).toBeGreaterThan(50);
    expect(errors.filter((m) => m.includes('spool is full'))).toHaveLength(1);
  });
});
