// The quiet default logger, and calls into user loggers that can never throw into the host.
import type { Logger } from './types.js';

const noop = () => {};

/** A logger that discards everything (the default: runtrail is silent unless asked). */
export const quietLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Logs through `logger`, swallowing anything the logger itself throws. */
export function safeLog(logger: Logger, level: keyof Logger, obj: unknown, msg?: string): void {
  try {
    logger[level](obj, msg);
  } catch {
    // A broken logger must not break delivery or the host.
  }
}
