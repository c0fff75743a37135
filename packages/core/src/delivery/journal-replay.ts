// Delivering what dead processes left in journals beside a spool (record-journal.ts). Every emitter with a spool does
// it when it opens — on a delivery thread or on the host's own thread (`RUNTRAIL_DELIVERY_THREAD=off`) — so that a
// process killed while its delivery thread deferred loses nothing, whichever way the next process delivers.
import { threadId } from 'node:worker_threads';
import type { RunEvent } from '../model/run-event.js';
import { safeLog } from './logger.js';
import { adoptJournals } from './record-journal.js';
import { eachEvent, type RecordDecoder } from './records.js';
import { channelDecoder, channelOf, compactFields, RECORD } from './thread-protocol.js';
import type { Logger } from './types.js';

/**
 * Enqueues the events of a journal's records, in order: whole events as they are, compact records decoded by the
 * codec modules their channels name (imported here; a channel whose module cannot load loses its records, logged).
 */
export async function replayRecords(lines: readonly string[], enqueue: (event: RunEvent) => void, logger: Logger): Promise<void> {
  // The dead process's channel numbers are its own.
  const decoders: Array<RecordDecoder | undefined> = [];
  for (const line of lines) {
    try {
      if (line[0] === RECORD.json) enqueue(JSON.parse(line.slice(1)) as RunEvent);
      else if (line[0] === RECORD.compact) {
        eachEvent(decoders[channelOf(line)]?.(compactFields(line)), enqueue);
      } else if (line[0] === RECORD.channel) {
        const index = channelOf(line);
        try {
          decoders[index] = await channelDecoder(line);
        } catch (err) {
          const url = line.split('\t')[1];
          safeLog(logger, 'error', { err, url }, 'runtrail: could not load the record codec of a journal; its records are dropped');
        }
      }
    } catch (err) {
      safeLog(logger, 'error', { err }, 'runtrail: dropped a journal record it could not read');
    }
  }
}

/**
 * Adopts the journals that dead processes left in the spool directory `root` and enqueues their events; each file is
 * removed once its events are in the spool (after the spool's write, which runs in an immediate queued by the first
 * append) — unless `spoolOpen` says the spool closed meanwhile (a close that timed out): then the file stays, for the
 * next process to adopt.
 */
export async function replayJournals(
  root: string,
  enqueue: (event: RunEvent) => void,
  spoolOpen: () => boolean,
  logger: Logger,
): Promise<void> {
  for (const adopted of adoptJournals(root, threadId)) {
    await replayRecords(adopted.lines, enqueue, logger);
    await new Promise((r) => setImmediate(r));
    if (spoolOpen()) adopted.remove();
  }
}
