// Typed errors with a stable `code` and `cause`, branded with Symbol.for so `isRuntrailError` works across
// realms (the Temporal workflow sandbox) and duplicate package copies (the undici errors.js pattern).

const BRAND = Symbol.for('runtrail.error');

/** Stable error codes. */
export type RuntrailErrorCode =
  /** Invalid options or environment, thrown at construction. */
  | 'RUNTRAIL_CONFIG'
  /** An id or URN part that cannot be encoded (e.g. empty). */
  | 'RUNTRAIL_INVALID_ID'
  /** A backend answered with an error status. */
  | 'RUNTRAIL_HTTP_STATUS'
  /** The request did not complete: connection refused/reset, DNS, TLS. */
  | 'RUNTRAIL_NETWORK'
  /** The request took longer than its timeout. */
  | 'RUNTRAIL_TIMEOUT';

/** Base class of every error runtrail throws or reports. */
export class RuntrailError extends Error {
  readonly code: RuntrailErrorCode;
  readonly [BRAND] = true;

  constructor(code: RuntrailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntrailError';
    this.code = code;
  }
}

/** Configuration errors: thrown by constructors and `fromEnv` functions, never at emit time. */
export class ConfigError extends RuntrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUNTRAIL_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/**
 * A failed delivery attempt. `retryable` says whether the same request may succeed later
 * (network errors, timeouts, 429, 5xx); `retryAfterMillis` carries the server's `Retry-After`.
 */
export class DeliveryError extends RuntrailError {
  readonly retryable: boolean;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The server's answer body (truncated), so its message reaches the user. */
  readonly body: string | undefined;
  /** Delay the server asked for (Retry-After), in milliseconds. */
  readonly retryAfterMillis: number | undefined;

  constructor(
    code: 'RUNTRAIL_HTTP_STATUS' | 'RUNTRAIL_NETWORK' | 'RUNTRAIL_TIMEOUT',
    message: string,
    details: { retryable: boolean; status?: number; body?: string; retryAfterMillis?: number; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'DeliveryError';
    this.retryable = details.retryable;
    this.status = details.status;
    this.body = details.body;
    this.retryAfterMillis = details.retryAfterMillis;
  }
}

/** True for any runtrail error, even from another realm or another copy of this package. */
export function isRuntrailError(err: unknown): err is RuntrailError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/** True for a delivery error (branded), from any realm. */
export function isDeliveryError(err: unknown): err is DeliveryError {
  return isRuntrailError(err) && typeof (err as DeliveryError).retryable === 'boolean';
}
