// OpenLineage over HTTP, as the official clients send it (reference/openlineage.md §4.1, Python
// client/python/src/openlineage/client/transport/http.py): one event per POST to urljoin(url, endpoint),
// JSON, optional Bearer key and gzip, 5 s timeout, any 2xx is success. One try per send: retries belong to the
// delivery engine (or `withRetries` for direct use).
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Agent } from 'undici';
import { ConfigError } from '../errors.js';
import { httpRequest } from '../http/request.js';
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';
import { OpenLineageMapper, type OpenLineageMapperOptions } from './mapper.js';
import type { OpenLineageRunEvent } from './types.js';

const gzipAsync = promisify(gzip);

/** Options of `OpenLineageTransport`: where and how to POST, plus the mapping options. */
export interface OpenLineageTransportOptions extends OpenLineageMapperOptions {
  /** Base URL of the backend, e.g. `http://marquez:5000` (`OPENLINEAGE_URL`). Required. */
  url: string;
  /**
   * Path joined to `url` the way Python's `urljoin` does (a leading `/` replaces the URL's path).
   * Default `api/v1/lineage` (`OPENLINEAGE_ENDPOINT`); DataHub's is `openapi/openlineage/api/v1/lineage`.
   */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <apiKey>` (`OPENLINEAGE_API_KEY`). Default none. */
  apiKey?: string;
  /** `gzip` compresses bodies (level 3, like the Python client) with `Content-Encoding: gzip`. Default none. */
  compression?: 'gzip';
  /** Per-request timeout in milliseconds (connect, headers and body). Default 5000. */
  timeoutMillis?: number;
  /** Extra headers, applied last so they may override the others (Python `custom_headers`). */
  headers?: Record<string, string>;
  /** Transport name in stats, logs and spool files. Default `openlineage`. */
  name?: string;
  /** Most keep-alive connections to the backend. Default 8. */
  maxConnections?: number;
}

/** Default endpoint, relative like the Python client's so `url` may carry a base path with a trailing `/`. */
export const DEFAULT_OPENLINEAGE_ENDPOINT = 'api/v1/lineage';

/** Sends OpenLineage RunEvents to an HTTP backend (Marquez, DataHub's OpenLineage endpoint, …). */
export class OpenLineageTransport implements Transport<OpenLineageRunEvent> {
  readonly name: string;
  /** One event per request: Marquez has no batch route and no official client batches (reference §4.4). */
  readonly maxBatchSize = 1;
  readonly maxBatchBytes: number;
  /** The resolved endpoint URL events are POSTed to. */
  readonly endpointUrl: string;
  /** The mapper in use (job namespace, producer, size cap). */
  readonly mapper: OpenLineageMapper;

  readonly #headers: Record<string, string>;
  readonly #compression: 'gzip' | undefined;
  readonly #timeoutMillis: number;
  readonly #agent: Agent;

  /** @throws ConfigError for a missing or non-HTTP url, an unknown compression or a non-positive timeout. */
  constructor(options: OpenLineageTransportOptions) {
    this.mapper = new OpenLineageMapper(options);
    this.name = options.name ?? 'openlineage';
    this.maxBatchBytes = this.mapper.maxEventBytes;
    this.endpointUrl = resolveEndpoint(options.url, options.endpoint ?? DEFAULT_OPENLINEAGE_ENDPOINT);
    if (options.compression !== undefined && options.compression !== 'gzip') {
      throw new ConfigError(`OpenLineage compression must be "gzip" or absent, got ${JSON.stringify(options.compression)}`);
    }
    this.#compression = options.compression;
    this.#timeoutMillis = options.timeoutMillis ?? 5000;
    if (!(this.#timeoutMillis > 0) || !Number.isFinite(this.#timeoutMillis)) {
      throw new ConfigError(`OpenLineage timeoutMillis must be a positive number, got ${this.#timeoutMillis}`);
    }
    this.#headers = {
      'content-type': 'application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...(this.#compression ? { 'content-encoding': 'gzip' } : {}),
      ...lowerCaseKeys(options.headers ?? {}),
    };
    this.#agent = new Agent({ connections: options.maxConnections ?? 8, keepAliveTimeout: 4000 });
  }

  /** One OpenLineage event per neutral event. */
  map(event: RunEvent): OpenLineageRunEvent[] {
    return [this.mapper.map(event)];
  }

  /** Serialized size in bytes (uncompressed). */
  sizeOf(item: OpenLineageRunEvent): number {
    return Buffer.byteLength(this.mapper.serialize(item), 'utf8');
  }

  /** POSTs each event in turn, one try each; rejects with the first DeliveryError (the server's message included). */
  async send(batch: OpenLineageRunEvent[], signal?: AbortSignal): Promise<void> {
    for (const event of batch) {
      const json = this.mapper.serialize(event);
      const body = this.#compression === 'gzip' ? await gzipAsync(json, { level: 3 }) : json;
      await httpRequest({
        url: this.endpointUrl,
        method: 'POST',
        headers: this.#headers,
        body,
        timeoutMillis: this.#timeoutMillis,
        signal,
        dispatcher: this.#agent,
      });
    }
  }

  /** Closes the keep-alive connections. Idempotent. */
  async close(): Promise<void> {
    if (!this.#agent.closed) await this.#agent.close();
  }
}

/** `urljoin(url, endpoint)` (Python) = WHATWG `new URL(endpoint, url)`; only http(s) URLs are accepted. */
function resolveEndpoint(url: string, endpoint: string): string {
  if (typeof url !== 'string' || url.trim() === '') throw new ConfigError('OpenLineage url is required (e.g. OPENLINEAGE_URL)');
  let resolved: URL;
  try {
    resolved = new URL(endpoint, new URL(url.trim()));
  } catch (err) {
    throw new ConfigError(`OpenLineage url ${JSON.stringify(url)} with endpoint ${JSON.stringify(endpoint)} is not a valid URL`, {
      cause: err,
    });
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
    throw new ConfigError(`OpenLineage url must be http or https, got ${JSON.stringify(url)}`);
  }
  return resolved.href;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
