// Retry timing shared by every HTTP transport and the delivery engine: exponential backoff with full
// jitter, capped, and the server's Retry-After when it asks for longer.

/** How retries are spaced. */
export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. Default 200. */
  initialDelayMillis?: number;
  /** Upper bound of any computed delay, in milliseconds. Default 30000. */
  maxDelayMillis?: number;
  /** Growth factor per attempt. Default 2. */
  multiplier?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialDelayMillis: 200,
  maxDelayMillis: 30_000,
  multiplier: 2,
};

/**
 * Delay before retry number `retry` (1-based): a random value in [cap/2, cap] where
 * cap = min(max, initial × multiplier^(retry-1)) ("equal jitter", so retries never bunch at zero).
 * A `retryAfterMillis` from the server wins when it is longer, capped at 10 × maxDelayMillis.
 */
export function backoffDelayMillis(
  retry: number,
  options: BackoffOptions = {},
  retryAfterMillis?: number,
  random: () => number = Math.random,
): number {
  const o = { ...DEFAULT_BACKOFF, ...options };
  const cap = Math.min(o.maxDelayMillis, o.initialDelayMillis * o.multiplier ** Math.max(0, retry - 1));
  const jittered = cap / 2 + random() * (cap / 2);
  if (retryAfterMillis !== undefined && retryAfterMillis > jittered) {
    return Math.min(retryAfterMillis, o.maxDelayMillis * 10);
  }
  return jittered;
}

/**
 * Parses an HTTP `Retry-After` value (delta-seconds or an HTTP-date, RFC 9110 §10.2.3) into
 * milliseconds from `now`. Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
