// In-process hooks on a BullMQ Worker (reference/bullmq.md §2): each job is a job instance (flow = queue, job =
// name), each attempt a start on `active` and an end on `completed`/`failed` (`retry` while another attempt
// follows, `failure` when final) or `stalled`; progress becomes throttled `running` events. Listeners never block
// or throw into the worker; the only Redis reads are one lookup per FlowProducer parent (cached).
import {
  ConfigError,
  type InstanceRef,
  quietLogger,
  type RecordField,
  type RunEvent,
  type RunEventSink,
  recordWriter,
  takesRecords,
} from '@runtrail/core';
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import { handoffOf } from './handoff.js';
import { DEFAULT_HOLD_MILLIS, HeldStarts, type Holdable } from './held-starts.js';
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

/**
 * Attaches run history and lineage to `worker`. Returns a disposer that detaches the hooks.
 * @param options all optional; with none, events go to the default emitter (environment, local store).
 */
export function instrumentWorker(worker: Worker, options: InstrumentOptions = {}): () => void {
  // Settings first: a bad one throws before anything is attached or opened.
  const holdMillis = options.holdStartMillis ?? DEFAULT_HOLD_MILLIS;
  if (!(holdMillis >= 0 && Number.isFinite(holdMillis)))
    throw new ConfigError(`holdStartMillis must be a finite number of milliseconds ≥ 0, got ${options.holdStartMillis}`);
  const emitter: RunEventSink = options.emitter ?? sharedEmitter({ logger: options.logger, ...options.emitterOptions });
  const logger = options.logger ?? quietLogger;
  const ctx: WorkerContext = {
    cluster: options.cluster ?? process.env.RUNTRAIL_CLUSTER ?? 'prod',
    prefix: worker.opts.prefix ?? DEFAULT_PREFIX,
    queue: worker.name,
  };
  if (worker.opts.name) ctx.workerName = worker.opts.name;
  if (options.jobs) ctx.jobs = options.jobs;
  const { cluster, prefix, queue } = ctx;
  const parents = new ParentResolver(worker.opts.connection as ConnectionOptions, cluster);
  const attempts = new Map<string, Attempt>();
  const progressInterval = options.progressIntervalMillis ?? 5000;
  const maxError = options.maxErrorLength ?? 8192;

  const enqueue = (event: RunEvent) => {
    try {
      emitter.enqueue(event);
    } catch (err) {
      logger.warn({ err }, 'runtrail: could not enqueue a BullMQ event');
    }
  };
  // The hot path: a plain job's start and successful end as compact records (job-records.ts), written from one
  // reused array. A start is held back for a moment (held-starts.ts), only where the emitter calls the channel's
  // onFlush before it flushes (a record sink): an attempt that succeeds meanwhile is written with it, start and end
  // in one record, so the hooks of a short job write nothing themselves — the records of a hold go into the ring
  // together.
  const fields: RecordField[] = [];
  // The records of short attempts in an array of their own: one length for all of them (setting it is a runtime call).
  const shortFields: RecordField[] = [];
  const holds = holdMillis > 0 && takesRecords(emitter);
  const starts = new HeldStarts<Attempt>(
    (a) => writeRecord(a.endTime ? startAndSuccessRecord(a, a.endTime, shortFields) : startRecord(a, fields)),
    holdMillis || DEFAULT_HOLD_MILLIS,
  );
  const writeRecord = recordWriter(
    emitter,
    jobRecords,
    ctx,
    (err) => logger.warn({ err }, 'runtrail: could not decode a BullMQ record'),
    starts.onFlush,
  );
  // Two arguments, not a rest parameter: the hot hooks (active, completed) run for every job, and a rest array per
  // call is an allocation each.
  const guard =
    <T, U = unknown>(name: string, fn: (a: T, b: U) => void) =>
    (a: T, b: U) => {
      try {
        fn(a, b);
      } catch (err) {
        logger.warn({ err, event: name }, 'runtrail: BullMQ hook failed');
      }
    };

  // Also used when a job fails without an `active` event (a deferred failure: a child failed under
  // failParentOnFailure, or the stall limit), so that every end has its start.
  const begin = (job: Job): Attempt => {
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
      if (holds) starts.hold(a);
      else writeRecord(startRecord(a, fields));
    } else {
      const startWith = (found: Links): Links => {
        const links: Links = handoff
          ? { ...found, upstream: [handoff.upstream], root: found.root ?? handoff.root ?? handoff.upstream }
          : found;
        const event = startEvent(ctx, a);
        addLinks(event, links);
        enqueue(event);
        return links;
      };
      // Only a FlowProducer child needs a lookup (its parent's identity).
      a.started = job.parent?.id
        ? parents
            .resolve({ id: job.parent.id, queueKey: job.parent.queueKey })
            .then((links) => startWith(links))
            .catch((err) => {
              logger.warn({ err }, 'runtrail: could not resolve a job parent');
              return startWith(NO_LINKS);
            })
        : startWith(NO_LINKS);
    }
    attempts.set(a.jobId, a);
    return a;
  };

  const onActive = guard('active', (job: Job) => {
    begin(job);
  });

  const end = (job: Job, result: NonNullable<RunEvent['result']>) => {
    const key = `${job.id}`;
    const a = attempts.get(key) ?? begin(job);
    attempts.delete(key);
    const declared = takeDeclarations(job);
    const time = job.finishedOn ?? Date.now();
    if (a.started === undefined && declared === undefined && result.status === 'success') {
      // Still held: written with its start when the hold is over, or by the next flush (held-starts.ts).
      if (a.held) a.endTime = time;
      else writeRecord(successRecord(a, a.attempt, a.startTime, time, fields));
      return;
    }
    starts.writeNow(a);
    withLinks(a.started ?? NO_LINKS, (links) => {
      const event = endEvent(ctx, a, a.attempt, a.startTime, time, result, declared);
      addLinks(event, links);
      enqueue(event);
    });
  };

  const onCompleted = guard('completed', (job: Job) => end(job, SUCCESS));

  const onFailed = guard('failed', (job: Job | undefined, err: Error) => {
    if (!job) return;
    // finishedOn is set only on the final-failure path of moveToFailed (reference/bullmq.md §2.3).
    const final = job.finishedOn !== undefined;
    const native =
      err?.name === 'UnrecoverableError' ? 'UnrecoverableError' : final ? 'attempts_exhausted' : job.delay > 0 ? 'backoff' : 'retry';
    end(job, {
      status: final ? 'failure' : 'retry',
      native,
      error: { message: String(err?.message ?? err).slice(0, maxError), type: err?.name },
    });
  });

  const onProgress = guard('progress', (job: Job, progress: unknown) => {
    const a = attempts.get(`${job.id}`);
    const now = Date.now();
    if (!a || now - a.lastProgress < progressInterval) return;
    a.lastProgress = now;
    starts.writeNow(a);
    const event: RunEvent = { kind: 'running', instance: instanceOf(ctx, a), attempt: a.attempt, time: now };
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
      enqueue(event);
    });
  });

  // A stalled job's attempt ended without a word from its worker (often a crash); it goes back to wait.
  const onStalled = guard('stalled', (jobId: string) => {
    const seenAt = Date.now();
    void (async () => {
      const j = await parents.job(`${prefix}:${queue}`, jobId);
      if (!j) return;
      const ref = refOfJob(j, prefix, queue, cluster);
      const links = j.parent?.id ? await parents.resolve({ id: j.parent.id, queueKey: j.parent.queueKey }) : {};
      // By now a worker may have taken the job again: then the stalled attempt is the one before the current. A
      // stalled attempt started at least a lock duration before the stall was seen (its lock had expired), so a
      // start within half a lock duration of it is a new attempt.
      const lockDuration = worker.opts.lockDuration ?? 30_000;
      const again = (j.processedOn ?? 0) > seenAt - lockDuration / 2;
      enqueue({
        kind: 'end',
        instance: ref,
        attempt: Math.max(1, again ? j.attemptsStarted - 1 : j.attemptsStarted),
        time: Date.now(),
        startTime: j.processedOn,
        result: { status: 'retry', native: 'stalled', error: { message: 'job stalled: its worker stopped renewing the lock' } },
        ...links,
      });
    })().catch((err) => logger.warn({ err }, 'runtrail: could not record a stalled job'));
  });

  const onClosed = () => {
    // A closed Worker runs no more jobs: nothing more to hold (and the emitter no longer keeps this worker alive).
    starts.close();
    void parents.close();
    if (options.flushOnClose ?? true)
      void emitter.flush().catch((err: unknown) => logger.warn({ err }, 'runtrail: flush on worker close failed'));
  };

  worker.on('active', onActive);
  worker.on('completed', onCompleted);
  worker.on('failed', onFailed);
  worker.on('progress', onProgress);
  worker.on('stalled', onStalled);
  worker.on('closed', onClosed);
  return () => {
    starts.close();
    worker.off('active', onActive);
    worker.off('completed', onCompleted);
    worker.off('failed', onFailed);
    worker.off('progress', onProgress);
    worker.off('stalled', onStalled);
    worker.off('closed', onClosed);
    void parents.close();
  };
}
