// The compact records of the in-process hooks' hot path (core's records.ts): an attempt's start and its successful
// end as one short line each, turned back into the same events by `createDecoder` — on the delivery thread, which
// imports this module by URL, or in the host for a sink without a thread. Attempts with links or declared lineage,
// and failures, travel as whole events instead.
import { escapeField, type RecordCodec, type RecordDecoder } from '@runtrail/core';
import { endEvent, type JobFacts, type StartFacts, startEvent, type WorkerContext } from './job-events.js';

const START = 's';
const SUCCESS = 'c';

const num = (s: string | undefined): number | undefined => (s ? Number(s) : undefined);
const str = (s: string | undefined): string | undefined => (s ? s : undefined);

/** The record of an attempt's start. */
export function startRecord(f: StartFacts): string {
  return `${START}\t${escapeField(f.jobId)}\t${f.timestamp}\t${escapeField(f.name)}\t${f.scheduler ? escapeField(f.scheduler) : ''}\t${f.attempt}\t${f.startTime}\t${f.priority || ''}\t${f.delay || ''}\t${f.maxAttempts || ''}\t${f.prevMillis || ''}`;
}

/** The record of an attempt's successful end. */
export function successRecord(job: JobFacts, attempt: number, startTime: number, time: number): string {
  return `${SUCCESS}\t${escapeField(job.jobId)}\t${job.timestamp}\t${escapeField(job.name)}\t${job.scheduler ? escapeField(job.scheduler) : ''}\t${attempt}\t${startTime}\t${time}`;
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
