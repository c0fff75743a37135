// onEvent listeners: called synchronously with each accepted event; a listener that throws is logged, never lets
// the error reach the host or the other listeners.
import type { RunEvent } from '../model/run-event.js';
import { safeLog } from './logger.js';
import type { Logger } from './types.js';

/** Calls every listener with `event`, logging (not throwing) what they throw. */
export function notifyListeners(listeners: Iterable<(event: RunEvent) => void>, event: RunEvent, logger: Logger): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (err) {
      safeLog(logger, 'warn', { err }, 'runtrail: an onEvent listener threw');
    }
  }
}
