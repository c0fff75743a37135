// The compact records of the in-process hooks' hot path (core's records.ts): an attempt's start and its successful
// end as one short line each — or, for an attempt that succeeds within moments of its start (instrument-worker.ts
// holds the start back briefly), both in one line, shortest for a job with no options (its times as differences, no
// empty fields) — turned back into the same events by `createDecoder`: on the delivery thread, which imports this
// module by URL, or in the host for a sink without a thread — or, by `createEncoder`, straight into the JSON text of
// those events, which the thread writes to the local store with no event object built. The plain jobs that succeed
// within one hold travel together, many to a record (`PlainSuccesses`). Attempts with links or declared lineage, and
// failures, travel as whole events instead. Every kind stays decodable: a journal written by
// an earlier version is replayed by this one.
import type { EncodedEvent, RecordCodec, RecordDecoder, RecordEncoder, RecordField, RunEvent } from '@runtrail/core';
import { BULLMQ, queueFlow } from './identity.js';
import { endEvent, instanceOf, type JobFacts, type StartFacts, startEvent, type WorkerContext } from './job-events.js';

const START = 's';
const SUCCESS = 'c';
const START_AND_SUCCESS = 'b';
/** `START_AND_SUCCESS` of a job with no options, its times as differences (see `startAndSuccessRecord`). */
const SHORT_START_AND_SUCCESS = 'p';
/** The `SHORT_START_AND_SUCCESS` records of many jobs in one (see `PlainSuccesses`). */
const PLAIN_SUCCESSES = 'm';
/** Fields of one job in a `PLAIN_SUCCESSES` record: id, timestamp, attempt, start, end. */
const PLAIN_FIELDS = 5;

const num = (s: string | undefined): number | undefined => (s ? Number(s) : undefined);
const str = (s: string | undefined): string | undefined => (s ? s : undefined);

/**
 * Fills `into` with the fields of an attempt's start record (unset options as empty fields: 0 is not an option's
 * value) and returns it: the hooks reuse one array, so the hot path allocates none.
 */
export function startRecord(f: StartFacts, into: RecordField[] = []): RecordField[] {
  // Only when it changes: setting an array's length is a runtime call (≈ 0.1 µs per record in a busy Worker's profile).
  if (into.length !== 11) into.length = 11;
  into[0] = START;
  startFields(f, into);
  return into;
}

/**
 * The fields of an attempt's start and its successful end at epoch ms `time`, in one record (into `into`). A job
 * with none of the options a start carries (scheduler, priority, delay, attempts) — most jobs — gets the short form:
 * 7 fields instead of 12, its start and end as differences from the job's timestamp and the start (a few digits
 * instead of 13 each), ≈ 35 bytes instead of ≈ 65 in the ring. The hot path's one record per job: half the bytes,
 * half the ring's room per attempt.
 */
export function startAndSuccessRecord(f: StartFacts, time: number, into: RecordField[] = []): RecordField[] {
  if (!f.scheduler && !f.priority && !f.delay && !f.maxAttempts && !f.prevMillis)
    return plainSuccessRecord(f.jobId, f.name, f.timestamp, f.attempt, f.startTime, time, into);
  if (into.length !== 12) into.length = 12;
  into[0] = START_AND_SUCCESS;
  startFields(f, into);
  into[11] = time;
  return into;
}

/**
 * `startAndSuccessRecord` of a job with none of the options a start carries, from its facts as they are (no facts
 * object filled first: the hot path's held jobs keep only these).
 */
export function plainSuccessRecord(
  jobId: string,
  name: string,
  timestamp: number,
  attempt: number,
  startTime: number,
  time: number,
  into: RecordField[] = [],
): RecordField[] {
  // Integers only (as BullMQ's epoch ms are): their differences add up again exactly.
  if (Number.isSafeInteger(timestamp) && Number.isSafeInteger(startTime) && Number.isSafeInteger(time)) {
    if (into.length !== 7) into.length = 7;
    into[0] = SHORT_START_AND_SUCCESS;
    into[1] = jobId;
    into[2] = timestamp;
    into[3] = name;
    into[4] = attempt;
    into[5] = startTime - timestamp;
    into[6] = time - startTime;
    return into;
  }
  if (into.length !== 12) into.length = 12;
  into[0] = START_AND_SUCCESS;
  into[1] = jobId;
  into[2] = timestamp;
  into[3] = name;
  into[4] = undefined;
  into[5] = attempt;
  into[6] = startTime;
  into[7] = undefined;
  into[8] = undefined;
  into[9] = undefined;
  into[10] = undefined;
  into[11] = time;
  return into;
}

/**
 * Most jobs `PlainSuccesses` puts into one record (default of its `max`): ≈ 15 bytes each, so ≈ 4 KiB a record, far
 * below the ring's size (a record must fit into the ring whole).
 */
export const MAX_PLAIN_SUCCESSES = 256;

/**
 * The start and successful end of many plain jobs (no scheduler, priority, delay or attempts option) in one record:
 * the jobs a hold lets go of together (held-starts.ts), in the order they started. Per job 5 fields — id, timestamp
 * as a difference from the previous job's, attempt, start and end as differences — and its name only where it
 * differs from the previous job's: runs of one name as groups (name, count, jobs). ≈ 15 bytes a job instead of
 * ≈ 40 for a record of its own, and one record's cost — the channel head, the ring's bound, room and publish, the
 * writer's calls — shared by up to `MAX_PLAIN_SUCCESSES` jobs (the ring write was ≈ 0.6% of a no-op Worker's main
 * thread with a record per job; bench/README.md, "Many jobs to a record").
 */
export class PlainSuccesses {
  /**
   * The record being filled, in its first `length` fields: its kind, then groups of a name, a count and that many
   * jobs' fields. Never shortened (fields past `length` are left from earlier records): shortening it made V8 trim
   * its store, and filling it grow the store again, record after record (≈ 0.1% of a no-op Worker's main thread).
   */
  readonly fields: RecordField[] = [PLAIN_SUCCESSES];
  /** How many of `fields` the record has. */
  length = 1;
  /** Jobs in the record. */
  count = 0;
  readonly #max: number;
  /** The name of the group being filled, and where its count is. */
  #name = '';
  #countAt = 0;
  /** The timestamp of the last job added (the next one's is a difference from it). */
  #timestamp = 0;

  /** @param max most jobs to a record (≥ 1; `full` says when it is reached) */
  constructor(max: number = MAX_PLAIN_SUCCESSES) {
    this.#max = max;
  }

  /** True when the record holds its most jobs: write it (`fields`, `length`) and `clear` it before the next `add`. */
  get full(): boolean {
    return this.count >= this.#max;
  }

  /**
   * Adds a plain job's successful attempt (the arguments of `plainSuccessRecord`). False, adding nothing, when its
   * times are not all safe integers: their differences would not add up again exactly (the job then needs a record
   * of its own, `plainSuccessRecord`).
   */
  add(jobId: string, name: string, timestamp: number, attempt: number, startTime: number, time: number): boolean {
    if (!(Number.isSafeInteger(timestamp) && Number.isSafeInteger(startTime) && Number.isSafeInteger(time))) return false;
    const f = this.fields;
    let n = this.length;
    if (this.count === 0 || name !== this.#name) {
      this.#name = name;
      f[n++] = name;
      this.#countAt = n;
      f[n++] = 0;
    }
    f[this.#countAt] = (f[this.#countAt] as number) + 1;
    f[n++] = jobId;
    f[n++] = timestamp - this.#timestamp;
    f[n++] = attempt;
    f[n++] = startTime - timestamp;
    f[n++] = time - startTime;
    this.length = n;
    this.#timestamp = timestamp;
    this.count++;
    return true;
  }

  /** Empties the record. */
  clear(): void {
    this.length = 1;
    this.count = 0;
    this.#timestamp = 0;
  }
}

/**
 * Calls `fn` for each job of a `PLAIN_SUCCESSES` record's fields, in order, with its times added up again.
 * @throws when the record is not one such: a count that is no whole number, or more jobs than fields
 */
function eachPlain(
  f: readonly string[],
  fn: (jobId: string, timestamp: number, name: string, attempt: string, startTime: number, time: number) => void,
): void {
  let timestamp = 0;
  let i = 1;
  while (i < f.length) {
    const name = f[i] as string;
    const count = Number(f[i + 1]);
    i += 2;
    if (!(Number.isInteger(count) && count > 0 && i + count * PLAIN_FIELDS <= f.length))
      throw new Error(`runtrail: a malformed record of plain successes (a group of ${f[i - 1]} jobs at field ${i - 1})`);
    for (let end = i + count * PLAIN_FIELDS; i < end; i += PLAIN_FIELDS) {
      // `+ 0`: -0 becomes 0, as it does through its text in the long form.
      timestamp = timestamp + Number(f[i + 1]) + 0;
      const startTime = timestamp + Number(f[i + 3]) + 0;
      fn(f[i] as string, timestamp, name, f[i + 2] as string, startTime, startTime + Number(f[i + 4]) + 0);
    }
  }
}

/**
 * A short record's fields in the long form (`START_AND_SUCCESS`), for the decoder (the encoder has a path of its
 * own); a field that is no number makes its times `NaN`, as such a time in the long form.
 */
function expandShort(f: readonly string[]): string[] {
  const start = Number(f[2]) + Number(f[5]);
  return [
    START_AND_SUCCESS,
    f[1] ?? '',
    f[2] ?? '',
    f[3] ?? '',
    '',
    f[4] ?? '',
    String(start),
    '',
    '',
    '',
    '',
    String(start + Number(f[6])),
  ];
}

function startFields(f: StartFacts, into: RecordField[]): void {
  into[1] = f.jobId;
  into[2] = f.timestamp;
  into[3] = f.name;
  into[4] = f.scheduler;
  into[5] = f.attempt;
  into[6] = f.startTime;
  into[7] = f.priority || undefined;
  into[8] = f.delay || undefined;
  into[9] = f.maxAttempts || undefined;
  into[10] = f.prevMillis || undefined;
}

/** The fields of an attempt's successful end record (into `into`). */
export function successRecord(job: JobFacts, attempt: number, startTime: number, time: number, into: RecordField[] = []): RecordField[] {
  if (into.length !== 8) into.length = 8;
  into[0] = SUCCESS;
  into[1] = job.jobId;
  into[2] = job.timestamp;
  into[3] = job.name;
  into[4] = job.scheduler;
  into[5] = attempt;
  into[6] = startTime;
  into[7] = time;
  return into;
}

/** Decodes this module's records for the Worker described by `ctx`. */
export function createDecoder(ctx: WorkerContext): RecordDecoder {
  // Object literals with every field, no spread: this runs once per record on the delivery thread.
  const startFacts = (f: string[]): StartFacts => ({
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
  /** A start and its successful end. */
  const pair = (s: StartFacts, time: number): [RunEvent, RunEvent] => {
    // One InstanceRef for both: events are never mutated once built.
    const instance = instanceOf(ctx, s);
    return [startEvent(ctx, s, instance), endEvent(ctx, s, s.attempt, s.startTime, time, { status: 'success' }, undefined, instance)];
  };
  return (record) => {
    if (record[0] === PLAIN_SUCCESSES) {
      const events: RunEvent[] = [];
      eachPlain(record, (jobId, timestamp, name, attempt, startTime, time) => {
        const s: StartFacts = {
          jobId,
          timestamp,
          name,
          scheduler: undefined,
          attempt: Number(attempt),
          startTime,
          priority: undefined,
          delay: undefined,
          maxAttempts: undefined,
          prevMillis: undefined,
        };
        events.push(...pair(s, time));
      });
      return events;
    }
    const f = record[0] === SHORT_START_AND_SUCCESS ? expandShort(record) : record;
    if (f[0] === START_AND_SUCCESS) return pair(startFacts(f), Number(f[11]));
    if (f[0] === START) return startEvent(ctx, startFacts(f));
    if (f[0] === SUCCESS) {
      const job: JobFacts = { jobId: f[1] as string, timestamp: Number(f[2]), name: f[3] as string, scheduler: str(f[4]) };
      return endEvent(ctx, job, Number(f[5]), Number(f[6]), Number(f[7]), { status: 'success' });
    }
    return undefined;
  };
}

/** A number as `JSON.stringify` writes it (`null` for NaN and ±Infinity). */
const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');
const jsonText = JSON.stringify as (s: string) => string;

/**
 * `s` when it is the text both `String(Number(s))` and `JSON.stringify(Number(s))` give — 1 to 15 decimal digits, no
 * leading zero (exact in a double), as the ring writes a field's integer — else undefined. Every number of a record
 * is such a field: its text is used as it is, not parsed and printed again (≈ 0.1 µs per number).
 */
function decimal(s: string): string | undefined {
  const n = s.length;
  if (n === 0 || n > 15 || (n > 1 && s.charCodeAt(0) === 0x30)) return undefined;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return s;
}

/** A field's number as `JSON.stringify` writes it. */
const jsonField = (s: string): string => decimal(s) ?? jsonNumber(Number(s));

/**
 * Encodes this module's records for the Worker described by `ctx`: the events `createDecoder(ctx)` returns, as the
 * JSON text `JSON.stringify` makes of them, key for key (job-records.test.ts holds the two to that). Records of a
 * job name with static lineage (`ctx.jobs`) are left to the decoder.
 */
export function createEncoder(ctx: WorkerContext): RecordEncoder {
  // What every event of this Worker shares, serialized once.
  const instanceHead = `{"orchestrator":${jsonText(BULLMQ)},"cluster":${jsonText(ctx.cluster)},"flow":${jsonText(queueFlow(ctx.prefix, ctx.queue))},"job":`;
  const idHead = `${ctx.prefix}/${ctx.queue}/`;
  const keyHead = `${BULLMQ}|${ctx.cluster}|`;
  const propertiesHead = `,"properties":{"queue":${jsonText(ctx.queue)},"prefix":${jsonText(ctx.prefix)},"jobId":`;
  const workerName = ctx.workerName ? `,"workerName":${jsonText(ctx.workerName)}` : '';
  const jobs = ctx.jobs;

  /** `instanceOf` and `attemptKey` of a job's attempt (`attempt` as text), as text. */
  const identity = (
    jobId: string,
    timestamp: string,
    name: string,
    scheduler: string,
    attempt: string,
  ): { instance: string; key: string } => {
    const id = `${idHead}${jobId}/${decimal(timestamp) ?? Number(timestamp)}`;
    const job = scheduler ? `scheduler:${scheduler}` : name;
    return {
      instance: `${instanceHead}${jsonText(job)},"id":${jsonText(id)},"createdAt":${jsonField(timestamp)}}`,
      key: `${keyHead}${id}#${attempt}`,
    };
  };

  /** `startEvent` as text: the same keys in the same order, optional ones only when set. */
  const start = (f: string[], instance: string, attempt: string, attemptJson: string, startTime: string): string => {
    let json = `{"kind":"start","instance":${instance},"attempt":${attemptJson},"time":${startTime}${propertiesHead}${jsonText(f[1] as string)},"jobName":${jsonText(f[3] as string)},"attempt":"${attempt}"`;
    const scheduler = f[4];
    const priority = num(f[7]);
    const delay = num(f[8]);
    const maxAttempts = num(f[9]);
    const prevMillis = num(f[10]);
    if (scheduler) json += `,"scheduler":${jsonText(scheduler)}`;
    if (priority) json += `,"priority":"${priority}"`;
    if (delay) json += `,"delayMillis":"${delay}"`;
    json += `${workerName}}`;
    if (maxAttempts) json += `,"maxAttempts":${jsonNumber(maxAttempts)}`;
    if (scheduler) {
      json += ',"type":"BATCH_SCHEDULED"';
      if (prevMillis) json += `,"nominalTime":${jsonNumber(prevMillis)}`;
    }
    return `${json}}`;
  };

  /** `endEvent` of a success as text (numbers as JSON text). */
  const success = (instance: string, attemptJson: string, startTime: string, time: string): string =>
    `{"kind":"end","instance":${instance},"attempt":${attemptJson},"time":${time},"startTime":${startTime},"result":{"status":"success"}}`;

  /**
   * A short record's two events (`startAndSuccessRecord`): what the long form of the same attempt gives, from its
   * differences, with no long form built — the delivery thread's hot path.
   */
  const short = (f: string[]): readonly EncodedEvent[] => {
    // `+ 0`: -0 becomes 0, as it does through its text in the decoder.
    const startMillis = Number(f[2]) + Number(f[5]) + 0;
    const into: EncodedEvent[] = [];
    plain(f[1] as string, f[2] as string, f[3] as string, f[4] as string, startMillis, startMillis + Number(f[6]) + 0, into);
    return into;
  };

  /**
   * The two events of a job with no options that succeeded (its `timestamp` as text, its attempt as its field's
   * text, its times as numbers), pushed onto `into`.
   */
  const plain = (
    jobId: string,
    timestamp: string,
    name: string,
    attemptText: string,
    startMillis: number,
    time: number,
    into: EncodedEvent[],
  ): void => {
    const attempt = decimal(attemptText) ?? String(Number(attemptText));
    const attemptJson = decimal(attemptText) ?? jsonNumber(Number(attemptText));
    const { instance, key } = identity(jobId, timestamp, name, '', attempt);
    const startTime = jsonNumber(startMillis);
    // `start` of a job with no options.
    const json = `{"kind":"start","instance":${instance},"attempt":${attemptJson},"time":${startTime}${propertiesHead}${jsonText(jobId)},"jobName":${jsonText(name)},"attempt":"${attempt}"${workerName}}}`;
    into.push(
      { kind: 'start', attempt: key, time: startMillis, json },
      { kind: 'end', attempt: key, time, json: success(instance, attemptJson, startTime, jsonNumber(time)) },
    );
  };

  /** A `PLAIN_SUCCESSES` record's events; undefined when a job name in it has static lineage (the decoder's). */
  const many = (f: string[]): readonly EncodedEvent[] | undefined => {
    const into: EncodedEvent[] = [];
    let lineage = false;
    eachPlain(f, (jobId, timestamp, name, attempt, startMillis, time) => {
      if (jobs && jobs[name] !== undefined) lineage = true;
      // The timestamp's text as the long form carries it (`String`, which the decoder reads back).
      else if (!lineage) plain(jobId, String(timestamp), name, attempt, startMillis, time, into);
    });
    return lineage ? undefined : into;
  };

  return (f) => {
    const kind = f[0];
    if (kind === PLAIN_SUCCESSES) return many(f);
    if (jobs && jobs[f[3] as string] !== undefined) return undefined;
    if (kind === SHORT_START_AND_SUCCESS) return short(f);
    if (kind !== START && kind !== SUCCESS && kind !== START_AND_SUCCESS) return undefined;
    // The attempt as `String(n)` (in the key and a property) and as JSON (the event's field): one text when decimal.
    const attemptText = f[5] as string;
    const attempt = decimal(attemptText) ?? String(Number(attemptText));
    const attemptJson = decimal(attemptText) ?? jsonNumber(Number(attemptText));
    const { instance, key } = identity(f[1] as string, f[2] as string, f[3] as string, f[4] as string, attempt);
    const startTime = jsonField(f[6] as string);
    if (kind === SUCCESS) {
      const time = f[7] as string;
      return [{ kind: 'end', attempt: key, time: Number(time), json: success(instance, attemptJson, startTime, jsonField(time)) }];
    }
    const started: EncodedEvent = {
      kind: 'start',
      attempt: key,
      time: Number(f[6]),
      json: start(f, instance, attempt, attemptJson, startTime),
    };
    if (kind === START) return [started];
    const time = f[11] as string;
    return [started, { kind: 'end', attempt: key, time: Number(time), json: success(instance, attemptJson, startTime, jsonField(time)) }];
  };
}

/**
 * This module as a codec. Run from `src/` (tests, ts runners), the delivery thread loads the built copy, as it does
 * its own entry.
 */
export const jobRecords: RecordCodec<WorkerContext> = {
  url: new URL(import.meta.url.endsWith('.ts') ? '../dist/job-records.js' : './job-records.js', import.meta.url).href,
  createDecoder,
  createEncoder,
};
