// Fault tests against loopback servers (issue 6): refused connections, 500/503/429 with Retry-After, hangs past
// the timeout, 4xx, a backend going down and coming back mid-stream, a full queue. Each asserts that every event
// key arrives exactly once (after dedup where a timeout makes a re-send legitimate) and START precedes the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrictGmsServer } from '../../../../test/helpers/strict-gms.js';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { DataHubTransport } from '../../src/datahub/transport.js';
import { createEmitter } from '../../src/delivery/emitter.js';
import type { EmitterOptions } from '../../src/delivery/types.js';
import type { RunEvent } from '../../src/model/run-event.js';
import { OpenLineageTransport } from '../../src/openlineage/http-transport.js';
import { expectExactlyOnceInOrder, freePort, runs, sleep, T } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const FAST: Partial<EmitterOptions> = {
  initialRetryDelayMillis: 20,
  maxRetryDelayMillis: 200,
  circuitResetMillis: 300,
  requestTimeoutMillis: 2000,
};

function emitterFor(url: string, options: Partial<EmitterOptions> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-faults-'));
  const emitter = createEmitter({
    transports: [new OpenLineageTransport({ url, timeoutMillis: options.requestTimeoutMillis ?? 2000 })],
    deadLetterPath: path.join(dir, 'dead-letter.jsonl'),
    ...FAST,
    ...options,
  });
  cleanups.push(() => emitter.close(500));
  return { emitter, deadLetterPath: path.join(dir, 'dead-letter.jsonl') };
}

async function server(port = 0, options = {}) {
  const s = await StrictOpenLineageServer.start(options, port);
  cleanups.push(() => s.close());
  return s;
}

describe('delivery under faults', () => {
  it('keeps events while the backend refuses connections and delivers them once it is up', async () => {
    const port = await freePort();
    const { emitter } = emitterFor(`http://127.0.0.1:${port}`);
    for (const e of runs(10)) emitter.enqueue(e);
    await sleep(400);
    expect(emitter.stats().retried).toBeGreaterThan(0);
    expect(emitter.stats().sent).toBe(0);
    const s = await server(port);
    await s.waitForAccepted(20, 10_000);
    await emitter.flush();
    expectExactlyOnceInOrder(s.accepted, 10);
  });

  it('retries 500, 503 and 429, honouring Retry-After', async () => {
    const s = await server();
    s.failNext(500);
    s.failNext(503, { retryAfter: '0' });
    s.failNext(429, { retryAfter: '1' });
    const { emitter } = emitterFor(s.url, { maxConcurrentRequests: 1 });
    for (const e of runs(3)) emitter.enqueue(e);
    await s.waitForAccepted(6, 10_000);
    expectExactlyOnceInOrder(s.accepted, 3);
    const statuses = s.requests.map((r) => r.status);
    expect(statuses.slice(0, 4)).toEqual([500, 503, 429, 201]);
    // The request after the 429 waited for its Retry-After of one second.
    expect((s.requests[3]?.at ?? 0) - (s.requests[2]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(emitter.stats().retried).toBe(3);
  });

  it('times out a hanging backend and delivers on retry', async () => {
    const s = await server();
    s.hangNext(2);
    const { emitter } = emitterFor(s.url, { requestTimeoutMillis: 300 });
    for (const e of runs(4)) emitter.enqueue(e);
    await s.waitForAccepted(8, 10_000);
    await emitter.flush();
    expectExactlyOnceInOrder(s.accepted, 4);
    expect(emitter.stats().retried).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters what the backend refuses with 4xx, with its message and no token, and delivers the rest', async () => {
    const s = await server();
    s.failNext(400, { body: '{"error":"bad event","authorization":"Bearer sekrit-token-123"}' });
    const { emitter, deadLetterPath } = emitterFor(s.url, { maxConcurrentRequests: 1 });
    const events = runs(3);
    for (const e of events) emitter.enqueue(e);
    await emitter.flush();
    expect(emitter.stats().deadLettered).toBe(1);
    expect(s.accepted).toHaveLength(5);
    const letters = fs
      .readFileSync(deadLetterPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      transport: 'openlineage',
      status: 400,
      event: { kind: 'start', instance: { id: events[0]?.instance.id } },
    });
    expect(letters[0].error).toMatch(/bad event/);
    expect(letters[0].error).not.toMatch(/sekrit/);
  });

  it('survives the backend going down and coming back mid-stream', async () => {
    const first = await server();
    const port = Number(new URL(first.url).port);
    const { emitter } = emitterFor(first.url);
    const events = runs(30);
    for (const e of events.slice(0, 20)) emitter.enqueue(e);
    await first.waitForAccepted(20);
    const before = [...first.accepted];
    await first.close();
    for (const e of events.slice(20, 40)) emitter.enqueue(e);
    await sleep(300);
    const second = await server(port);
    for (const e of events.slice(40)) emitter.enqueue(e);
    await second.waitForAccepted(40, 15_000);
    await emitter.flush();
    expectExactlyOnceInOrder([...before, ...second.accepted], 30);
  });

  it("never sends a run's end before its START was accepted", async () => {
    const s = await server(0, { delayMillis: 80 });
    const { emitter } = emitterFor(s.url, { maxConcurrentRequests: 4 });
    for (const e of runs(6)) emitter.enqueue(e);
    await s.waitForAccepted(12, 10_000);
    const byRun = new Map<string, { start?: number; end?: number }>();
    for (const r of s.requests) {
      const ev = r.event as { eventType: string; run: { runId: string } };
      const entry = byRun.get(ev.run.runId) ?? {};
      if (ev.eventType === 'START') entry.start = r.at;
      else entry.end = r.at;
      byRun.set(ev.run.runId, entry);
    }
    for (const { start, end } of byRun.values()) expect((end ?? 0) - (start ?? 0)).toBeGreaterThanOrEqual(75);
  });

  it('opens the circuit on a dead backend, probes it, and closes it when it is back', async () => {
    const port = await freePort();
    const { emitter } = emitterFor(`http://127.0.0.1:${port}`, { circuitFailureThreshold: 2, circuitResetMillis: 400 });
    for (const e of runs(2)) emitter.enqueue(e);
    await sleep(250);
    expect(emitter.stats().backends.openlineage?.circuit).toBe('open');
    const retriedWhileOpen = emitter.stats().retried;
    await sleep(300);
    // One probe per reset period, not a hammering loop.
    expect(emitter.stats().retried - retriedWhileOpen).toBeLessThanOrEqual(1);
    const s = await server(port);
    await s.waitForAccepted(4, 5000);
    expect(emitter.stats().backends.openlineage?.circuit).toBe('closed');
  });

  it('with a full queue drops running/queued first and never the end of a started run', async () => {
    const port = await freePort();
    const { emitter } = emitterFor(`http://127.0.0.1:${port}`, { maxQueueSize: 6 });
    const [s1, e1, s2, e2] = runs(2) as [RunEvent, RunEvent, RunEvent, RunEvent];
    emitter.enqueue(s1);
    emitter.enqueue(s2);
    for (let i = 0; i < 4; i++) emitter.enqueue({ ...s1, kind: 'running', time: T + 100 + i });
    emitter.enqueue(e1);
    emitter.enqueue({ ...s2, kind: 'running', time: T + 200 });
    emitter.enqueue(e2);
    expect(emitter.stats().dropped).toBe(3);
    const s = await server(port);
    await s.waitForAccepted(6, 10_000);
    await emitter.flush();
    const types = (s.accepted as { eventType: string }[]).map((e) => e.eventType).sort();
    expect(types).toEqual(['COMPLETE', 'COMPLETE', 'RUNNING', 'RUNNING', 'START', 'START']);
  });

  it('refuses new runs, never ends of started ones, when the queue is full of runs', async () => {
    const port = await freePort();
    const { emitter } = emitterFor(`http://127.0.0.1:${port}`, { maxQueueSize: 4 });
    const events = runs(5);
    const starts = events.filter((e) => e.kind === 'start');
    const ends = events.filter((e) => e.kind === 'end');
    for (const e of [...starts, ...ends]) emitter.enqueue(e);
    expect(emitter.stats().dropped).toBe(2);
    const s = await server(port);
    await s.waitForAccepted(8, 10_000);
    await emitter.flush();
    expectExactlyOnceInOrder(s.accepted, 4);
  });

  it('batches DataHub MCPs (≤ 200 per request) and keeps per-run order across batches', async () => {
    const gms = await new StrictGmsServer().start();
    cleanups.push(() => gms.stop());
    const emitter = createEmitter({ transports: [new DataHubTransport({ url: gms.url })], flushIntervalMillis: 50, ...FAST });
    cleanups.push(() => emitter.close(1000));
    for (const e of runs(60)) emitter.enqueue(e);
    await emitter.flush();
    expect(gms.requests.length).toBeGreaterThan(1);
    for (const r of gms.requests) expect(JSON.parse(r.body).proposals.length).toBeLessThanOrEqual(200);
    const runEvents = gms.accepted.filter((m) => m.aspectName === 'dataProcessInstanceRunEvent');
    expect(runEvents).toHaveLength(120);
    const firstStatus = new Map<string, string>();
    for (const m of runEvents) if (!firstStatus.has(m.entityUrn)) firstStatus.set(m.entityUrn, m.aspect.status as string);
    expect(new Set(firstStatus.values())).toEqual(new Set(['STARTED']));
  });
});
