// Entry of the delivery thread (see threaded-emitter.ts): runs an ordinary emitter — dedup, spool, batching,
// serialization, HTTP and file I/O — off the host's event loop, fed with batches of events by the host.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunEvent } from '../model/run-event.js';
import { emitterFromEnv } from './from-env.js';
import type { FromThread, ThreadEmitterOptions, ToThread } from './thread-protocol.js';
import type { Logger, RunEmitter } from './types.js';

const port = parentPort;
if (!port) throw new Error('delivery-thread.js runs as a worker thread only');

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
  emitter = emitterFromEnv({ ...(workerData as ThreadEmitterOptions), logger, deliveryThread: false });
} catch (err) {
  post({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
}

// Which events of the current batch the emitter accepted (after dedup), when the host has onEvent listeners.
let accepted: number[] | undefined;
let index = 0;
emitter?.onEvent(() => accepted?.push(index));

// Acknowledgements are coalesced: one message per turn of this thread's event loop, stats at most every 250 ms
// (each message costs the host's event loop too).
let ackUpTo = 0;
let ackAccepted: Array<[number, number[]]> = [];
let ackQueued = false;
let statsSentAt = 0;
function sendAck(): void {
  if (!ackQueued) return;
  ackQueued = false;
  const now = Date.now();
  const stats = emitter && now - statsSentAt >= 250 ? emitter.stats() : undefined;
  if (stats) statsSentAt = now;
  post({ t: 'ack', upTo: ackUpTo, stats, accepted: ackAccepted.length > 0 ? ackAccepted : undefined });
  ackAccepted = [];
}

port.on('message', (m: ToThread) => {
  const e = emitter;
  if (!e) return;
  if (m.t === 'events') {
    accepted = m.wantAccepted ? [] : undefined;
    for (index = 0; index < m.batch.length; index++) e.enqueue(m.batch[index] as RunEvent);
    if (accepted) ackAccepted.push([m.id, accepted]);
    accepted = undefined;
    ackUpTo = m.id;
    // The spool writes in an immediate queued by the first append; this one runs after it, so an acked event is on disk.
    if (!ackQueued) {
      ackQueued = true;
      setImmediate(sendAck);
    }
  } else {
    const done = () => {
      // Acknowledge first: whoever awaits the flush must see every accepted event (onEvent) before it resolves.
      if (ackQueued) sendAck();
      post({ t: 'done', id: m.id, stats: e.stats() });
    };
    (m.t === 'flush' ? e.flush() : e.close(m.timeoutMillis)).then(done, done);
  }
});
