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
import { DEFAULT_HOLD_MILLIS, HeldStarts, type HeldWriter, type Holdable } from './held-starts.js';
import { DEFAULT_PREFIX, jobRef } from './identity.js';
import { endEvent, instanceOf, type StartFacts, startEvent, type WorkerContext } from './job-events.js';
import { jobRecords, startAndSuccessRecord, startRecord, successRecord } from './job-records.js';
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

/** One attempt as the hooks track it: its start's facts and its state, one object (the hot path makes one per job). */
interface Attempt extends StartFacts, Holdable {
  /**
   * Links of the attempt, or the parent lookup that will settle them once its start was enqueued (ends wait for
   * it); `undefined` when the start went as a compact record (no links: the hot path).
   */
  started: Links | Promise<Links> | undefined;
  lastProgress: number;
  /**
   * Epoch ms a held attempt succeeded at (0 until then): its start and end are then written together, in one record,
   * when the hold is over (held-starts.ts).
   */
  endTime: number;
}

/** The result of every successful attempt: shared, never mutated (events are never mutated once built). */
const SUCCESS: NonNullable<RunEvent['result']> = Object.freeze({ status: 'success' });

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

function onActive(this: Worker, job: Job): void {
  hooksOf.get(this)?.active(job);
}

function onCompleted(this: Worker, job: Job): void {
  hooksOf.get(this)?.completed(job);
}

function onFailed(this: Worker, job: Job | undefined, err: Error): void {
  hooksOf.get(this)?.failed(job, err);
}

function onProgress(this: Worker, job: Job, progress: unknown): void {
  hooksOf.get(this)?.progress(job, progress);
}

function onStalled(this: Worker, jobId: string): void {
  hooksOf.get(this)?.stalled(jobId);
}

function onClosed(this: Worker): void {
  hooksOf.get(this)?.closed();
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
  if (shared) hooksOf.set(worker, hooks);
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
class WorkerHooks implements HeldWriter<Attempt> {
  readonly #worker: Worker;
  readonly #options: InstrumentOptions;
  readonly #emitter: RunEventSink;
  readonly #logger: Logger;
  readonly #ctx: WorkerContext;
  readonly #parents: ParentResolver;
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
  readonly #starts: HeldStarts<Attempt>;
  readonly #records: RecordWriter;

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
    this.#starts = new HeldStarts<Attempt>(this, holdMillis || DEFAULT_HOLD_MILLIS);
    const logger = this.#logger;
    this.#records = recordWriter(
      this.#emitter,
      jobRecords,
      ctx,
      (err) => logger.warn({ err }, 'runtrail: could not decode a BullMQ record'),
      this.#starts.onFlush,
    );
  }

  /** `HeldWriter`: a held attempt's record, its start alone or, when it succeeded meanwhile, its start and end. */
  writeHeld(a: Attempt): void {
    this.#records.write(a.endTime ? startAndSuccessRecord(a, a.endTime, this.#shortFields) : startRecord(a, this.#fields));
  }

  active(job: Job): void {
    try {
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
      const a = this.#attempts.get(`${job.id}`);
      const now = Date.now();
      if (!a || now - a.lastProgress < this.#progressInterval) return;
      a.lastProgress = now;
      this.#starts.writeNow(a);
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
   * An attempt's start. Also used when a job fails without an `active` event (a deferred failure: a child failed
   * under failParentOnFailure, or the stall limit), so that every end has its start.
   */
  #begin(job: Job): Attempt {
    const opts = job.opts;
    // Every field set, in one order: one hidden class for all attempts, whatever options their jobs have.
    const a: Attempt = {
      jobId: String(job.id),
      timestamp: job.timestamp,
      name: job.name,
      scheduler: job.repeatJobKey || undefined,
      attempt: job.attemptsStarted || job.attemptsMade + 1,
      startTime: job.processedOn ?? Date.now(),
      priority: opts.priority || undefined,
      delay: opts.delay || undefined,
      maxAttempts: opts.attempts || undefined,
      prevMillis: (job.repeatJobKey && opts.prevMillis) || undefined,
      started: undefined,
      lastProgress: 0,
      held: false,
      endTime: 0,
    };
    const handoff = handoffOf(job.data);
    if (!handoff && !job.parent?.id) {
      if (this.#holds) this.#starts.hold(a);
      else this.#records.write(startRecord(a, this.#fields));
    } else a.started = this.#linkedStart(a, job, handoff);
    this.#attempts.set(a.jobId, a);
    return a;
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
    const key = `${job.id}`;
    const a = this.#attempts.get(key) ?? this.#begin(job);
    this.#attempts.delete(key);
    const declared = takeDeclarations(job);
    const time = job.finishedOn ?? Date.now();
    if (a.started === undefined && declared === undefined && result.status === 'success') {
      // Still held: written with its start when the hold is over, or by the next flush (held-starts.ts).
      if (a.held) a.endTime = time;
      else this.#records.write(successRecord(a, a.attempt, a.startTime, time, this.#fields));
      return;
    }
    this.#starts.writeNow(a);
    withLinks(a.started ?? NO_LINKS, (links) => {
      const event = endEvent(this.#ctx, a, a.attempt, a.startTime, time, result, declared);
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
    this.#enqueue({
      kind: 'end',
      instance: ref,
      attempt: Math.max(1, again ? j.attemptsStarted - 1 : j.attemptsStarted),
      time: Date.now(),
      startTime: j.processedOn,
      result: { status: 'retry', native: 'stalled', error: { message: 'job stalled: its worker stopped renewing the lock' } },
      ...links,
    });
  }
}
