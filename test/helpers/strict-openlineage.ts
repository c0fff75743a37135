// A strict loopback OpenLineage endpoint that answers like Marquez 0.51.1 (reference/openlineage.md §4.4 and
// §10): 201 with an empty body for a valid event, 422 {"errors":[…]} for a schema-invalid one (core + facet
// schemas), 400 for malformed JSON (Marquez answers 500 there: an upstream quirk not copied), 401 for a missing
// or wrong key when one is configured, 404 elsewhere, gzip bodies understood. Fault knobs script answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { validateOpenLineageEvent } from './openlineage-schema.js';

/** A scripted answer for the next request to the endpoint. */
export type StrictOpenLineageFault =
  | { status: number; retryAfter?: string; body?: string }
  /** Never answer; the socket is released when the server closes. */
  | 'hang';

/** Options of the strict endpoint. */
export interface StrictOpenLineageOptions {
  /** Path events are POSTed to. Default `/api/v1/lineage`. */
  path?: string;
  /** When set, `Authorization: Bearer <apiKey>` is required (401 otherwise). */
  apiKey?: string;
  /** Status of an accepted event. Default 201 (Marquez); any 2xx is success for the clients. */
  successStatus?: number;
  /** Milliseconds to wait before answering an accepted event (a slow backend). Default 0. */
  delayMillis?: number;
}

/** One request the endpoint saw. */
export interface StrictOpenLineageRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  status: number | 'hang';
  /** The parsed event when the body was JSON. */
  event?: unknown;
  /** Milliseconds since the server started. */
  at: number;
}

/** Top-level fields of RunEvent, JobEvent and DatasetEvent: anything else is a producer bug (stricter than Marquez). */
const KNOWN_TOP_LEVEL = new Set(['eventType', 'eventTime', 'producer', 'schemaURL', 'run', 'job', 'inputs', 'outputs', 'dataset']);

/** The endpoint. Start with `StrictOpenLineageServer.start()`, stop with `close()`. */
export class StrictOpenLineageServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (pass it as the transport's `url`). */
  url = '';
  /** Events accepted (2xx), in arrival order. */
  readonly accepted: unknown[] = [];
  /** Every request, in arrival order. */
  readonly requests: StrictOpenLineageRequest[] = [];
  /** Scripted answers, consumed one per endpoint request before validation. */
  readonly faults: StrictOpenLineageFault[] = [];

  readonly #server: http.Server;
  readonly #options: Required<Omit<StrictOpenLineageOptions, 'apiKey'>> & { apiKey?: string };
  readonly #startedAt = Date.now();

  private constructor(options: StrictOpenLineageOptions) {
    this.#options = { path: '/api/v1/lineage', successStatus: 201, delayMillis: 0, ...options };
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 5000;
  }

  /** Starts on 127.0.0.1 at a free port. */
  static async start(options: StrictOpenLineageOptions = {}, port = 0): Promise<StrictOpenLineageServer> {
    const s = new StrictOpenLineageServer(options);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(port, '127.0.0.1', resolve);
    });
    s.url = `http://127.0.0.1:${(s.#server.address() as AddressInfo).port}`;
    return s;
  }

  /** Queues `times` answers with `status` (and a Retry-After header when given). */
  failNext(status: number, options: { times?: number; retryAfter?: string; body?: string } = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++) this.faults.push({ status, retryAfter: options.retryAfter, body: options.body });
  }

  /** The next `times` endpoint requests get no answer at all. */
  hangNext(times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push('hang');
  }

  /** Resolves with the accepted events once there are at least `count`; rejects after `timeoutMillis` (default 10000). */
  async waitForAccepted(count: number, timeoutMillis = 10_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMillis;
    while (this.accepted.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`strict OpenLineage endpoint: ${this.accepted.length} of ${count} events accepted after ${timeoutMillis} ms`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.accepted;
  }

  /** Stops listening and drops every connection, hanging ones included. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const record: StrictOpenLineageRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      status: 0,
      at: Date.now() - this.#startedAt,
    };
    this.requests.push(record);
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
      res.end(text);
    };
    const raw = await readBody(req);
    if (req.url !== this.#options.path) return answer(404, { code: 404, message: 'HTTP 404 Not Found' });
    if (req.method !== 'POST') return answer(405, { code: 405, message: 'HTTP 405 Method Not Allowed' });
    if (this.#options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.#options.apiKey}`) {
      return answer(401, { code: 401, message: 'Credentials are required to access this resource.' });
    }
    const fault = this.faults.shift();
    if (fault === 'hang') {
      record.status = 'hang';
      return;
    }
    if (fault !== undefined) {
      record.status = fault.status;
      res.writeHead(fault.status, fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {});
      res.end(fault.body ?? '');
      return;
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return answer(415, { code: 415, message: 'HTTP 415 Unsupported Media Type' });
    }
    let bytes = raw;
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'gzip') {
      try {
        bytes = gunzipSync(raw);
      } catch {
        return answer(400, { code: 400, message: 'Unable to process JSON' });
      }
    } else if (encoding !== 'identity') {
      return answer(415, { code: 415, message: `Unsupported Content-Encoding ${encoding}` });
    }
    let event: unknown;
    try {
      event = JSON.parse(bytes.toString('utf8'));
    } catch {
      return answer(400, { code: 400, message: 'Unable to process JSON' });
    }
    record.event = event;
    const errors = validateOpenLineageEvent(event);
    if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
      for (const key of Object.keys(event)) if (!KNOWN_TOP_LEVEL.has(key)) errors.push(`${key} is not a field of an OpenLineage event`);
    }
    if (errors.length > 0) return answer(422, { errors });
    if (this.#options.delayMillis > 0) await new Promise((r) => setTimeout(r, this.#options.delayMillis));
    this.accepted.push(event);
    answer(this.#options.successStatus);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
