// Out-of-process run history for queues whose workers runtrail does not own (reference/bullmq.md §1, §0): one
// XREAD loop over the queues' event streams, job metadata captured once per job (pipelined), timings from stream
// ids, retries from `delayed`/`waiting` after `active`, final failures from `failed`. A checkpoint per stream is
// committed (with the per-job state) only after the emitter accepted the batch's events; on start the listener
// resumes there, detects a gap left by trimming and rebuilds missing ends from the completed/failed sets.
// One listener at a time observes a queue: a lease (listener-lease.ts) makes any other listener on the same queues a
// standby that takes over from the checkpoints when the holder is gone.
import { BoundedMap, ConfigError, type InstanceRef, type Logger, quietLogger, type RunEvent, type RunEventSink } from '@runtrail/core';
import { Redis, type RedisOptions } from 'ioredis';
import { HANDOFF_KEY, handoffOf } from './handoff.js';
import { DEFAULT_PREFIX, jobRef, splitQueueKey } from './identity.js';
import { DEFAULT_LEASE_MILLIS, ListenerLease } from './listener-lease.js';
import { compareStreamIds, listenerKeys, streamTime, type TrackedJob } from './listener-state.js';
import { sharedEmitter } from './shared-emitter.js';

/**
 * An ioredis client of any supported major (5 or 6): the listener only calls `duplicate()` on it, so its own
 * connections come from the same ioredis the application uses.
 */
export interface RedisClientLike {
  duplicate(override?: Partial<RedisOptions>): unknown;
}

function isClient(c: RedisOptions | RedisClientLike): c is RedisClientLike {
  return typeof (c as RedisClientLike).duplicate === 'function';
}

/** Options of `new QueueListener(options)`. */
export interface QueueListenerOptions {
  /**
   * Redis connection: ioredis options or a URL (connections made with the `ioredis` this package resolves), or an
   * ioredis client (5.x or 6.x) the listener duplicates and never closes. The listener opens two connections.
   */
  connection: RedisOptions | string | RedisClientLike;
  /** Queue names to observe. */
  queues: string[];
  /** Key prefix of the queues. Default `bull`. */
  prefix?: string;
  /** Where events go. Default the process-wide `sharedEmitter()` (spool on, delivery on a worker thread). */
  emitter?: RunEventSink;
  /** DataHub cluster. Default `RUNTRAIL_CLUSTER`, else `prod`. */
  cluster?: string;
  /** Longest wait of one XREAD, in milliseconds. Default 1000. */
  blockMillis?: number;
  /** Most stream entries read per XREAD and queue. Default 1000. */
  batchSize?: number;
  /** How often to look for orphaned active jobs (no lock), in milliseconds; 0 disables. Default 30 000. */
  orphanCheckMillis?: number;
  /** Where to start without a checkpoint: `start` of the stream (default: nothing lost) or `end` (new events only). */
  startFrom?: 'start' | 'end';
  /** Called with what a restart found and repaired. */
  onRecovery?: (report: RecoveryReport) => void;
  /**
   * One listener at a time per queue (default on): a listener that cannot take the lease of every queue it observes
   * stands by, tries again every third of `ttlMillis`, and takes over from the checkpoints when the holder closes (at
   * once: it gives the lease up) or stops renewing it (`ttlMillis` after a crash). `false`: no lease — every listener
   * on a queue reports its runs.
   */
  lease?:
    | { /** How long a lease outlives its holder's last renewal, in milliseconds (≥ 1000). Default 10 000. */ ttlMillis?: number }
    | false;
  logger?: Logger;
}

/** What `start()` found on a queue when its stream had been trimmed past the checkpoint. */
export interface RecoveryReport {
  queue: string;
  checkpoint: string;
  /** First entry still in the stream. */
  firstEntry: string;
  /** Jobs whose end was rebuilt from the completed/failed sets. */
  repaired: number;
  /** Jobs known to have started whose outcome cannot be found any more (removed by removeOnComplete/Fail). */
  unrecoverable: string[];
}

type Fields = Record<string, string>;

function toFields(flat: string[]): Fields {
  const f: Fields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i] as string] = flat[i + 1] as string;
  return f;
}

export class QueueListener {
  readonly #o: Required<Omit<QueueListenerOptions, 'emitter' | 'onRecovery' | 'logger' | 'cluster' | 'lease'>> & QueueListenerOptions;
  readonly #cluster: string;
  readonly #logger: Logger;
  #emitter: RunEventSink | undefined;
  #reader: Redis | undefined;
  #client: Redis | undefined;
  /** Between `start()` and `close()`. */
  #running = false;
  /** Reading the streams: the lease is held (or there is none). */
  #active = false;
  /** The read loop, while active. */
  #loop: Promise<void> | undefined;
  /** The standby loop, while another listener holds the lease. */
  #standby: Promise<void> | undefined;
  /** Ends the standby's wait between two tries (close). */
  #wake: (() => void) | undefined;
  readonly #lease: ListenerLease | undefined;
  #leaseTimer: NodeJS.Timeout | undefined;
  #orphanTimer: NodeJS.Timeout | undefined;
  readonly #ids = new Map<string, string>();
  readonly #jobs = new Map<string, Map<string, TrackedJob>>();
  readonly #parentCache = new BoundedMap<string, { ref: InstanceRef; parentLink?: { id: string; queueKey: string } } | null>(10_000);
  readonly #suspects = new Set<string>();
  /** Jobs whose end a repair rebuilt, with their finish time: their older events still in the stream are skipped. */
  readonly #repaired = new BoundedMap<string, number>(100_000);
  /** Whether a gap was ever repaired (until then, no entry needs a look into `#repaired`). */
  #repairedAny = false;
  /** Counters for tests and monitoring. */
  readonly stats = { entries: 0, lookups: 0, events: 0, batches: 0 };

  constructor(options: QueueListenerOptions) {
    if (!options.queues?.length) throw new TypeError('QueueListener needs at least one queue name');
    this.#o = { prefix: DEFAULT_PREFIX, blockMillis: 1000, batchSize: 1000, orphanCheckMillis: 30_000, startFrom: 'start', ...options };
    if (options.lease !== false) {
      const ttl = options.lease?.ttlMillis ?? DEFAULT_LEASE_MILLIS;
      if (!(Number.isFinite(ttl) && ttl >= 1000))
        throw new ConfigError(`lease.ttlMillis must be a number of milliseconds ≥ 1000, got ${ttl}`);
      this.#lease = new ListenerLease(
        options.queues.map((q) => listenerKeys(this.#o.prefix, q).lease),
        ttl,
      );
    }
    this.#cluster = options.cluster ?? process.env.RUNTRAIL_CLUSTER ?? 'prod';
    this.#logger = options.logger ?? quietLogger;
    this.#emitter = options.emitter;
  }

  get #sink(): RunEventSink {
    this.#emitter ??= sharedEmitter();
    return this.#emitter;
  }

  #redis(): Redis {
    const c = this.#o.connection;
    if (typeof c === 'string') return new Redis(c, { maxRetriesPerRequest: null });
    // A blocking XREAD must not retry-and-fail while Redis restarts, hence no per-request retry limit.
    if (isClient(c)) return c.duplicate({ maxRetriesPerRequest: null }) as Redis;
    return new Redis({ ...c, maxRetriesPerRequest: null });
  }

  /** True while this listener reads the streams; false while it stands by (another holds the lease) or is closed. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Takes the lease, loads checkpoints and per-job state, repairs gaps, then starts reading. Resolves once reading
   * began — or, when another listener holds the lease, once this one stands by (`active` false): it takes over by
   * itself when it can.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#reader = this.#redis();
    this.#client = this.#redis();
    this.#running = true;
    if (this.#lease && !(await this.#lease.acquire(this.#client))) {
      this.#logger.info({ queues: this.#o.queues }, 'runtrail: another listener holds these queues; standing by');
      this.#standby = this.#standBy();
      return;
    }
    await this.#activate();
  }

  /** Stops reading after the current batch, commits the checkpoints, gives the lease up and closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wake?.();
    await this.#standby?.catch(() => {});
    this.#deactivate();
    // Interrupt a blocking XREAD: the loop sees #running false and ends after committing.
    this.#reader?.disconnect();
    await this.#loop?.catch(() => {});
    if (this.#lease) await this.#lease.release(this.#client as Redis).catch(() => {});
    await this.#client?.quit().catch(() => {});
  }

  /** Loads checkpoints and per-job state, repairs gaps and starts the read loop (the lease is held). */
  async #activate(): Promise<void> {
    const client = this.#client as Redis;
    this.#jobs.clear();
    this.#ids.clear();
    this.#suspects.clear();
    for (const queue of this.#o.queues) {
      const k = listenerKeys(this.#o.prefix, queue);
      const [checkpoint, saved] = await Promise.all([client.get(k.checkpoint), client.hgetall(k.jobs)]);
      const jobs = new Map<string, TrackedJob>();
      for (const [id, json] of Object.entries(saved)) {
        try {
          jobs.set(id, JSON.parse(json) as TrackedJob);
        } catch {
          // an unreadable entry is dropped
        }
      }
      this.#jobs.set(queue, jobs);
      this.#ids.set(queue, checkpoint ?? (this.#o.startFrom === 'end' ? '$' : '0'));
      if (checkpoint) await this.#repairGap(queue, checkpoint);
    }
    if (this.#o.startFrom === 'end') {
      // Resolve `$` now, so events written right after start() are not lost (bullmq issue #2874).
      for (const queue of this.#o.queues) {
        if (this.#ids.get(queue) !== '$') continue;
        const last = (await client.xrevrange(listenerKeys(this.#o.prefix, queue).events, '+', '-', 'COUNT', 1))[0]?.[0];
        this.#ids.set(queue, last ?? '0');
      }
    }
    if (!this.#running) return;
    this.#active = true;
    this.#loop = this.#run();
    if (this.#o.orphanCheckMillis > 0) {
      this.#orphanTimer = setInterval(
        () => void this.#checkOrphans().catch((err) => this.#logger.warn({ err }, 'runtrail: orphan check failed')),
        this.#o.orphanCheckMillis,
      );
      this.#orphanTimer.unref();
    }
    const lease = this.#lease;
    if (lease) {
      this.#leaseTimer = setInterval(() => void this.#renew(lease), lease.ttlMillis / 3);
      this.#leaseTimer.unref();
    }
  }

  /** Stops reading (lease lost, or close): timers off; the read loop ends after its current batch. */
  #deactivate(): void {
    this.#active = false;
    if (this.#orphanTimer) clearInterval(this.#orphanTimer);
    if (this.#leaseTimer) clearInterval(this.#leaseTimer);
    this.#orphanTimer = undefined;
    this.#leaseTimer = undefined;
  }

  async #renew(lease: ListenerLease): Promise<void> {
    try {
      if (await lease.acquire(this.#client as Redis)) return;
    } catch (err) {
      // Redis unreachable: the lease runs out on its own clock; `held` says so before any batch is reported.
      this.#logger.warn({ err }, 'runtrail: could not renew the listener lease');
      return;
    }
    this.#standDown();
  }

  /** The lease is someone else's (or cannot be renewed): stop reading; the read loop then stands by. */
  #standDown(): void {
    if (!this.#running || !this.#active) return;
    this.#logger.warn({ queues: this.#o.queues }, 'runtrail: the listener lost its lease; standing by');
    this.#deactivate();
  }

  /** True when the lease is held now (renewed if its sure time ran out): checked before any event is reported. */
  async #holdsLease(): Promise<boolean> {
    const lease = this.#lease;
    if (!lease || lease.held) return true;
    try {
      if (await lease.acquire(this.#client as Redis)) return true;
    } catch (err) {
      this.#logger.warn({ err }, 'runtrail: could not renew the listener lease');
    }
    this.#standDown();
    return false;
  }

  /** Waits for the lease, trying every third of its time, then activates. */
  async #standBy(): Promise<void> {
    const lease = this.#lease as ListenerLease;
    while (this.#running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, lease.ttlMillis / 3);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      if (!this.#running) return;
      try {
        if (await lease.acquire(this.#client as Redis)) {
          this.#logger.info({ queues: this.#o.queues }, 'runtrail: the listener took the lease; reading from the checkpoints');
          await this.#activate();
          return;
        }
      } catch (err) {
        this.#logger.warn({ err }, 'runtrail: could not take the listener lease; trying again');
      }
    }
  }

  async #run(): Promise<void> {
    await this.#read();
    // The lease was lost while reading: stand by until it can be taken again (from the checkpoints).
    if (this.#running && !this.#active) this.#standby = this.#standBy();
  }

  async #read(): Promise<void> {
    const reader = this.#reader as Redis;
    while (this.#running && this.#active) {
      const queues = this.#o.queues;
      let reply: [string, [string, string[]][]][] | null = null;
      try {
        const keys = queues.map((q) => listenerKeys(this.#o.prefix, q).events);
        reply = (await reader.xread(
          'COUNT',
          this.#o.batchSize,
          'BLOCK',
          this.#o.blockMillis,
          'STREAMS',
          ...keys,
          ...queues.map((q) => this.#ids.get(q) as string),
        )) as typeof reply;
      } catch (err) {
        if (!this.#running || !this.#active) break;
        this.#logger.warn({ err }, 'runtrail: XREAD failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!reply) continue;
      for (const [key, entries] of reply as [string, [string, string[]][]][]) {
        const queue = queues[queues.findIndex((q) => listenerKeys(this.#o.prefix, q).events === key)] as string;
        // A full batch means we are behind: if BullMQ trimmed the stream past where we are, repair first.
        const last = this.#ids.get(queue) as string;
        if (entries.length >= this.#o.batchSize && last !== '0' && last !== '$') await this.#repairGap(queue, last);
        await this.#handleBatch(queue, entries);
      }
    }
  }

  async #handleBatch(queue: string, entries: [string, string[]][]): Promise<void> {
    if (entries.length === 0) return;
    this.stats.batches++;
    this.stats.entries += entries.length;
    const jobs = this.#jobs.get(queue) as Map<string, TrackedJob>;
    let parsed = entries.map(([id, flat]) => ({ id, f: toFields(flat) }));
    if (this.#repairedAny)
      parsed = parsed.filter(({ id, f }) => {
        const finished = f.jobId ? this.#repaired.get(`${queue}:${f.jobId}`) : undefined;
        // finishedOn is the worker's clock, stream ids Redis's (0–3 ms apart, reference/bullmq.md §0): allow a second.
        return finished === undefined || streamTime(id) > finished + 1000;
      });
    // One pipelined lookup per job not seen before, at its first event in the batch (added or first sight).
    const firstSeen = new Map<string, { id: string; f: Fields }>();
    for (const e of parsed) {
      const jobId = e.f.jobId;
      if (jobId && !jobs.has(jobId) && !firstSeen.has(jobId)) firstSeen.set(jobId, e);
    }
    await this.#lookup(queue, firstSeen, jobs, parsed);
    // Nothing reported, nothing committed without the lease (checked here: no await between this and the reports).
    // Another listener reads this batch again from the checkpoint.
    if (!(await this.#holdsLease())) return;
    const changed = new Set<string>();
    const ended = new Set<string>();
    for (let i = 0; i < parsed.length; i++) {
      const { id, f } = parsed[i] as { id: string; f: Fields };
      const jobId = f.jobId;
      if (!jobId) continue;
      const job = jobs.get(jobId);
      if (!job) continue;
      const time = streamTime(id);
      const emit = (e: Omit<RunEvent, 'instance'>) => {
        this.stats.events++;
        const event: RunEvent = { ...e, instance: job.ref } as RunEvent;
        if (job.parent) event.parent = job.parent;
        if (job.root) event.root = job.root;
        if (job.upstream) event.upstream = job.upstream;
        this.#sink.enqueue(event);
      };
      changed.add(jobId);
      switch (f.event) {
        case 'added':
        case 'waiting':
        case 'delayed':
        case 'waiting-children':
        case 'prioritized': {
          if (job.activeSince !== undefined && (f.event === 'delayed' || f.prev === 'active')) {
            // The attempt in flight failed and another follows (or it stalled: `stalled` comes next).
            const next = parsed.slice(i + 1).find((e) => e.f.jobId === jobId);
            const stalled = next?.f.event === 'stalled';
            emit({
              kind: 'end',
              attempt: job.attempt,
              time,
              startTime: job.activeSince,
              result: { status: 'retry', native: stalled ? 'stalled' : f.event === 'delayed' ? 'backoff' : 'retry' },
            });
            job.activeSince = undefined;
          } else if (!job.queued && job.attempt === 0) {
            job.queued = true;
            emit({ kind: 'queued', attempt: 1, time });
          }
          break;
        }
        case 'active':
          job.attempt++;
          job.activeSince = time;
          emit({
            kind: 'start',
            attempt: job.attempt,
            time,
            ...(job.maxAttempts ? { maxAttempts: job.maxAttempts } : {}),
            properties: { queue, jobId, source: 'listener' },
          });
          break;
        case 'progress':
          if (job.activeSince !== undefined) emit({ kind: 'running', attempt: job.attempt, time });
          break;
        case 'completed':
          emit({ kind: 'end', attempt: Math.max(1, job.attempt), time, startTime: job.activeSince, result: { status: 'success' } });
          ended.add(jobId);
          break;
        case 'failed':
          emit({
            kind: 'end',
            attempt: Math.max(1, job.attempt),
            time,
            startTime: job.activeSince,
            result: { status: 'failure', error: { message: (f.failedReason ?? '').slice(0, 8192) } },
          });
          ended.add(jobId);
          break;
        case 'removed':
          if (job.attempt > 0 || job.queued)
            emit({
              kind: 'end',
              attempt: Math.max(1, job.attempt),
              time,
              startTime: job.activeSince,
              result: { status: 'cancelled', native: 'removed' },
            });
          ended.add(jobId);
          break;
        default:
          break;
      }
    }
    // The checkpoint moves only now: every event of the batch was accepted by the emitter (enqueue returned).
    const k = listenerKeys(this.#o.prefix, queue);
    const last = (entries.at(-1) as [string, string[]])[0];
    const tx = (this.#client as Redis).multi();
    // One HSET and one HDEL for the whole batch (a command per job was most of the listener's own Redis traffic).
    const kept: string[] = [];
    const gone: string[] = [];
    for (const jobId of changed) {
      if (ended.has(jobId)) {
        jobs.delete(jobId);
        gone.push(jobId);
      } else kept.push(jobId, JSON.stringify(jobs.get(jobId)));
    }
    if (kept.length > 0) tx.hset(k.jobs, ...kept);
    if (gone.length > 0) tx.hdel(k.jobs, ...gone);
    tx.set(k.checkpoint, last);
    await tx.exec();
    this.#ids.set(queue, last);
  }

  /**
   * Reads name, timestamp, parent, attempts and hand-off of new jobs in one pipeline (plus their parents).
   * @param firstSeen each new job's first entry in the batch, in the batch's order
   */
  async #lookup(
    queue: string,
    firstSeen: Map<string, { id: string; f: Fields }>,
    jobs: Map<string, TrackedJob>,
    parsed: { id: string; f: Fields }[],
  ): Promise<void> {
    if (firstSeen.size === 0) return;
    const ids = [...firstSeen.keys()];
    this.stats.lookups += ids.length;
    const base = listenerKeys(this.#o.prefix, queue).base;
    const pipe = (this.#client as Redis).pipeline();
    for (const id of ids) pipe.hmget(`${base}:${id}`, 'name', 'timestamp', 'parent', 'rjk', 'ats', 'opts', 'data');
    const rows = (await pipe.exec()) ?? [];
    for (const [i, id] of ids.entries()) {
      const [name, timestamp, parentJson, rjk, ats, opts, data] = ((rows[i]?.[1] as (string | null)[]) ?? []) as (string | null)[];
      const firstEntry = firstSeen.get(id);
      // A job removed before we could read it keeps what the stream says (name from `added`, time from its id).
      const ts = timestamp ? Number(timestamp) : firstEntry ? streamTime(firstEntry.id) : Date.now();
      const jobName = name ?? parsed.find((e) => e.f.jobId === id && e.f.name)?.f.name ?? 'unknown';
      const ref = jobRef(this.#cluster, { prefix: this.#o.prefix, queue, jobId: id, timestamp: ts, name: jobName }, rjk ?? undefined);
      const tracked: TrackedJob = { ref, attempt: 0 };
      // First sight at `active` means the attempts before it happened while no listener watched.
      const started = Number(ats ?? 0);
      if (firstEntry?.f.event === 'active' && started > 1) tracked.attempt = started - 1;
      try {
        const o = opts ? (JSON.parse(opts) as { attempts?: number }) : {};
        if (o.attempts) tracked.maxAttempts = o.attempts;
      } catch {
        // opts unreadable: no max attempts
      }
      try {
        // The job's data is the user's, and may be large: parsed only when it can hold a hand-off.
        const h = data?.includes(HANDOFF_KEY) ? handoffOf(JSON.parse(data)) : undefined;
        if (h) {
          tracked.upstream = [h.upstream];
          tracked.root = h.root ?? h.upstream;
        }
      } catch {
        // data is the user's business
      }
      if (parentJson) {
        try {
          const p = JSON.parse(parentJson) as { id: string; queueKey: string };
          const links = await this.#resolveParent(p);
          if (links.parent) tracked.parent = links.parent;
          if (links.root) tracked.root = links.root;
        } catch {
          // parent unreadable: no link
        }
      }
      jobs.set(id, tracked);
    }
  }

  async #resolveParent(link: { id: string; queueKey: string }): Promise<{ parent?: InstanceRef; root?: InstanceRef }> {
    const hop = async (l: { id: string; queueKey: string }) => {
      const key = `${l.queueKey}:${l.id}`;
      if (!this.#parentCache.has(key)) {
        this.stats.lookups++;
        const [name, timestamp, parent, rjk] = await (this.#client as Redis).hmget(key, 'name', 'timestamp', 'parent', 'rjk');
        const { prefix, queue } = splitQueueKey(l.queueKey);
        let parentLink: { id: string; queueKey: string } | undefined;
        try {
          parentLink = parent ? (JSON.parse(parent) as { id: string; queueKey: string }) : undefined;
        } catch {
          parentLink = undefined;
        }
        this.#parentCache.set(
          key,
          name && timestamp
            ? {
                ref: jobRef(this.#cluster, { prefix, queue, jobId: l.id, timestamp: Number(timestamp), name }, rjk ?? undefined),
                parentLink,
              }
            : null,
        );
      }
      return this.#parentCache.get(key) ?? undefined;
    };
    const first = await hop(link);
    if (!first) return {};
    let root = first.ref;
    let next = first.parentLink;
    for (let depth = 0; next && depth < 20; depth++) {
      const h = await hop(next);
      if (!h) break;
      root = h.ref;
      next = h.parentLink;
    }
    return { parent: first.ref, root };
  }

  /** On start: if entries after the checkpoint were trimmed away, rebuild the ends of jobs we knew about. */
  async #repairGap(queue: string, checkpoint: string): Promise<void> {
    const client = this.#client as Redis;
    const k = listenerKeys(this.#o.prefix, queue);
    let info: Fields;
    try {
      info = toFields(((await client.xinfo('STREAM', k.events)) as unknown[]).map((v) => (Array.isArray(v) ? String(v[0]) : String(v))));
    } catch {
      return; // no stream yet
    }
    // Trimming does not move max-deleted-entry-id (only XDEL does): the sign of a gap is that the checkpoint entry
    // itself is gone, i.e. the stream now starts after it.
    const firstEntry = info['first-entry'] ?? '';
    if (!firstEntry || compareStreamIds(firstEntry, checkpoint) <= 0) return;
    const jobs = this.#jobs.get(queue) as Map<string, TrackedJob>;
    const report: RecoveryReport = { queue, checkpoint, firstEntry, repaired: 0, unrecoverable: [] };
    const ids = [...jobs.keys()];
    const pipe = client.pipeline();
    for (const id of ids) {
      pipe.zscore(`${k.base}:completed`, id);
      pipe.zscore(`${k.base}:failed`, id);
      pipe.hmget(`${k.base}:${id}`, 'finishedOn', 'processedOn', 'failedReason', 'atm');
    }
    const rows = (await pipe.exec()) ?? [];
    for (const [i, id] of ids.entries()) {
      const job = jobs.get(id) as TrackedJob;
      const completed = rows[i * 3]?.[1];
      const failed = rows[i * 3 + 1]?.[1];
      const [finishedOn, processedOn, failedReason, atm] = (rows[i * 3 + 2]?.[1] as (string | null)[]) ?? [];
      if (completed == null && failed == null) {
        if (!processedOn && !finishedOn) {
          const exists = await client.exists(`${k.base}:${id}`);
          if (!exists) report.unrecoverable.push(id);
        }
        continue; // still waiting or active: the stream will tell
      }
      const attempt = Math.max(1, Number(atm ?? job.attempt) || job.attempt || 1);
      const time = Number(finishedOn ?? completed ?? failed);
      const event: RunEvent = {
        kind: 'end',
        instance: job.ref,
        attempt,
        time,
        result:
          completed != null
            ? { status: 'success', native: 'recovered' }
            : { status: 'failure', native: 'recovered', error: { message: failedReason ?? '' } },
      };
      if (processedOn) event.startTime = Number(processedOn);
      if (job.parent) event.parent = job.parent;
      if (job.root) event.root = job.root;
      if (!(await this.#holdsLease())) return;
      // A start missing for this attempt was trimmed too: emit it so the run is complete.
      if (job.attempt < attempt && processedOn)
        this.#sink.enqueue({
          kind: 'start',
          instance: job.ref,
          attempt,
          time: Number(processedOn),
          ...(job.parent ? { parent: job.parent } : {}),
          ...(job.root ? { root: job.root } : {}),
        });
      this.#sink.enqueue(event);
      jobs.delete(id);
      await client.hdel(k.jobs, id);
      this.#markRepaired(queue, id, time);
      report.repaired++;
    }
    // Jobs that were added and finished entirely inside the gap: found by finish time in the completed/failed sets.
    const from = streamTime(checkpoint);
    const to = firstEntry ? streamTime(firstEntry) : Date.now();
    for (const [set, ok] of [
      ['completed', true],
      ['failed', false],
    ] as const) {
      const unseen = (await client.zrangebyscore(`${k.base}:${set}`, from, to)).filter((id) => !ids.includes(id));
      const rowsOf = client.pipeline();
      for (const id of unseen)
        rowsOf.hmget(`${k.base}:${id}`, 'name', 'timestamp', 'processedOn', 'finishedOn', 'atm', 'failedReason', 'parent', 'rjk');
      const found = (await rowsOf.exec()) ?? [];
      for (const [i, id] of unseen.entries()) {
        const [name, timestamp, processedOn, finishedOn, atm, failedReason, parentJson, rjk] = (found[i]?.[1] as (string | null)[]) ?? [];
        if (!name || !timestamp || !finishedOn) {
          report.unrecoverable.push(id);
          continue;
        }
        const ref = jobRef(
          this.#cluster,
          { prefix: this.#o.prefix, queue, jobId: id, timestamp: Number(timestamp), name },
          rjk ?? undefined,
        );
        let links: { parent?: InstanceRef; root?: InstanceRef } = {};
        try {
          if (parentJson) links = await this.#resolveParent(JSON.parse(parentJson) as { id: string; queueKey: string });
        } catch {
          links = {};
        }
        const attempt = Math.max(1, Number(atm ?? 1));
        if (!(await this.#holdsLease())) return;
        if (processedOn) this.#sink.enqueue({ kind: 'start', instance: ref, attempt, time: Number(processedOn), ...links });
        this.#sink.enqueue({
          kind: 'end',
          instance: ref,
          attempt,
          time: Number(finishedOn),
          ...(processedOn ? { startTime: Number(processedOn) } : {}),
          ...links,
          result: ok
            ? { status: 'success', native: 'recovered' }
            : { status: 'failure', native: 'recovered', error: { message: failedReason ?? '' } },
        });
        this.#markRepaired(queue, id, Number(finishedOn));
        report.repaired++;
      }
    }
    this.#logger.warn(
      { ...report, unrecoverable: report.unrecoverable.length },
      'runtrail: event stream was trimmed past the checkpoint; repaired from completed/failed sets',
    );
    this.#o.onRecovery?.(report);
  }

  #markRepaired(queue: string, jobId: string, finishedOn: number): void {
    this.#repaired.set(`${queue}:${jobId}`, finishedOn);
    this.#repairedAny = true;
  }

  /** Jobs active with no lock on two checks in a row: their worker is gone and nobody will requeue them. */
  async #checkOrphans(): Promise<void> {
    const client = this.#client as Redis;
    for (const queue of this.#o.queues) {
      const k = listenerKeys(this.#o.prefix, queue);
      const active = await client.lrange(`${k.base}:active`, 0, -1);
      const pipe = client.pipeline();
      for (const id of active) pipe.exists(`${k.base}:${id}:lock`);
      const locks = (await pipe.exec()) ?? [];
      const jobs = this.#jobs.get(queue) as Map<string, TrackedJob>;
      for (const [i, id] of active.entries()) {
        const key = `${queue}:${id}`;
        if (locks[i]?.[1] === 1) {
          this.#suspects.delete(key);
          continue;
        }
        if (!this.#suspects.has(key)) {
          this.#suspects.add(key);
          continue;
        }
        const job = jobs.get(id);
        if (!job || job.activeSince === undefined) continue;
        if (!(await this.#holdsLease())) return;
        this.#sink.enqueue({
          kind: 'end',
          instance: job.ref,
          attempt: job.attempt,
          time: Date.now(),
          startTime: job.activeSince,
          result: { status: 'failure', native: 'abandoned', error: { message: 'job active with no lock and no worker (orphaned)' } },
        });
        jobs.delete(id);
        this.#suspects.delete(key);
        await client.hdel(k.jobs, id);
      }
    }
  }
}
