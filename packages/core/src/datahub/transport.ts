// DataHub GMS over HTTP (reference/datahub.md §4): Rest.li `ingestProposalBatch` (≤ 200 MCPs, ≤ 15 MiB) or
// OpenAPI v3 per entity type, DataHub's headers and bodies, Bearer auth, a `/config` check that tells GMS from the
// frontend. `send` is one try: the delivery engine owns retries, ordering and batching across events.
import { Agent } from 'undici';
import { ConfigError, DeliveryError } from '../errors.js';
import { httpRequest } from '../http/request.js';
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';
import { DataHubMapper, type DataHubMapperOptions } from './mapper.js';
import { pythonJson } from './python-json.js';
import { openApiBody, restliBatchBody, restliProposal } from './serialize.js';
import type { DataHubIngestMode, DataHubMcp, DataHubSystemMetadata } from './types.js';

/** Most MCPs per request, DataHub's `BATCH_INGEST_MAX_PAYLOAD_LENGTH`. */
export const DATAHUB_MAX_BATCH_MCPS = 200;
/** Most bytes per request, DataHub's `INGEST_MAX_PAYLOAD_BYTES` (15 MiB; GMS refuses 16 MB). */
export const DATAHUB_MAX_BATCH_BYTES = 15 * 1024 * 1024;

/** Options of `DataHubTransport`. */
export interface DataHubTransportOptions extends DataHubMapperOptions {
  /** GMS base URL, e.g. `http://datahub-gms:8080` or `https://<frontend>/api/gms` (`DATAHUB_GMS_URL`). Required. */
  url: string;
  /** Personal access token, sent as `Authorization: Bearer <token>` (`DATAHUB_GMS_TOKEN`). Default none. */
  token?: string;
  /** Ingestion route. Default `restli` (what DataHub's SDK uses unless told otherwise, reference §4.2). */
  mode?: DataHubIngestMode;
  /** Ask GMS to write asynchronously (`async: "true"`). Default `false` (DataHub's SYNC_PRIMARY). */
  async?: boolean;
  /** Per-request timeout in milliseconds. Default 30 000 (DataHub's `_DEFAULT_TIMEOUT_SEC`). */
  timeoutMillis?: number;
  /** Extra headers, applied last. */
  headers?: Record<string, string>;
  /** `systemMetadata.properties.clientId`. Default `runtrail`. */
  clientId?: string;
  /** `systemMetadata.properties.clientVersion`. Default this package's version. */
  clientVersion?: string;
  /** `systemMetadata.runId` / `lastRunId`. Default `no-run-id-provided` (as DataHub's SDK). */
  runId?: string;
  /** Clock for `systemMetadata.lastObserved`, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Transport name in stats, logs and spool progress. Default `datahub`. */
  name?: string;
  /** Most keep-alive connections to GMS. Default 8. */
  maxConnections?: number;
}

/** What `checkConnection` learned from `GET /config`. */
export interface DataHubServerInfo {
  /** `versions["acryldata/datahub"].version`, e.g. `v1.0.1`, when the server says. */
  version: string | undefined;
  /** The whole `/config` answer. */
  config: Record<string, unknown>;
}

/** runtrail's version, reported in systemMetadata. */
const CLIENT_VERSION = '0.1.0';

/** Delivers runs to DataHub as DataProcessInstance MCPs. */
export class DataHubTransport implements Transport<DataHubMcp> {
  readonly name: string;
  readonly maxBatchSize: number;
  readonly maxBatchBytes = DATAHUB_MAX_BATCH_BYTES;
  /** The mapper in use (templates sent, options). */
  readonly mapper: DataHubMapper;
  readonly mode: DataHubIngestMode;
  readonly url: string;

  readonly #headers: Record<string, string>;
  readonly #async: boolean;
  readonly #timeoutMillis: number;
  readonly #clientId: string;
  readonly #clientVersion: string;
  readonly #runId: string;
  readonly #now: () => number;
  readonly #agent: Agent;

  /** @throws ConfigError for a missing or non-HTTP url, an unknown mode or a bad timeout. */
  constructor(options: DataHubTransportOptions) {
    if (typeof options.url !== 'string' || !/^https?:\/\/[^/]/.test(options.url)) {
      throw new ConfigError(`DataHub url must be an http(s) URL of GMS (DATAHUB_GMS_URL), got ${JSON.stringify(options.url)}`);
    }
    this.url = options.url.replace(/\/+$/, '');
    this.mode = options.mode ?? 'restli';
    if (this.mode !== 'restli' && this.mode !== 'openapi') {
      throw new ConfigError(`DataHub mode must be "restli" or "openapi", got ${JSON.stringify(options.mode)}`);
    }
    this.#timeoutMillis = options.timeoutMillis ?? 30_000;
    if (!(this.#timeoutMillis > 0) || !Number.isFinite(this.#timeoutMillis)) {
      throw new ConfigError(`DataHub timeoutMillis must be a positive number, got ${options.timeoutMillis}`);
    }
    this.name = options.name ?? 'datahub';
    this.maxBatchSize = DATAHUB_MAX_BATCH_MCPS;
    this.mapper = new DataHubMapper(options);
    this.#async = options.async ?? false;
    this.#clientId = options.clientId ?? 'runtrail';
    this.#clientVersion = options.clientVersion ?? CLIENT_VERSION;
    this.#runId = options.runId ?? 'no-run-id-provided';
    this.#now = options.now ?? Date.now;
    this.#headers = {
      'content-type': 'application/json',
      'x-restli-protocol-version': '2.0.0',
      'user-agent': `runtrail/${this.#clientVersion}`,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
    this.#agent = new Agent({ connections: options.maxConnections ?? 8, keepAliveTimeout: 4000 });
  }

  map(event: RunEvent): DataHubMcp[] {
    return this.mapper.map(event);
  }

  /** Bytes of the MCP as it appears in a Rest.li batch body (what the 15 MiB limit counts). */
  sizeOf(item: DataHubMcp): number {
    return Buffer.byteLength(pythonJson(restliProposal(item, this.systemMetadata())));
  }

  /** systemMetadata as DataHub's SDK fills it in, observed now. */
  systemMetadata(): DataHubSystemMetadata {
    return {
      lastObserved: this.#now(),
      runId: this.#runId,
      lastRunId: this.#runId,
      properties: { clientId: this.#clientId, clientVersion: this.#clientVersion },
    };
  }

  /** Sends one batch (one request for Rest.li; one per entity type for OpenAPI). Rejects with DeliveryError. */
  async send(batch: DataHubMcp[], signal?: AbortSignal): Promise<void> {
    if (batch.length === 0) return;
    const meta = this.systemMetadata();
    if (this.mode === 'restli') {
      await this.#post(`${this.url}/aspects?action=ingestProposalBatch`, restliBatchBody(batch, meta, this.#async), signal);
      return;
    }
    // OpenAPI v3 routes by entity type; keep the batch's order within each type (DataHub's emit_mcps groups too).
    const byType = new Map<string, DataHubMcp[]>();
    for (const m of batch) {
      const list = byType.get(m.entityType) ?? [];
      list.push(m);
      byType.set(m.entityType, list);
    }
    for (const [type, mcps] of byType) {
      await this.#post(`${this.url}/openapi/v3/entity/${encodeURIComponent(type)}?async=${this.#async}`, openApiBody(mcps, meta), signal);
    }
  }

  /**
   * `GET /config`: proves the URL is GMS (DataHub answers `"noCode": "true"` there) and the token works.
   * @throws DeliveryError for network errors and error statuses (401 says the token is missing or wrong),
   *   ConfigError when the URL reaches the DataHub frontend instead of GMS.
   */
  async checkConnection(signal?: AbortSignal): Promise<DataHubServerInfo> {
    let res: Awaited<ReturnType<typeof httpRequest>>;
    try {
      res = await httpRequest({
        url: `${this.url}/config`,
        method: 'GET',
        headers: this.#headers,
        timeoutMillis: this.#timeoutMillis,
        signal,
        dispatcher: this.#agent,
      });
    } catch (err) {
      if (err instanceof DeliveryError && err.status === 401) {
        throw new DeliveryError(
          'RUNTRAIL_HTTP_STATUS',
          `DataHub at ${this.url} refused the credentials (401): set DATAHUB_GMS_TOKEN to a valid token`,
          {
            retryable: false,
            status: 401,
            body: err.body,
            cause: err,
          },
        );
      }
      throw err;
    }
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      config = {};
    }
    if (config.noCode !== 'true') {
      throw new ConfigError(
        `${this.url} answered /config but is not DataHub GMS (no "noCode": "true"): it looks like the DataHub frontend; use GMS at port 8080 or <frontend>/api/gms`,
      );
    }
    const versions = config.versions as Record<string, { version?: string }> | undefined;
    return { version: versions?.['acryldata/datahub']?.version, config };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #post(url: string, body: string, signal: AbortSignal | undefined): Promise<void> {
    await httpRequest({
      url,
      method: 'POST',
      headers: this.#headers,
      body,
      timeoutMillis: this.#timeoutMillis,
      signal,
      dispatcher: this.#agent,
    });
  }
}
