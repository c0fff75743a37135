// Options shared by instrumentWorker, the QueueListener and the producer helpers.
import type { DatasetRef, EmitterFromEnvOptions, Logger, RunEventSink } from '@runtrail/core';

/** Options of `instrumentWorker(worker, options?)`. Every field is optional. */
export interface InstrumentOptions {
  /**
   * Where events go. Default: one shared `emitterFromEnv({ spool: {}, deliveryThread: true })` per process — the
   * local store, plus DataHub / OpenLineage when their environment variables are set, with the durable spool on and
   * delivery on a worker thread (`RUNTRAIL_DELIVERY_THREAD=off` keeps it on the main thread).
   */
  emitter?: RunEventSink;
  /** Options of the default emitter (ignored when `emitter` is given). */
  emitterOptions?: EmitterFromEnvOptions;
  /** DataHub cluster in every URN. Default `RUNTRAIL_CLUSTER`, else `prod`. */
  cluster?: string;
  /** Least time between two `running` events of one attempt from job progress, in milliseconds. Default 5000. */
  progressIntervalMillis?: number;
  /** Lineage declared once per job name (keyed by name). */
  jobs?: Record<string, { inputs?: DatasetRef[]; outputs?: DatasetRef[]; properties?: Record<string, string> }>;
  /** Error messages are cut to this many characters. Default 8192. */
  maxErrorLength?: number;
  /**
   * How long a plain attempt's start record is held back at least, in milliseconds (at most twice that), so that an
   * attempt that succeeds meanwhile goes as one record for its start and end. Default 5; 0 writes every start at once.
   * Held starts are written before any other event of their attempt and before every flush or close of the emitter.
   */
  holdStartMillis?: number;
  /** Flush the emitter when the worker closes. Default `true`. */
  flushOnClose?: boolean;
  /** Logger for runtrail's own problems. Default quiet. */
  logger?: Logger;
}
