// `@runtrail/core/model`: the I/O-free entry point (safe inside the Temporal workflow sandbox).

export { attemptKey, eventKey, instanceKey, isTerminal } from './keys.js';
export type {
  DatasetRef,
  InstanceRef,
  ProcessType,
  RunError,
  RunEvent,
  RunEventKind,
  RunResult,
  RunStatus,
} from './run-event.js';
