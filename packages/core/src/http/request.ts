// One HTTP request with undici, classified for retry: the single place that turns network failures,
// timeouts and error statuses into DeliveryError. Transports build on it; retry loops live elsewhere.
import { type Dispatcher, request } from 'undici';
import { DeliveryError } from '../errors.js';
import { parseRetryAfter } from './backoff.js';

/** Longest server answer kept in an error, in characters. */
const MAX_ERROR_BODY_CHARS = 2000;

/** A request to send. */
export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Abort after this many milliseconds. */
  timeoutMillis: number;
  /** Aborts the request from outside (shutdown). */
  signal?: AbortSignal;
  /** Connection pool to use; default undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

/** A 2xx answer. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** True for statuses worth retrying: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends one request. Resolves with 2xx answers; rejects with a DeliveryError that says whether a retry
 * may help (network error, timeout, 408/429/5xx) and carries the server's message and Retry-After.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMillis);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(req.url, {
      method: req.method ?? 'POST',
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: req.dispatcher,
      headersTimeout: req.timeoutMillis,
      bodyTimeout: req.timeoutMillis,
    });
  } catch (err) {
    if (timeout.aborted) {
      throw new DeliveryError('RUNTRAIL_TIMEOUT', `${req.method ?? 'POST'} ${req.url} timed out after ${req.timeoutMillis} ms`, {
        retryable: true,
        cause: err,
      });
    }
    const reason = err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` : String(err);
    throw new DeliveryError('RUNTRAIL_NETWORK', `${req.method ?? 'POST'} ${req.url} failed: ${reason}`, {
      retryable: !req.signal?.aborted,
      cause: err,
    });
  }
  let body: string;
  try {
    body = await res.body.text();
  } catch (err) {
    throw new DeliveryError('RUNTRAIL_NETWORK', `${req.url}: the answer body could not be read`, { retryable: true, cause: err });
  }
  if (res.statusCode >= 200 && res.statusCode < 300) {
    return { status: res.statusCode, headers: res.headers, body };
  }
  const shortBody = body.length > MAX_ERROR_BODY_CHARS ? `${body.slice(0, MAX_ERROR_BODY_CHARS)}…` : body;
  throw new DeliveryError('RUNTRAIL_HTTP_STATUS', `${req.method ?? 'POST'} ${req.url} answered ${res.statusCode}: ${shortBody}`, {
    retryable: isRetryableStatus(res.statusCode),
    status: res.statusCode,
    body: shortBody,
    retryAfterMillis: parseRetryAfter(res.headers['retry-after']),
  });
}
