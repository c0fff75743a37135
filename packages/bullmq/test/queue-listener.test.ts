// QueueListener on a real Redis: the same identities as the in-process hooks, restarts without losing or
// duplicating a run, a stream trimmed past its checkpoint detected and repaired, and a late start that loses nothing.
import { spawn } from 'node:child_process';
import { addJob, instrumentWorker, QueueListener, type RecoveryReport } from '@runtrail/bullmq';
import { type RunEvent, runWithContext } from '@runtrail/core';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { assertWireValid, RecordingSink } from '../../../test/helpers/recording-sink.js';
import { closeAll, closers, connection, queue, summary, uniqueName, worker } from './helpers.js';

afterEach(closeAll);

function listener(queues: string[], sink: RecordingSink, extra: Partial<ConstructorParameters<typeof QueueListener>[0]> = {}) {
  const l = new QueueListener({ connection: inject('redisUrl'), queues, emitter: sink, blockMillis: 100, orphanCheckMillis: 0, ...extra });
  closers.push(() => l.close());
  return l;
}

/** Resolves once `count` jobs of `q` completed. */
async function completed(q: Queue, count: number): Promise<void> {
  while ((await q.getCompletedCount()) < count) await new Promise((r) => setTimeout(r, 25));
}

const endsById = (events: RunEvent[]) => {
  const m = new Map<string, RunEvent[]>();
  for (const e of events) if (e.kind === 'end') m.set(e.instance.id, [...(m.get(e.instance.id) ?? []), e]);
  return m;
};

describe('QueueListener', () => {
  it('sees the same runs, ids, attempts and outcomes as the in-process hooks', async () => {
    const q = queue();
    const hooks = new RecordingSink();
    const seen = new RecordingSink();
    const l = listener([q.name], seen);
    await l.start();
    const failures = new Map<string, number>([['flaky', 1]]);
    const w = worker(q.name, async (job) => {
      if (job.name === 'broken') throw new Error('always broken');
      const left = failures.get(job.name) ?? 0;
      if (left > 0) {
        failures.set(job.name, left - 1);
        throw new Error('once');
      }
      return 1;
    });
    instrumentWorker(w, { emitter: hooks });
    await q.add('ok', {});
    await q.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 30 } });
    await q.add('broken', {}, { attempts: 2 });
    await seen.waitFor((events) => events.filter((e) => e.kind === 'end' && e.result?.status !== 'retry').length === 3, 15_000);
    await hooks.waitFor((events) => events.filter((e) => e.kind === 'end' && e.result?.status !== 'retry').length === 3, 15_000);
    for (const name of ['ok', 'flaky', 'broken']) {
      const a = hooks.events.filter((e) => e.instance.job === name && e.kind !== 'queued');
      const b = seen.events.filter((e) => e.instance.job === name && e.kind !== 'queued');
      expect(summary(b), name).toEqual(summary(a));
      expect(new Set(b.map((e) => e.instance.id))).toEqual(new Set(a.map((e) => e.instance.id)));
    }
    expect(seen.events.filter((e) => e.kind === 'queued')).toHaveLength(3);
    assertWireValid(seen.events);
  });

  it('reports every job of 10 000 exactly once while being restarted 10 times', async () => {
    // As the README advises for listeners: an events stream longer than BullMQ's default 10 000 entries.
    const name = uniqueName('restarts');
    const q = new Queue(name, { connection: connection(), streams: { events: { maxLen: 100_000 } } });
    closers.push(() => q.obliterate({ force: true }).then(() => q.close()));
    const sink = new RecordingSink();
    worker(q.name, async () => 1, { concurrency: 50 });
    let l = listener([q.name], sink, { batchSize: 500 });
    await l.start();
    const total = 10_000;
    const adding = (async () => {
      for (let i = 0; i < total; i += 500) {
        await q.addBulk(Array.from({ length: 500 }, (_, j) => ({ name: 'bulk', data: { n: i + j } })));
      }
    })();
    for (let restart = 0; restart < 10; restart++) {
      await new Promise((r) => setTimeout(r, 250));
      await l.close();
      l = listener([q.name], sink, { batchSize: 500 });
      await l.start();
    }
    await adding;
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end').length >= total, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    const ends = endsById(sink.events);
    expect(ends.size).toBe(total);
    expect([...ends.values()].every((list) => list.length === 1 && list[0]?.result?.status === 'success')).toBe(true);
    const starts = sink.events.filter((e) => e.kind === 'start');
    expect(new Set(starts.map((e) => e.instance.id)).size).toBe(starts.length);
  }, 120_000);

  it('detects a stream trimmed past its checkpoint and rebuilds the missing ends', async () => {
    const name = uniqueName('trim');
    const q = new Queue(name, { connection: connection(), streams: { events: { maxLen: 50 } } });
    closers.push(() => q.obliterate({ force: true }).then(() => q.close()));
    const sink = new RecordingSink();
    const reports: RecoveryReport[] = [];
    let l = listener([name], sink, { onRecovery: (r) => reports.push(r) });
    await l.start();
    const w = worker(name, async () => 1, { autorun: false });
    await q.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'early', data: { i } })));
    await sink.waitFor((events) => events.filter((e) => e.kind === 'queued').length === 5);
    await l.close();
    // While the listener is down: the early jobs and 300 more run; the stream keeps only ~50 entries.
    await q.addBulk(Array.from({ length: 300 }, (_, i) => ({ name: 'late', data: { i } })));
    void w.run();
    await completed(q, 305);
    l = listener([name], sink, { onRecovery: (r) => reports.push(r) });
    await l.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.repaired).toBeGreaterThan(200);
    const ends = endsById(sink.events);
    expect(ends.size).toBe(305);
    expect([...ends.values()].every((list) => list.length === 1 && list[0]?.result?.status === 'success')).toBe(true);
    assertWireValid(sink.events);
  });

  it('closes as abandoned a job left active with no lock and no worker, and leaves a locked one alone', async () => {
    const q = queue();
    const sink = new RecordingSink();
    await listener([q.name], sink, { orphanCheckMillis: 300 }).start();
    const doomed = await q.add('doomed', {});
    // A worker that takes the job and dies with it (SIGKILL): its lock expires after 1 s, and no worker is left to
    // move the stalled job back to wait.
    const child = spawn(process.execPath, [new URL('./fixtures/doomed-worker.mjs', import.meta.url).pathname, inject('redisUrl'), q.name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    child.kill('SIGKILL');
    await sink.waitFor((events) => events.some((e) => e.kind === 'end'));
    const ends = sink.events.filter((e) => e.kind === 'end');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ attempt: 1, result: { status: 'failure', native: 'abandoned' } });
    expect(ends[0]?.instance.id).toBe(`bull/${q.name}/${doomed.id}/${doomed.timestamp}`);
    // Still active in BullMQ's eyes (no worker ran its stalled check): only the listener closed the run.
    expect(await q.getJobState(String(doomed.id))).toBe('active');
    // A job a live worker holds (its lock renewed) is never taken for an orphan.
    const busy = worker(q.name, async () => new Promise((r) => setTimeout(r, 1500)));
    const held = await q.add('held', {});
    await sink.waitFor((events) => events.some((e) => e.kind === 'end' && e.instance.id.includes(`/${held.id}/`)));
    expect(summary(sink.events.filter((e) => e.instance.id.includes(`/${held.id}/`)))).toEqual(['queued#1', 'start#1', 'end#1:success']);
    await busy.close();
    assertWireValid(sink.events);
  });

  it('lets one of several listeners on the same queues report, and another take over when it closes: each run once', async () => {
    const q = queue();
    const first = new RecordingSink();
    const second = new RecordingSink();
    const a = listener([q.name], first, { lease: { ttlMillis: 1000 } });
    // The second observes one more queue: all its queues' leases or none, so it stands by for the first's queue.
    const other = queue();
    const b = listener([other.name, q.name], second, { lease: { ttlMillis: 1000 } });
    await a.start();
    await b.start();
    expect([a.active, b.active]).toEqual([true, false]);
    const w = worker(q.name, async () => 1);
    await q.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'before', data: { i } })));
    await first.waitFor((events) => events.filter((e) => e.kind === 'end').length === 20);
    // The standby tried every third of the lease meanwhile, and reported nothing.
    await new Promise((r) => setTimeout(r, 700));
    expect(second.events).toHaveLength(0);
    expect(b.active).toBe(false);
    await a.close();
    await q.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'after', data: { i } })));
    await second.waitFor((events) => events.filter((e) => e.kind === 'end').length === 20);
    expect(b.active).toBe(true);
    const ends = endsById([...first.events, ...second.events]);
    expect(ends.size).toBe(40);
    expect([...ends.values()].every((list) => list.length === 1)).toBe(true);
    expect(first.events.every((e) => e.instance.job === 'before')).toBe(true);
    expect(second.events.every((e) => e.instance.job === 'after')).toBe(true);
    await w.close();
    // Without a lease, every listener reports.
    const third = new RecordingSink();
    await listener([q.name], third, { lease: false, startFrom: 'end' }).start();
    const w2 = worker(q.name, async () => 1);
    await q.add('unleased', {});
    await third.waitFor((events) => events.some((e) => e.kind === 'end'));
    await second.waitFor((events) => events.some((e) => e.kind === 'end' && e.instance.job === 'unleased'));
    await w2.close();
    expect(() => listener([q.name], third, { lease: { ttlMillis: 10 } })).toThrow(/ttlMillis/);
    assertWireValid([...first.events, ...second.events]);
  });

  it('takes over from a listener that died holding the lease, once the lease ran out', async () => {
    const q = queue();
    const child = spawn(
      process.execPath,
      [new URL('./fixtures/leased-listener.mjs', import.meta.url).pathname, inject('redisUrl'), q.name],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const said = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d).trim())));
    expect(said).toBe('active');
    const sink = new RecordingSink();
    const l = listener([q.name], sink, { lease: { ttlMillis: 1000 } });
    await l.start();
    expect(l.active).toBe(false);
    child.kill('SIGKILL');
    const killedAt = Date.now();
    while (!l.active && Date.now() - killedAt < 5000) await new Promise((r) => setTimeout(r, 20));
    // The lease outlives its holder by its time (1 s), and the standby tries every third of it.
    expect(Date.now() - killedAt).toBeLessThan(3000);
    expect(l.active).toBe(true);
    worker(q.name, async () => 1);
    await q.add('after-crash', {});
    await sink.waitFor((events) => events.some((e) => e.kind === 'end'));
    expect(summary(sink.events)).toEqual(['queued#1', 'start#1', 'end#1:success']);
  });

  it('loses nothing from the first read when started after the jobs ran', async () => {
    const q = queue();
    const w = worker(q.name, async () => 1);
    await q.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'before', data: { i } })));
    await completed(q, 20);
    await w.close();
    const sink = new RecordingSink();
    await listener([q.name], sink).start();
    await sink.waitFor((events) => events.filter((e) => e.kind === 'end').length === 20);
    expect([...endsById(sink.events).values()].every((l) => l[0]?.result?.status === 'success')).toBe(true);
  });

  it('names the run that added a job as its upstream, as the hooks do, whatever else the job data holds', async () => {
    const q = queue();
    const hooks = new RecordingSink();
    const seen = new RecordingSink();
    await listener([q.name], seen).start();
    instrumentWorker(
      worker(q.name, async () => 1),
      { emitter: hooks },
    );
    const producer = { orchestrator: 'temporal', cluster: 'prod', flow: 'etl', job: 'load', id: 'default/wf/run/1', attempt: 1 };
    await runWithContext({ instance: producer, root: { ...producer, job: undefined, id: 'default/wf/run' } }, () =>
      addJob(q, 'handed-off', { rows: 'x'.repeat(100_000) }),
    );
    // Not hand-offs: a payload that merely mentions the key, and a plain one.
    await q.add('mentions-key', { note: 'the key is __runtrail', __runtrail: 'not a hand-off' });
    await q.add('plain', { n: 1 });
    const done = (events: RunEvent[]) => events.filter((e) => e.kind === 'end').length === 3;
    await seen.waitFor(done, 15_000);
    await hooks.waitFor(done, 15_000);
    for (const sink of [seen, hooks]) {
      const start = (name: string) => sink.events.find((e) => e.kind === 'start' && e.instance.job === name);
      expect(start('handed-off')?.upstream).toEqual([expect.objectContaining({ orchestrator: 'temporal', id: 'default/wf/run/1' })]);
      expect(start('handed-off')?.root?.id).toBe('default/wf/run');
      expect(start('mentions-key')?.upstream).toBeUndefined();
      expect(start('plain')?.upstream).toBeUndefined();
    }
    assertWireValid(seen.events);
  });
});
