// Entry of the delivery thread (see threaded-emitter.ts): takes the host's records off the shared ring and runs an
// ordinary emitter — dedup, spool, batching, serialization, HTTP and file I/O — off the host's event loop. While
// the host's main thread is busy it leaves the records in the ring (up to `maxDeferMillis`), so that a burst of work
// in the host does not share the machine with runtrail's — copying them to a journal beside the spool meanwhile,
// so that a killed process loses nothing more for it; records are released once their events are in the spool.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { RunEvent } from '../model/run-event.js';
import { EMITTER_DEFAULTS } from './emitter.js';
import { emitterFromEnv } from './from-env.js';
import { RecordJournal } from './record-journal.js';
import { RecordRing, type TakenRecords } from './record-ring.js';
import { enqueueRecord } from './records.js';
import { ThreadLoad } from './thread-load.js';
import { ThreadPriority } from './thread-priority.js';
import {
  type ChannelCodec,
  channelCodec,
  channelOf,
  compactFields,
  type FromThread,
  RECORD,
  spoolRoot,
  type ThreadData,
  type ToThread,
} from './thread-protocol.js';
import type { Logger, RunEmitter } from './types.js';

/** Time records gather in the ring before the thread takes them, in milliseconds (fewer, larger writes). */
const GATHER_MILLIS = 5;
/**
 * The host's thread counts as busy from this share of CPU time over `LOAD_WINDOW_MILLIS`. Low on purpose: a Worker
 * running 1 ms jobs at full speed uses only ≈ 45% of its thread (the rest is waiting on Redis and timers), yet
 * delivery alongside it cost ≈ 7% of its jobs/s (0.93×) and deferred about none (0.98×; bench/README.md).
 */
const BUSY_SHARE = 0.25;
/** The window over which the host's load is measured, in milliseconds. */
const LOAD_WINDOW_MILLIS = 100;
/** Least time measured before the host counts as idle, in milliseconds (until then records wait). */
const MIN_LOAD_WINDOW_MILLIS = 30;
/** Deferring ends when the ring is this full, whatever the host's load. */
const MAX_DEFER_FILL = 0.5;
/** Longest idle wait before the thread looks at the ring again anyway, in milliseconds. */
const IDLE_WAIT_MILLIS = 1000;
/** Least time between two stats messages, in milliseconds. */
const STATS_MILLIS = 250;
/** A backend holding more than this share of `maxQueueSize` makes records wait in the ring. */
const MAX_BACKEND_FILL = 0.5;
/** Longest wait for the backends while a flush or close takes everything, in milliseconds. */
const DRAIN_WAIT_MILLIS = 1000;

const port = parentPort;
if (!port) throw new Error('delivery-thread.js runs as a worker thread only');
const data = workerData as ThreadData;

function post(message: FromThread): void {
  try {
    port?.postMessage(message);
  } catch {
    // A log record whose object cannot be cloned still gets through, as text.
    if (message.t === 'log') port?.postMessage({ ...message, obj: String(message.obj) });
  }
}

const log =
  (level: keyof Logger) =>
  (obj: unknown, msg?: string): void =>
    post({ t: 'log', level, obj, msg });
const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };

let emitter: RunEmitter | undefined;
try {
  emitter = emitterFromEnv({ ...data.options, logger, deliveryThread: false });
} catch (err) {
  post({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
}

const ring = new RecordRing(data.ring);
// Lowered before the first record: delivery never competes with the host's threads on equal terms (thread-priority.ts).
const priority = new ThreadPriority(data.nice);
let priorityRefusedLogged = false;
const hostLoad = data.maxDeferMillis > 0 ? ThreadLoad.open(data.hostThreadId) : undefined;

// Accepted events go back to the host only while it has onEvent listeners (an `L` record says so). Subscribed only
// then: an emitter with a listener builds every event, which it otherwise need not (EncodedSink).
let stopListening: (() => void) | undefined;
let accepted: RunEvent[] = [];
const keepAccepted = (event: RunEvent): void => {
  accepted.push(event);
};

/** Per channel: its codec, or the import that will provide it. */
type Channels = Array<ChannelCodec | Promise<void> | undefined>;
const channels: Channels = [];
/** The records that opened this process's channels, for the head of a journal. */
const channelLines: string[] = [];
const journal = data.options.spool && data.maxDeferMillis > 0 ? new RecordJournal(spoolRoot(data.options), threadId) : undefined;
/** Taken records not processed to the end yet (processing stops at a channel whose module is still loading). */
const queue: Array<TakenRecords & { next: number }> = [];
/** Processed takes, released after the spool's write of this turn. */
let processed: TakenRecords[] = [];
let releaseQueued = false;
/** Set while processing waits for a codec module. */
let blocked: Promise<void> | undefined;
let statsSentAt = 0;
let closed = false;

function openChannel(line: string, index: number): void {
  channels[index] = channelCodec(line).then(
    (codec) => {
      channels[index] = codec;
    },
    (err: unknown) => {
      channels[index] = undefined;
      logger.error(
        { err, url: line.split('\t')[1] },
        'runtrail: the delivery thread could not load a record codec; its records are dropped',
      );
    },
  );
}

/** Handles one record; false when it must wait for a codec module (then it is handled again later). */
function handle(e: RunEmitter, line: string): boolean {
  try {
    switch (line[0]) {
      case RECORD.json:
        e.enqueue(JSON.parse(line.slice(1)) as RunEvent);
        return true;
      case RECORD.compact: {
        const codec = channels[channelOf(line)];
        if (codec instanceof Promise) {
          blocked = codec;
          return false;
        }
        if (codec) enqueueRecord(e, codec.decode, codec.encode, compactFields(line));
        return true;
      }
      case RECORD.channel: {
        const index = channelOf(line);
        if (!(index in channels)) {
          openChannel(line, index);
          channelLines[index] = line;
        }
        const state = channels[index];
        if (state instanceof Promise) {
          blocked = state;
          return false;
        }
        return true;
      }
      case RECORD.listen:
        if (line[1] === '1') stopListening ??= e.onEvent(keepAccepted);
        else {
          stopListening?.();
          stopListening = undefined;
        }
        return true;
      default:
        return true;
    }
  } catch (err) {
    logger.error({ err }, 'runtrail: the delivery thread dropped a record it could not read');
    return true;
  }
}

/** Takes what the ring holds (up to `maxBytes`) and processes as far as it can; true when nothing is left waiting. */
function drain(maxBytes = Number.POSITIVE_INFINITY): boolean {
  const e = emitter;
  if (!e) return true;
  const taken = ring.take(false, maxBytes);
  if (taken.count > 0) queue.push({ ...taken, next: 0 });
  notBehindAt = 0;
  blocked = undefined;
  while (queue.length > 0) {
    const t = queue[0] as TakenRecords & { next: number };
    while (t.next < t.lines.length) {
      if (!handle(e, t.lines[t.next] as string)) return false;
      t.next++;
    }
    queue.shift();
    processed.push(t);
  }
  if (processed.length > 0 && !releaseQueued) {
    releaseQueued = true;
    // The spool writes in an immediate queued by the first append; this one runs after it, so a released record's
    // event is on disk.
    setImmediate(release);
  }
  return true;
}

function release(): void {
  releaseQueued = false;
  const last = processed.at(-1);
  for (const t of processed) ring.release(t.end, t.count);
  processed = [];
  // The journal keeps only what is not in the spool yet: nothing, once every record written was taken and processed.
  if (last) safely(() => journal?.released(last.end, queue.length === 0 && !ring.hasRecords));
  if (accepted.length > 0) {
    post({ t: 'accepted', events: accepted });
    accepted = [];
  }
  const now = Date.now();
  if (emitter && now - statsSentAt >= STATS_MILLIS) {
    statsSentAt = now;
    post({ t: 'stats', stats: emitter.stats() });
  }
}

/** A turn of this thread's event loop (the spool's write and the release run in it). */
const turn = () => new Promise((r) => setImmediate(r));

/**
 * Everything written so far, processed (waiting for codec modules as needed) and released — in passes, waiting for
 * the backends between passes (for at most `DRAIN_WAIT_MILLIS` in all: a backend that is down gets the rest through
 * the spool).
 */
async function drainAll(e: RunEmitter): Promise<void> {
  const until = performance.now() + DRAIN_WAIT_MILLIS;
  for (;;) {
    while (!drain(data.passBytes)) await blocked;
    await turn();
    if (!ring.hasRecords && queue.length === 0) return;
    while (backendsBehind(e) && performance.now() < until) await sleep(1);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a journal operation; a failure (disk full…) is logged, never fatal: the records are still in the ring. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.warn({ err }, 'runtrail: the delivery thread could not write its journal');
  }
}

const maxQueueSize = data.options.maxQueueSize ?? EMITTER_DEFAULTS.maxQueueSize;

/** Longest time `backendsBehind` answers from its last look, in milliseconds. */
const BEHIND_RECHECK_MILLIS = 250;
/** When the backends were last found not behind (0: look again), with nothing handed to them by `drain` since. */
let notBehindAt = 0;

/** True when some backend holds more than `MAX_BACKEND_FILL` of its queue (it is still busy with earlier passes). */
function backendsBehind(e: RunEmitter): boolean {
  // Their queues only shrink while no records are handed to them, so a deferring thread need not build the stats at
  // every look (only the emitter's own replay of a dead process's journal fills them otherwise: hence the recheck).
  const now = performance.now();
  if (notBehindAt > 0 && now - notBehindAt < BEHIND_RECHECK_MILLIS) return false;
  for (const b of Object.values(e.stats().backends)) if (b.queued + b.inFlight > maxQueueSize * MAX_BACKEND_FILL) return true;
  notBehindAt = now;
  return false;
}

/**
 * Whether to leave the ring alone for now: while it is less than half full, when the backends are still busy with
 * earlier records (the ring holds the rest better than their queues, which would overflow to the spool file), and
 * for up to `maxDeferMillis` while the host is busy.
 */
function defer(e: RunEmitter, pendingSince: number): boolean {
  if (ring.fill >= MAX_DEFER_FILL) return false;
  if (backendsBehind(e)) return true;
  if (!hostLoad || performance.now() - pendingSince >= data.maxDeferMillis) return false;
  const share = hostLoad.share(LOAD_WINDOW_MILLIS, MIN_LOAD_WINDOW_MILLIS);
  return Number.isNaN(share) || share >= BUSY_SHARE;
}

/**
 * Back to the host's priority while the ring is half full (the thread is falling behind: at its lower priority it
 * could end up dropping records), lowered again once the ring is empty.
 */
function keepUp(): void {
  const behind = ring.fill >= MAX_DEFER_FILL;
  if (!behind && ring.hasRecords) return;
  if (priority.behind(behind) || priorityRefusedLogged) return;
  priorityRefusedLogged = true;
  logger.warn(
    { nice: priority.current },
    'runtrail: the delivery thread is falling behind and may not raise its priority here; set deliveryThreadNice (RUNTRAIL_DELIVERY_THREAD_NICE) to 0 if events are dropped',
  );
}

async function loop(e: RunEmitter): Promise<void> {
  let pendingSince = 0;
  /** Time to the next look while deferring: from `deferPollMillis`, doubling while the host stays busy. */
  let poll = data.deferPollMillis;
  while (!closed) {
    try {
      if (!ring.hasRecords && queue.length === 0) {
        pendingSince = 0;
        await ring.waitForRecords(IDLE_WAIT_MILLIS);
        continue;
      }
      if (pendingSince === 0) {
        // A new batch: let it gather, and measure the host from now on.
        pendingSince = performance.now();
        hostLoad?.restart();
        await sleep(GATHER_MILLIS);
      }
      if (!closed && defer(e, pendingSince)) {
        safely(() => journal?.append(ring, channelLines));
        await sleep(poll);
        // Every look wakes the thread on a machine the host keeps busy: fewer of them the longer it stays so.
        poll = Math.min(poll * 2, data.maxDeferPollMillis);
        continue;
      }
      poll = data.deferPollMillis;
      if (blocked) await blocked;
      if (closed) break;
      keepUp();
      drain(data.passBytes);
      // A turn for the spool's write and the backends' sends before the next pass of a backlog.
      await turn();
      if (!ring.hasRecords && queue.length === 0) pendingSince = 0;
    } catch (err) {
      // The loop must outlive any fault of its own (a dying loop would leave every record in the ring): log, go on.
      logger.error({ err }, 'runtrail: the delivery thread hit an internal error; it carries on');
      pendingSince = 0;
      await sleep(data.deferPollMillis);
    }
  }
  // Only now: the loop may have been between two looks at the host's load when the close came.
  hostLoad?.close();
}

port.on('message', (m: ToThread) => {
  const e = emitter;
  if (!e) return;
  const done = () => post({ t: 'done', id: m.id, stats: e.stats() });
  if (m.t === 'flush') {
    drainAll(e)
      .then(() => e.flush())
      .then(release)
      .then(done, done);
  } else {
    drainAll(e)
      .then(() => {
        closed = true;
        safely(() => journal?.close());
        return e.close(m.timeoutMillis);
      })
      .then(release)
      .then(done, done);
  }
});

if (emitter) {
  const e = emitter;
  // Journals that dead processes left beside the spool are delivered by the emitter itself (journal-replay.ts).
  void loop(e);
}
