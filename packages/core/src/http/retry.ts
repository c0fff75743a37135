// A blocking retry loop for direct, awaited use of a transport (e.g. `DatahubRestEmitter.emit`).
// The delivery engine does not use it: it schedules retries itself so nothing ever waits on a backend.
import { isDeliveryError } from '../errors.js';
import { type BackoffOptions, backoffDelayMillis } from './backoff.js';

/** Retry policy for `withRetries`. */
export interface RetryOptions extends BackoffOptions {
  /** Retries after the first try. Default 4. */
  maxRetries?: number;
  /** Called before each retry, e.g. to log. */
  onRetry?: (err: unknown, retry: number, delayMillis: number) => void;
  /** Stops waiting and rethrows when aborted. */
  signal?: AbortSignal;
}

/** Runs `fn`, retrying retryable DeliveryErrors with backoff + jitter and honouring Retry-After. */
export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxRetries = options.maxRetries ?? 4;
  for (let retry = 0; ; retry++) {
    try {
      return await fn();
    } catch (err) {
      if (!isDeliveryError(err) || !err.retryable || retry >= maxRetries || options.signal?.aborted) throw err;
      const delay = backoffDelayMillis(retry + 1, options, err.retryAfterMillis);
      options.onRetry?.(err, retry + 1, delay);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        options.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
