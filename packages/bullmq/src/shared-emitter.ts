// One default emitter per process for every instrumented worker and listener, created on first use.
import { type EmitterFromEnvOptions, emitterFromEnv, type RunEmitter } from '@runtrail/core';

let shared: RunEmitter | undefined;

/**
 * The process-wide default emitter: `emitterFromEnv({ spool: {}, deliveryThread: true })` — delivery runs on a
 * worker thread, so a busy Worker's event loop only hands each event over.
 */
export function sharedEmitter(options: EmitterFromEnvOptions = {}): RunEmitter {
  shared ??= emitterFromEnv({ spool: {}, deliveryThread: true, ...options });
  return shared;
}

/** Flushes and closes the process-wide default emitter (call before a script exits). Idempotent. */
export async function closeSharedEmitter(timeoutMillis = 5000): Promise<void> {
  const e = shared;
  shared = undefined;
  await e?.close(timeoutMillis);
}
