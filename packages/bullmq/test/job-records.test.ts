// The compact records of instrumentWorker's hot path (job-records.ts): decoding a record gives exactly the event
// the hooks would have built as an object, whatever the job's id, name and options hold.
import { fieldText, type RecordField, recordText, splitRecord } from '@runtrail/core';
import { describe, expect, it } from 'vitest';
import { endEvent, type StartFacts, startEvent, type WorkerContext } from '../src/job-events.js';
import { createDecoder, jobRecords, startAndSuccessRecord, startRecord, successRecord } from '../src/job-records.js';

const T = 1_760_000_000_000;

const contexts: WorkerContext[] = [
  { cluster: 'prod', prefix: 'bull', queue: 'emails' },
  {
    cluster: 'dev',
    prefix: 'acme',
    queue: 'reports',
    workerName: 'reporter-1',
    jobs: {
      nightly: {
        inputs: [{ platform: 'postgres', name: 'shop.orders' }],
        outputs: [{ platform: 's3', name: 'r/x' }],
        properties: { team: 'bi' },
      },
    },
  },
];

const jobs: StartFacts[] = [
  { jobId: '1', timestamp: T, name: 'send', attempt: 1, startTime: T + 5 },
  { jobId: 'custom:id\twith\ttabs\nand\\lines', timestamp: T + 1, name: 'naïve 名前 😀', attempt: 3, startTime: T + 9, maxAttempts: 5 },
  {
    jobId: 'repeat:nightly:1760000000000',
    timestamp: T,
    name: 'nightly',
    scheduler: 'nightly',
    prevMillis: T,
    attempt: 1,
    startTime: T + 2,
  },
  { jobId: '42', timestamp: T, name: 'nightly', attempt: 2, startTime: T + 3, priority: 7, delay: 1500, maxAttempts: 2 },
];

describe('BullMQ compact records', () => {
  it('decode to the same start and successful end as the events built directly, through the text or not', () => {
    for (const ctx of contexts) {
      const decode = createDecoder(ctx);
      for (const f of jobs) {
        const end = endEvent(ctx, f, f.attempt, f.startTime, f.startTime + 40, { status: 'success' });
        const start = startRecord(f);
        const success = successRecord(f, f.attempt, f.startTime, f.startTime + 40);
        // As the delivery thread reads them (a line of the ring), and as a sink without a thread gets them.
        expect(decode(splitRecord(recordText(start)))).toEqual(startEvent(ctx, f));
        expect(decode(splitRecord(recordText(success)))).toEqual(end);
        expect(decode(start.map(fieldText))).toEqual(startEvent(ctx, f));
        expect(decode(success.map(fieldText))).toEqual(end);
        // Both in one record: the same two events, in order.
        const both = startAndSuccessRecord(f, f.startTime + 40);
        expect(decode(splitRecord(recordText(both)))).toEqual([startEvent(ctx, f), end]);
        expect(decode(both.map(fieldText))).toEqual([startEvent(ctx, f), end]);
      }
    }
  });

  it('fill the array they are given, whatever it held before (the hooks reuse one)', () => {
    const reused: RecordField[] = [];
    const [a, b] = jobs as [StartFacts, StartFacts];
    expect(startAndSuccessRecord(b, 99, reused)).toBe(reused);
    expect(startRecord(a, reused)).toEqual(startRecord(a));
    expect(successRecord(a, 1, 2, 3, reused)).toEqual(successRecord(a, 1, 2, 3));
    expect(startAndSuccessRecord(a, 4, reused)).toEqual(startAndSuccessRecord(a, 4));
  });

  it('never put a newline or NUL into a record (one record is one line of the ring)', () => {
    for (const f of jobs)
      for (const r of [startRecord(f), successRecord(f, 1, 2, 3), startAndSuccessRecord(f, 4)]) expect(recordText(r)).not.toMatch(/[\n\0]/);
  });

  it('name a module the delivery thread can load: the built copy, exporting the same decoder', async () => {
    expect(jobRecords.url).toMatch(/\/dist\/job-records\.js$/);
    const built = (await import(jobRecords.url)) as { createDecoder: typeof createDecoder };
    const f = jobs[1] as StartFacts;
    expect(built.createDecoder(contexts[1] as WorkerContext)(splitRecord(recordText(startRecord(f))))).toEqual(
      startEvent(contexts[1] as WorkerContext, f),
    );
  });
});
