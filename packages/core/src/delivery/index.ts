// The delivery engine: emitter, spool, dead letters, configuration from the environment.
export type { DeadLetter } from './dead-letter.js';
export { createEmitter, disabledEmitter, EMITTER_DEFAULTS } from './emitter.js';
export { emitterFromEnv, runtrailDisabled, transportsFromEnv } from './from-env.js';
export { quietLogger } from './logger.js';
export type {
  EncodedEvent,
  EncodedSink,
  RecordCodec,
  RecordDecoder,
  RecordEncoder,
  RecordField,
  RecordSink,
  RecordWriter,
} from './records.js';
export {
  eachEvent,
  enqueueRecord,
  escapeField,
  fieldText,
  recordText,
  recordWriter,
  splitRecord,
  takesEncoded,
  takesRecords,
} from './records.js';
export { redact } from './redact.js';
export { DEFAULT_MAX_DEFER_MILLIS, ThreadedEmitter } from './threaded-emitter.js';
export type {
  BackendStats,
  EmitterFromEnvOptions,
  EmitterOptions,
  EmitterStats,
  Logger,
  RunEmitter,
  SpoolOptions,
} from './types.js';
