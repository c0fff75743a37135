// In-process hooks on a BullMQ Worker (reference/bullmq.md §2): each job is a job instance (flow = queue, job =
// name), each attempt a start on `active` and an end on `completed`/`failed` (`retry` while another attempt
// follows, `failure` when final) or `stalled`; progress becomes throttled `running` events. Listeners never block
// or throw into the worker; the only Redis reads are one lookup per FlowProducer parent (cached).
import {
  ConfigError,
  type InstanceRef,
  type Logger,
  quietLogger,
  type RecordField,
  type RecordWriter,
  type RunEvent,
  type RunEventSink,
  recordWriter,
  takesRecords,
} from '@runtrail/core';
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import { handoffOf } from './handoff.js';
import { DEFAULT_HOLD_MILLIS, HeldStarts, type HeldWriter } from './held-starts.js';
import { DEFAULT_PREFIX, jobRef } from './identity.js';
import { endEvent, instanceOf, type StartFacts, startEvent, type WorkerContext } from './job-events.js';
import { jobRecords, PlainSuccesses, plainSuccessRecord, startAndSuccessRecord, startRecord, successRecord } from './job-records.js';
import { takeDeclarations } from './lineage.js';
import type { InstrumentOptions } from './options.js';
import { ParentResolver } from './parents.js';
import { sharedEmitter } from './shared-emitter.js';

/** Links of a job's events: FlowProducer parent and root, hand-off upstream. */
type Links = { parent?: InstanceRef; root?: InstanceRef; upstream?: InstanceRef[] };

/** Runs `fn` with the links now when they are known, else once the lookup settles. */
function withLinks(started: Links | Promise<Links>, fn: (links: Links) => void): void {
  if (started instanceof Promise) void started.then(fn);
  else fn(started);
}

/** Copies the links that are set onto `event` (no spread: most jobs have none). */
function addLinks(event: RunEvent, links: Links): void {
  if (links.parent) event.parent = links.parent;
  if (links.root) event.root = links.root;
  if (links.upstream) event.upstream = links.upstream;
}

/** Links of a job that has no FlowProducer parent and no hand-off: shared, never mutated. */
const NO_LINKS: Links = Object.freeze({});

/**
 * An attempt whose start was written and that has not ended: its start's facts and its state. A short attempt on the
 * hot path never has one: its job is held (held-starts.ts) until it ends.
 */
interface Attempt extends StartFacts {
  /**
   * The Job object of the attempt: an entry left by an attempt that never ended (a `DelayedError`) is not its next's
   * (undefined only in the facts object the held records are filled from).
   */
  job: Job | undefined;
  /**
   * Links of the attempt, or the parent lookup that will settle them once its start was enqueued (ends wait for
   * it); `undefined` when the start went as a compact record (no links).
   */
  started: Links | Promise<Links> | undefined;
  lastProgress: number;
}

/** The result of every successful attempt: shared, never mutated (events are never mutated once built). */
const SUCCESS: NonNullable<RunEvent['result']> = Object.freeze({ status: 'success' });
/** The result of an attempt that moved its job on without an event (`#endStep`): shared, never mutated. */
const STEP: NonNullable<RunEvent['result']> = Object.freeze({ status: 'retry', native: 'step' });

/**
 * A job's id as a string. BullMQ's ids are strings already; `String()` of one is still a call of the String builtin
 * (≈ 0.26% of a no-op Worker's main thread in bench/bullmq/hook-share.mjs).
 */
function idOf(job: Job): string {
  const id = job.id;
  return typeof id === 'string' ? id : String(id);
}

/** True when `a` and `b` are attempts of the same job (`HeldStarts.releaseEarlier`). */
function sameId(a: Job, b: Job): boolean {
  return a.id === b.id;
}

/** A new tracked attempt of `job`, its facts still to be filled in. */
function newAttempt(job: Job | undefined): Attempt {
  // Every field set, in one order: one hidden class for all attempts, whatever options their jobs have.
  return {
    jobId: '',
    timestamp: 0,
    name: '',
    scheduler: undefined,
    attempt: 0,
    startTime: 0,
    priority: undefined,
    delay: undefined,
    maxAttempts: undefined,
    prevMillis: undefined,
    job,
    started: undefined,
    lastProgress: 0,
  };
}

/** The InstanceRef of a job as this worker sees it. */
export function refOfJob(job: Job, prefix: string, queue: string, cluster: string): InstanceRef {
  return jobRef(cluster, { prefix, queue, jobId: String(job.id), timestamp: job.timestamp, name: job.name }, job.repeatJobKey);
}

/** The events a Worker's hooks listen to. */
type HookEvent = 'active' | 'completed' | 'failed' | 'progress' | 'stalled' | 'closed';
/** The listeners of one instrumented Worker, by event. */
type Listeners = ReadonlyArray<readonly [HookEvent, (...args: never[]) => void]>;

/** The hooks of each Worker that the shared listeners serve. */
const hooksOf = new WeakMap<Worker, WorkerHooks>();

/**
 * The listeners of every instrumented Worker: the same functions for all, finding their Worker's hooks by `this` (an
 * EventEmitter calls a listener with itself as `this`), at the price of a WeakMap lookup per event. Listeners made per
 * Worker were compiled again by V8 for many a new Worker (`--trace-opt`: 5–6 times in 8 rounds of a bench that makes
 * a Worker per round).
 */
const SHARED_LISTENERS: Listeners = [
  ['active', onActive],
  ['completed', onCompleted],
  ['failed', onFailed],
  ['progress', onProgress],
  ['stalled', onStalled],
  ['closed', onClosed],
];

/**
 * The Worker the last event came from, and its hooks: a process with one busy Worker finds them with a comparison
 * instead of a WeakMap lookup per event. Forgotten when that Worker closes or is detached (no Worker kept alive).
 */
let lastWorker: Worker | undefined;
let lastHooks: WorkerHooks | undefined;

/** The hooks of `worker` (`hooksOf`), the last ones found first. */
function hooksFor(worker: Worker): WorkerHooks | undefined {
  if (worker === lastWorker) return lastHooks;
  const hooks = hooksOf.get(worker);
  lastWorker = worker;
  lastHooks = hooks;
  return hooks;
}

/** Forgets `worker` as the last one found (it closed, or its hooks changed). */
function forget(worker: Worker): void {
  if (worker === lastWorker) {
    lastWorker = undefined;
    lastHooks = undefined;
  }
}

function onActive(this: Worker, job: Job): void {
  hooksFor(this)?.active(job);
}

function onCompleted(this: Worker, job: Job): void {
  hooksFor(this)?.completed(job);
}

function onFailed(this: Worker, job: Job | undefined, err: Error): void {
  hooksFor(this)?.failed(job, err);
}

function onProgress(this: Worker, job: Job, progress: unknown): void {
  hooksFor(this)?.progress(job, progress);
}

function onStalled(this: Worker, jobId: string): void {
  hooksFor(this)?.stalled(jobId);
}

function onClosed(this: Worker): void {
  const hooks = hooksFor(this);
  forget(this);
  hooks?.closed();
}

/** Listeners of their own for `hooks`: a Worker instrumented a second time (rare; the first has the shared ones). */
function listenersOf(hooks: WorkerHooks): Listeners {
  return [
    ['active', (job: Job) => hooks.active(job)],
    ['completed', (job: Job) => hooks.completed(job)],
    ['failed', (job: Job | undefined, err: Error) => hooks.failed(job, err)],
    ['progress', (job: Job, progress: unknown) => hooks.progress(job, progress)],
    ['stalled', (jobId: string) => hooks.stalled(jobId)],
    ['closed', () => hooks.closed()],
  ];
}

/**
 * Attaches run history and lineage to `worker`. Returns a disposer that detaches the hooks.
 * @param options all optional; with none, events go to the default emitter (environment, local store).
 */
export function instrumentWorker(worker: Worker, options: InstrumentOptions = {}): () => void {
  const hooks = new WorkerHooks(worker, options);
  const shared = !hooksOf.has(worker);
  const listeners = shared ? SHARED_LISTENERS : listenersOf(hooks);
  if (shared) {
    hooksOf.set(worker, hooks);
    forget(worker);
  }
  // Typed by event in BullMQ's WorkerListener; these are those events' listeners.
  const events = worker as unknown as {
    on(event: string, fn: (...args: never[]) => void): void;
    off(event: string, fn: (...args: never[]) => void): void;
  };
  for (const [event, fn] of listeners) events.on(event, fn);
  return () => {
    hooks.detach();
    for (const [event, fn] of listeners) events.off(event, fn);
    if (hooksOf.get(worker) === hooks) hooksOf.delete(worker);
    forget(worker);
  };
}

/**
 * The hooks of one instrumented Worker and their state. A class, not closures made in `instrumentWorker`: every
 * Worker's hooks are then the same functions, which V8 optimizes once. With closures, each new Worker brought new
 * call targets into code optimized for the last one's, which was thrown away ("wrong call target") and compiled
 * again — in a process that makes Worker after Worker (a bench's rounds, a Worker per queue or per tenant) a stream of
 * deoptimizations on the Worker's thread and of compile jobs on V8's helper threads (bench/README.md, "Where the
 * cost is"). Its methods never throw into the Worker: each hook catches and logs.
 */
class WorkerHooks implements HeldWriter<Job> {
  readonly #worker: Worker;
  readonly #options: InstrumentOptions;
  readonly #emitter: RunEventSink;
  readonly #logger: Logger;
  readonly #ctx: WorkerContext;
  readonly #parents: ParentResolver;
  /** Attempts whose start was written and that have not ended, by job id: long or linked ones, never the hot path's. */
  readonly #attempts = new Map<string, Attempt>();
  readonly #progressInterval: number;
  readonly #maxError: number;
  /**
   * The hot path: a plain job's start and successful end as compact records (job-records.ts), written from one
   * reused array. A start is held back for a moment (held-starts.ts), only where the emitter calls the channel's
   * onFlush before it flushes (a record sink): an attempt that succeeds meanwhile is written with it, start and end
   * in one record, so the hooks of a short job write nothing themselves — the records of a hold go into the ring
   * together.
   */
  readonly #fields: RecordField[] = [];
  /** The records of short attempts in an array of their own: one length for all of them (setting it is a runtime call). */
  readonly #shortFields: RecordField[] = [];
  readonly #holds: boolean;
  readonly #starts: HeldStarts<Job>;
  readonly #records: RecordWriter;
  /** The facts of a held job's record, filled in place for each (its job's fields and the held numbers). */
  readonly #heldFacts = newAttempt(undefined);
  /** The plain jobs of a hold that succeeded within it: one record for many (`writePlain`, `endHeld`). */
  readonly #plain = new PlainSuccesses();

  constructor(worker: Worker, options: InstrumentOptions) {
    // Settings first: a bad one throws before anything is attached or opened.
    const holdMillis = options.holdStartMillis ?? DEFAULT_HOLD_MILLIS;
    if (!(holdMillis >= 0 && Number.isFinite(holdMillis)))
      throw new ConfigError(`holdStartMillis must be a finite number of milliseconds ≥ 0, got ${options.holdStartMillis}`);
    this.#worker = worker;
    this.#options = options;
    this.#emitter = options.emitter ?? sharedEmitter({ logger: options.logger, ...options.emitterOptions });
    this.#logger = options.logger ?? quietLogger;
    const ctx: WorkerContext = {
      cluster: options.cluster ?? process.env.RUNTRAIL_CLUSTER ?? 'prod',
      prefix: worker.opts.prefix ?? DEFAULT_PREFIX,
      queue: worker.name,
    };
    if (worker.opts.name) ctx.workerName = worker.opts.name;
    if (options.jobs) ctx.jobs = options.jobs;
    this.#ctx = ctx;
    this.#parents = new ParentResolver(worker.opts.connection as ConnectionOptions, ctx.cluster);
    this.#progressInterval = options.progressIntervalMillis ?? 5000;
    this.#maxError = options.maxErrorLength ?? 8192;
    this.#holds = holdMillis > 0 && takesRecords(this.#emitter);
    this.#starts = new HeldStarts<Job>(this, holdMillis || DEFAULT_HOLD_MILLIS);
    const logger = this.#logger;
    this.#records = recordWriter(
      this.#emitter,
      jobRecords,
      ctx,
      (err) => logger.warn({ err }, 'runtrail: could not decode a BullMQ record'),
      this.#starts.onFlush,
    );
  }

  /**
   * `HeldWriter`: a held attempt's record — its start and end when it succeeded meanwhile, else its start alone, and
   * from then on the attempt is tracked by job id until it ends. Called from the hold's timer too: never throws.
   */
  writeHeld(job: Job, attempt: number, startTime: number, endTime: number): void {
    try {
      // An earlier attempt of its job tracked meanwhile: a step with no delay, re-taken within the hold, so that
      // neither was tracked when this one became active. Held attempts are written oldest first (`#released` too).
      if (this.#attempts.size > 0) this.#endStep(job);
      if (endTime)
        this.#records.write(startAndSuccessRecord(this.#factsOf(job, attempt, startTime, this.#heldFacts), endTime, this.#shortFields));
      else this.#track(job, attempt, startTime);
    } catch (err) {
      this.#hookFailed('held start', err);
    }
  }

  /**
   * `HeldWriter`: a plain job's attempt that succeeded within its hold, gathered with the others of its tick into one
   * record (`endHeld` writes it). Never throws.
   */
  writePlain(jobId: string, name: string, timestamp: number, attempt: number, startTime: number, endTime: number): void {
    try {
      // An earlier step of its job, tracked meanwhile (`writeHeld`): ended now, before this attempt's record.
      if (this.#attempts.size > 0) this.#endEarlier(jobId, undefined, startTime);
      const plain = this.#plain;
      if (!plain.add(jobId, name, timestamp, attempt, startTime, endTime))
        this.#records.write(plainSuccessRecord(jobId, name, timestamp, attempt, startTime, endTime, this.#shortFields));
      else if (plain.full) this.endHeld();
    } catch (err) {
      this.#hookFailed('held start', err);
    }
  }

  /** `HeldWriter`: writes the plain successes gathered since the last call, as one record. Never throws. */
  endHeld(): void {
    const plain = this.#plain;
    if (plain.count === 0) return;
    try {
      this.#records.write(plain.fields, plain.length);
    } catch (err) {
      this.#hookFailed('held start', err);
    }
    plain.clear();
  }

  active(job: Job): void {
    try {
      // Only while some attempt is tracked (never on a no-op Worker's hot path): one of this job's that never ended.
      if (this.#attempts.size > 0) this.#endStep(job);
      this.#begin(job);
    } catch (err) {
      this.#hookFailed('active', err);
    }
  }

  completed(job: Job): void {
    try {
      this.#end(job, SUCCESS);
    } catch (err) {
      this.#hookFailed('completed', err);
    }
  }

  failed(job: Job | undefined, err: Error): void {
    try {
      if (!job) return;
      // finishedOn is set only on the final-failure path of moveToFailed (reference/bullmq.md §2.3).
      const final = job.finishedOn !== undefined;
      const native =
        err?.name === 'UnrecoverableError' ? 'UnrecoverableError' : final ? 'attempts_exhausted' : job.delay > 0 ? 'backoff' : 'retry';
      this.#end(job, {
        status: final ? 'failure' : 'retry',
        native,
        error: { message: String(err?.message ?? err).slice(0, this.#maxError), type: err?.name },
      });
    } catch (e) {
      this.#hookFailed('failed', e);
    }
  }

  progress(job: Job, progress: unknown): void {
    try {
      // A held start is written first: the attempt is tracked by id from then on.
      const a = this.#attemptOf(job);
      const now = Date.now();
      if (!a || now - a.lastProgress < this.#progressInterval) return;
      a.lastProgress = now;
      const event: RunEvent = { kind: 'running', instance: instanceOf(this.#ctx, a), attempt: a.attempt, time: now };
      if (typeof progress === 'number') event.progress = { current: progress, total: 100 };
      else if (typeof progress === 'object' && progress !== null) {
        const p = progress as Record<string, unknown>;
        event.progress = {};
        if (typeof p.current === 'number') event.progress.current = p.current;
        if (typeof p.total === 'number') event.progress.total = p.total;
        if (typeof p.message === 'string') event.progress.message = p.message.slice(0, 1000);
      }
      withLinks(a.started ?? NO_LINKS, (links) => {
        addLinks(event, links);
        this.#enqueue(event);
      });
    } catch (err) {
      this.#hookFailed('progress', err);
    }
  }

  /** A stalled job's attempt ended without a word from its worker (often a crash); it goes back to wait. */
  stalled(jobId: string): void {
    const seenAt = Date.now();
    void this.#stalled(jobId, seenAt).catch((err) => this.#logger.warn({ err }, 'runtrail: could not record a stalled job'));
  }

  /** The Worker closed: it runs no more jobs, so nothing more to hold (and the emitter no longer keeps this Worker). */
  closed(): void {
    try {
      this.#starts.close();
      void this.#parents.close();
      if (this.#options.flushOnClose ?? true)
        void this.#emitter.flush().catch((err: unknown) => this.#logger.warn({ err }, 'runtrail: flush on worker close failed'));
    } catch (err) {
      this.#hookFailed('closed', err);
    }
  }

  /** The disposer: writes what is held and lets go of the parent lookups. */
  detach(): void {
    this.#starts.close();
    void this.#parents.close();
  }

  #hookFailed(event: string, err: unknown): void {
    this.#logger.warn({ err, event }, 'runtrail: BullMQ hook failed');
  }

  #enqueue(event: RunEvent): void {
    try {
      this.#emitter.enqueue(event);
    } catch (err) {
      this.#logger.warn({ err }, 'runtrail: could not enqueue a BullMQ event');
    }
  }

  /**
   * An attempt's start: held (the hot path: no object made), or written and tracked by job id. Also used when a job
   * ends without an `active` event (a deferred failure: a child failed under failParentOnFailure, or the stall limit;
   * or a job active before the hooks were attached), with `hold` false, so that every end has its start.
   * @returns the tracked attempt, or undefined when its job is held
   */
  #begin(job: Job, hold = this.#holds): Attempt | undefined {
    const attempt = job.attemptsStarted || job.attemptsMade + 1;
    const startTime = job.processedOn ?? Date.now();
    const handoff = handoffOf(job.data);
    if (!handoff && !job.parent?.id) {
      if (!hold) return this.#track(job, attempt, startTime);
      this.#starts.hold(job, attempt, startTime);
      return undefined;
    }
    const a = this.#factsOf(job, attempt, startTime, newAttempt(job));
    a.started = this.#linkedStart(a, job, handoff);
    this.#attempts.set(a.jobId, a);
    return a;
  }

  /** Writes the start record of a plain attempt and tracks the attempt by job id until it ends. */
  #track(job: Job, attempt: number, startTime: number): Attempt {
    const a = this.#factsOf(job, attempt, startTime, newAttempt(job));
    this.#records.write(startRecord(a, this.#fields));
    this.#attempts.set(a.jobId, a);
    return a;
  }

  /** Fills `into` with the start facts of `job`'s attempt number `attempt`, started at epoch ms `startTime`. */
  #factsOf<F extends StartFacts>(job: Job, attempt: number, startTime: number, into: F): F {
    const opts = job.opts;
    into.jobId = idOf(job);
    into.timestamp = job.timestamp;
    into.name = job.name;
    into.scheduler = job.repeatJobKey || undefined;
    into.attempt = attempt;
    into.startTime = startTime;
    into.priority = opts.priority || undefined;
    into.delay = opts.delay || undefined;
    into.maxAttempts = opts.attempts || undefined;
    into.prevMillis = (job.repeatJobKey && opts.prevMillis) || undefined;
    return into;
  }

  /**
   * The tracked attempt of `job` — its held start written first if it is held — or undefined when the hooks have
   * not seen it start.
   */
  #attemptOf(job: Job): Attempt | undefined {
    // Tracked first: a long attempt's progress, reported many times, costs a Map lookup, not a search of the held.
    const tracked = this.#attempts.size > 0 ? this.#attempts.get(idOf(job)) : undefined;
    return tracked?.job === job ? tracked : this.#released(job);
  }

  /** The attempt of `job` if its start was held: written now, and tracked from then on (`writeHeld`). */
  #released(job: Job): Attempt | undefined {
    // A later attempt (a retry, a step) written early: its job's earlier attempts still held are written first, so
    // that a step re-taken within the hold is ended by it (`writeHeld`), not left open. A search of the held by id:
    // never on the hot path, which releases nothing.
    if (job.attemptsStarted > 1) this.#starts.releaseEarlier(job, sameId);
    if (!this.#starts.release(job)) return undefined;
    const a = this.#attempts.get(idOf(job));
    return a?.job === job ? a : undefined;
  }

  /** The start of an attempt with links (a FlowProducer child, a hand-off) as an event, once its links are known. */
  #linkedStart(a: Attempt, job: Job, handoff: ReturnType<typeof handoffOf>): Links | Promise<Links> {
    const startWith = (found: Links): Links => {
      const links: Links = handoff
        ? { ...found, upstream: [handoff.upstream], root: found.root ?? handoff.root ?? handoff.upstream }
        : found;
      const event = startEvent(this.#ctx, a);
      addLinks(event, links);
      this.#enqueue(event);
      return links;
    };
    // Only a FlowProducer child needs a lookup (its parent's identity).
    return job.parent?.id
      ? this.#parents
          .resolve({ id: job.parent.id, queueKey: job.parent.queueKey })
          .then((links) => startWith(links))
          .catch((err) => {
            this.#logger.warn({ err }, 'runtrail: could not resolve a job parent');
            return startWith(NO_LINKS);
          })
      : startWith(NO_LINKS);
  }

  #end(job: Job, result: NonNullable<RunEvent['result']>): void {
    const declared = takeDeclarations(job);
    const time = job.finishedOn ?? Date.now();
    const plain = declared === undefined && result === SUCCESS;
    // The hot path: still held, so written with its start when the hold is over, or by the next flush (held-starts.ts).
    // A held job is searched for only when no tracked attempt is its.
    const tracked = this.#attempts.size > 0 ? this.#endStep(job) : undefined;
    if (plain && tracked === undefined && this.#succeededHeld(job, time)) return;
    // Not seen to start: its start now, then its end.
    const a = tracked ?? this.#released(job) ?? (this.#begin(job, false) as Attempt);
    this.#attempts.delete(a.jobId);
    if (a.started === undefined && plain) {
      this.#records.write(successRecord(a, a.attempt, a.startTime, time, this.#fields));
      return;
    }
    withLinks(a.started ?? NO_LINKS, (links) => {
      const event = endEvent(this.#ctx, a, a.attempt, a.startTime, time, result, declared);
      addLinks(event, links);
      this.#enqueue(event);
    });
  }

  /**
   * Notes that `job`'s held attempt succeeded at epoch ms `time`; false when it is not held. A job with none of the
   * options a start record carries — most — is let go of now, its id, name and timestamp kept (`writePlain`).
   */
  #succeededHeld(job: Job, time: number): boolean {
    const opts = job.opts;
    if (job.repeatJobKey || opts.priority || opts.delay || opts.attempts) return this.#starts.succeeded(job, time);
    return this.#starts.succeededPlain(job, time, idOf(job), job.name, job.timestamp);
  }

  /**
   * The tracked attempt of `job`, if any; first ends an earlier attempt of its job id that is still tracked. BullMQ
   * tells no listener when a processor moves its job on by throwing `DelayedError`, `WaitingChildrenError` or
   * `WaitingError` (reference/bullmq.md §2.1), so such a step's attempt is ended when this Worker sees the job's next
   * attempt: as a retry (the listener's record of the same step), at the next attempt's start — the latest it can
   * have ended. A next attempt taken by another Worker leaves it open here.
   */
  #endStep(job: Job): Attempt | undefined {
    return this.#endEarlier(idOf(job), job, job.processedOn ?? Date.now());
  }

  /**
   * `#endStep` of an attempt of job `jobId` started at epoch ms `start`: `job` is its Job object, or undefined when
   * only its id was kept (`writePlain`; every tracked attempt has its Job).
   */
  #endEarlier(jobId: string, job: Job | undefined, start: number): Attempt | undefined {
    const a = this.#attempts.get(jobId);
    if (a === undefined || a.job === job) return a;
    this.#attempts.delete(jobId);
    this.#stepEnded(a, start);
    return undefined;
  }

  /** The end of step attempt `a` (no event from BullMQ), at epoch ms `nextStart`, its next attempt's start. */
  #stepEnded(a: Attempt, nextStart: number): void {
    const time = Math.max(a.startTime, nextStart);
    withLinks(a.started ?? NO_LINKS, (links) => {
      const event = endEvent(this.#ctx, a, a.attempt, a.startTime, time, STEP, undefined);
      addLinks(event, links);
      this.#enqueue(event);
    });
  }

  async #stalled(jobId: string, seenAt: number): Promise<void> {
    const { prefix, queue, cluster } = this.#ctx;
    const j = await this.#parents.job(`${prefix}:${queue}`, jobId);
    if (!j) return;
    const ref = refOfJob(j, prefix, queue, cluster);
    const links = j.parent?.id ? await this.#parents.resolve({ id: j.parent.id, queueKey: j.parent.queueKey }) : {};
    // By now a worker may have taken the job again: then the stalled attempt is the one before the current. A
    // stalled attempt started at least a lock duration before the stall was seen (its lock had expired), so a
    // start within half a lock duration of it is a new attempt.
    const lockDuration = this.#worker.opts.lockDuration ?? 30_000;
    const again = (j.processedOn ?? 0) > seenAt - lockDuration / 2;
    const attempt = Math.max(1, again ? j.attemptsStarted - 1 : j.attemptsStarted);
    // This Worker's own attempt, if it is the one that stalled: ended here, not as a step when the next one starts.
    if (this.#attempts.get(jobId)?.attempt === attempt) this.#attempts.delete(jobId);
    this.#enqueue({
      kind: 'end',
      instance: ref,
      attempt,
      time: Date.now(),
      startTime: j.processedOn,
      result: { status: 'retry', native: 'stalled', error: { message: 'job stalled: its worker stopped renewing the lock' } },
      ...links,
    });
  }
}
