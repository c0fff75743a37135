// The compact records of the in-process hooks' hot path (core's records.ts): an attempt's start and its successful
// end as one short line each, turned back into the same events by `createDecoder` — on the delivery thread, which
// imports this module by URL, or in the host for a sink without a thread. Attempts with links or declared lineage,
// and failures, travel as whole events instead.
import type { RecordCodec, RecordDecoder, RecordField } from '@runtrail/core';
import { endEvent, type JobFacts, type StartFacts, startEvent, type WorkerContext } from './job-events.js';

const START = 's';
const SUCCESS = 'c';

const num = (s: string | undefined): number | undefined => (s ? Number(s) : undefined);
const str = (s: string | undefined): string | undefined => (s ? s : undefined);

/** The fields of an attempt's start record (unset options as empty fields: 0 is not an option's value). */
export function startRecord(f: StartFacts): RecordField[] {
  return [
    START,
    f.jobId,
    f.timestamp,
    f.name,
    f.scheduler,
    f.attempt,
    f.startTime,
    f.priority || undefined,
    f.delay || undefined,
    f.maxAttempts || undefined,
    f.prevMillis || undefined,
  ];
}

/** The fields of an attempt's successful end record. */
export function successRecord(job: JobFacts, attempt: number, startTime: number, time: number): RecordField[] {
  return [SUCCESS, job.jobId, job.timestamp, job.name, job.scheduler, attempt, startTime, time];
}

/** Decodes this module's records for the Worker described by `ctx`. */
export function createDecoder(ctx: WorkerContext): RecordDecoder {
  return (f) => {
    // Object literals with every field, no spread: this runs once per record on the delivery thread.
    if (f[0] === START)
      return startEvent(ctx, {
        jobId: f[1] as string,
        timestamp: Number(f[2]),
        name: f[3] as string,
        scheduler: str(f[4]),
        attempt: Number(f[5]),
        startTime: Number(f[6]),
        priority: num(f[7]),
        delay: num(f[8]),
        maxAttempts: num(f[9]),
        prevMillis: num(f[10]),
      });
    if (f[0] === SUCCESS) {
      const job: JobFacts = { jobId: f[1] as string, timestamp: Number(f[2]), name: f[3] as string, scheduler: str(f[4]) };
      return endEvent(ctx, job, Number(f[5]), Number(f[6]), Number(f[7]), { status: 'success' });
    }
    return undefined;
  };
}

/**
 * This module as a codec. Run from `src/` (tests, ts runners), the delivery thread loads the built copy, as it does
 * its own entry.
 */
export const jobRecords: RecordCodec<WorkerContext> = {
  url: new URL(import.meta.url.endsWith('.ts') ? '../dist/job-records.js' : './job-records.js', import.meta.url).href,
  createDecoder,
};
