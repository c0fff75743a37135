// Messages between a `ThreadedEmitter` (the host's thread) and its delivery thread (delivery-thread.ts). Only
// plain data crosses: events, stats snapshots, log records and the emitter's cloneable settings.
import type { RunEvent } from '../model/run-event.js';
import type { EmitterFromEnvOptions, EmitterStats, Logger } from './types.js';

/** The settings the delivery thread builds its emitter from (`emitterFromEnv` minus what cannot be cloned). */
export type ThreadEmitterOptions = Omit<EmitterFromEnvOptions, 'logger' | 'transports' | 'deliveryThread' | 'env'> & {
  env: Record<string, string | undefined>;
  cwd: string;
};

/** Host → delivery thread. */
export type ToThread =
  /** Events in enqueue order; `wantAccepted` asks for the indexes the emitter accepted (for `onEvent`). */
  | { t: 'events'; id: number; batch: RunEvent[]; wantAccepted: boolean }
  | { t: 'flush'; id: number }
  | { t: 'close'; id: number; timeoutMillis: number };

/** Delivery thread → host. */
export type FromThread =
  /**
   * Every batch up to `upTo` was accepted (and is in the spool, when there is one). `accepted` lists, per batch
   * that asked, the indexes the emitter accepted; `stats` comes at most every 250 ms.
   */
  | { t: 'ack'; upTo: number; stats?: EmitterStats; accepted?: Array<[id: number, indexes: number[]]> }
  /** A flush or close finished. */
  | { t: 'done'; id: number; stats: EmitterStats }
  | { t: 'log'; level: keyof Logger; obj: unknown; msg?: string }
  /** The thread could not build its emitter. */
  | { t: 'failed'; message: string };
