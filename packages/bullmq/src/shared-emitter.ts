// One default emitter per process for every instrumented worker and listener, created on first use.
import { type EmitterFromEnvOptions, emitterFromEnv, type RunEmitter } from '@runtrail/core';

let shared: RunEmitter | undefined;

/** The process-wide default emitter (`emitterFromEnv({ spool: {} })`). */
export function sharedEmitter(options: EmitterFromEnvOptions = {}): RunEmitter {
  shared ??= emitterFromEnv({ spool: {}, ...options });
  return shared;
}
