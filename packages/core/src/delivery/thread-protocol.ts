// What passes between a `ThreadedEmitter` (the host's thread) and its delivery thread (delivery-thread.ts). Events
// travel as records in the shared ring (record-ring.ts), in order; messages carry only control and answers.
import path from 'node:path';
import type { RunEvent } from '../model/run-event.js';
import type { RingBuffers } from './record-ring.js';
import { type RecordCodec, type RecordDecoder, type RecordEncoder, splitRecord } from './records.js';
import type { EmitterFromEnvOptions, EmitterStats, Logger } from './types.js';

/** The settings the delivery thread builds its emitter from (`emitterFromEnv` minus what cannot be cloned). */
export type ThreadEmitterOptions = Omit<EmitterFromEnvOptions, 'logger' | 'transports' | 'deliveryThread' | 'env'> & {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Internal (benches): bytes of records the thread takes per pass. Default `DEFAULT_PASS_BYTES`. */
  passBytes?: number;
  /** Internal (benches): milliseconds to a deferring thread's first look. Default `DEFAULT_DEFER_POLL_MILLIS`. */
  deferPollMillis?: number;
  /** Internal (benches): longest milliseconds between two looks while deferring. Default `MAX_DEFER_POLL_MILLIS`. */
  maxDeferPollMillis?: number;
};

/**
 * Bytes of records the delivery thread takes per pass (≈ 200 compact records): a backlog goes to the backends in
 * passes, with a turn of the event loop between them, rather than at once past their queues (which would send it
 * through the spool file). Small because everything a pass makes lives until the store's write at the end of its
 * turn, so whatever a collection finds is copied: passes of 16 KiB instead of 256 KiB halved the CPU per job of a
 * no-op BullMQ Worker's delivery, the collector's share most of all (bench/README.md, "The delivery thread's CPU").
 */
export const DEFAULT_PASS_BYTES = 16 * 1024;

/**
 * Time to a deferring thread's first look at the host's load, in milliseconds; each look also copies the new records
 * to the journal. While the host stays busy, each next look comes twice as late, up to `MAX_DEFER_POLL_MILLIS`.
 */
export const DEFAULT_DEFER_POLL_MILLIS = 25;

/**
 * Longest time between two looks while the thread defers, in milliseconds. Each look costs the thread ≈ 0.4 ms of
 * CPU on a 2-core VM (its wake-up from a machine the host keeps busy, the host's /proc reading, the journal's write),
 * taken from the busy host's machine: every 10 ms that was 4–5% of a core, every 25 ms ≈ 2%, backing off to every
 * 100 ms ≈ 0.5% (bench/README.md, "Deferring") — perhaps a point of a no-op BullMQ Worker's jobs/s in a burst at
 * 25 ms (inside the noise). The cost of the interval: a SIGKILL loses at most this much of the deferred records, those
 * not journaled yet (and a deferral may outlast `maxDeferMillis` by up to this much).
 */
export const MAX_DEFER_POLL_MILLIS = 100;

/** The directory of the spool the thread writes (its slots, rescue files and journals). */
export function spoolRoot(options: ThreadEmitterOptions): string {
  return (options.spool ? options.spool.dir : undefined) || path.join(options.cwd, '.runtrail', 'spool');
}

/** The delivery thread's `workerData`. */
export interface ThreadData {
  options: ThreadEmitterOptions;
  ring: RingBuffers;
  /** Longest time the thread leaves records in the ring while the host's thread is busy, in milliseconds; 0: never. */
  maxDeferMillis: number;
  /** Niceness the delivery thread runs at (0–19; Linux only). */
  nice: number;
  /** Linux thread id of the host's thread (the one that writes the ring), whose load decides deferring. */
  hostThreadId: number;
  /** Bytes of records taken per pass (`DEFAULT_PASS_BYTES`). */
  passBytes: number;
  /** Milliseconds to a deferring thread's first look (`DEFAULT_DEFER_POLL_MILLIS`). */
  deferPollMillis: number;
  /** Longest milliseconds between two looks while deferring (`MAX_DEFER_POLL_MILLIS`). */
  maxDeferPollMillis: number;
}

/**
 * Kinds of ring records, by first character: `J` + an event's JSON; `R<channel>\t` + a compact record of a
 * channel; `C<channel>\t<codec url>\t<context JSON>` opens a channel; `L1` / `L0`: the host has / no longer has
 * `onEvent` listeners (in the ring, so that the switch takes effect exactly between two events).
 */
export const RECORD = { json: 'J', compact: 'R', channel: 'C', listen: 'L' } as const;

/** The channel number of an `R` or `C` record. */
export function channelOf(line: string): number {
  return Number(line.slice(1, line.indexOf('\t')));
}

/** The decoder a `C` record opens: the codec module it names, imported, given the context it carries. */
export async function channelDecoder(line: string): Promise<RecordDecoder> {
  return (await channelCodec(line)).decode;
}

/** A channel's decoder, and its encoder when the codec module has one (`RecordCodec.createEncoder`). */
export interface ChannelCodec {
  decode: RecordDecoder;
  encode?: RecordEncoder;
}

/** What a `C` record opens: the codec module it names, imported, given the context it carries. */
export async function channelCodec(line: string): Promise<ChannelCodec> {
  const [, url, text] = line.split('\t') as [string, string, string];
  const m = (await import(url)) as Pick<RecordCodec<unknown>, 'createDecoder' | 'createEncoder'>;
  const context: unknown = JSON.parse(text);
  return { decode: m.createDecoder(context), encode: m.createEncoder?.(context) };
}

/** The fields of an `R` record, after its channel number, unescaped. */
export function compactFields(line: string): string[] {
  return splitRecord(line.slice(line.indexOf('\t') + 1));
}

/** Host → delivery thread. */
export type ToThread = { t: 'flush'; id: number } | { t: 'close'; id: number; timeoutMillis: number };

/** Delivery thread → host. */
export type FromThread =
  /** The thread's emitter stats, at most every 250 ms while it works. */
  | { t: 'stats'; stats: EmitterStats }
  /** Events the thread's emitter accepted (after dedup), while the host has `onEvent` listeners. */
  | { t: 'accepted'; events: RunEvent[] }
  /** A flush or close finished. */
  | { t: 'done'; id: number; stats: EmitterStats }
  | { t: 'log'; level: keyof Logger; obj: unknown; msg?: string }
  /** The thread could not build its emitter. */
  | { t: 'failed'; message: string };
