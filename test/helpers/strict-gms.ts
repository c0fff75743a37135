// A loopback DataHub GMS that is strict about the real wire format (reference/datahub.md §4): only the real
// routes, the Rest.li protocol header, Bearer auth, Rest.li bodies with the aspect as a JSON string and `async` as
// a string, OpenAPI v3 array bodies — and every aspect checked against DataHub's models (422 otherwise).
// Records what it accepted; can be told to fail (status, Retry-After) or hang, for fault tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateMcp } from './datahub-aspects.js';

/** An MCP as GMS stored it, aspect parsed. */
export interface AcceptedMcp {
  entityType: string;
  entityUrn: string;
  changeType: string;
  aspectName: string;
  aspect: Record<string, unknown>;
  systemMetadata?: Record<string, unknown>;
  via: 'restli' | 'openapi';
}

/** Options of `StrictGmsServer`. */
export interface StrictGmsOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** `/config` answers as the frontend would (no `noCode`), to test the connection check. */
  pretendFrontend?: boolean;
}

/** What the next requests get instead of normal handling (consumed one per request). */
export type GmsFault = { status: number; retryAfter?: string; body?: string } | { hang: true } | { destroy: true };

export class StrictGmsServer {
  readonly accepted: AcceptedMcp[] = [];
  /** Every request, in arrival order: method, url, status answered. */
  readonly requests: { method: string; url: string; status: number; body: string; headers: IncomingMessage['headers'] }[] = [];
  readonly faults: GmsFault[] = [];
  #server: Server | undefined;
  #url = '';
  readonly #hanging = new Set<ServerResponse>();

  constructor(readonly options: StrictGmsOptions = {}) {}

  get url(): string {
    return this.#url;
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(port, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Accepted MCPs for one entity URN (optionally one aspect). */
  of(urn: string, aspectName?: string): AcceptedMcp[] {
    return this.accepted.filter((m) => m.entityUrn === urn && (aspectName === undefined || m.aspectName === aspectName));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', status, body, headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const fault = this.faults.shift();
    if (fault) {
      if ('hang' in fault) {
        this.#hanging.add(res);
        return;
      }
      if ('destroy' in fault) {
        req.socket.destroy();
        return;
      }
      answer(
        fault.status,
        fault.body ?? { message: `injected ${fault.status}`, status: fault.status },
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
      return;
    }
    // Rest.li error envelope, as GMS writes it (exceptionClass, message, status).
    const fail = (status: number, message: string, exceptionClass = 'com.linkedin.restli.server.RestLiServiceException') =>
      answer(status, { exceptionClass, message, status });
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return fail(401, 'Unauthorized to perform this action. Please provide a valid token.');
    }
    const url = new URL(req.url ?? '/', 'http://gms');
    if (req.method === 'GET' && url.pathname === '/config') {
      return answer(
        200,
        this.options.pretendFrontend
          ? { config: { appVersion: 'frontend' } }
          : { noCode: 'true', versions: { 'acryldata/datahub': { version: 'v1.2.0' } } },
      );
    }
    if (req.method !== 'POST') return fail(405, `${req.method} not allowed`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return fail(415, 'Content-Type must be application/json');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return fail(400, 'Invalid JSON body');
    }
    if (url.pathname === '/aspects') {
      if (req.headers['x-restli-protocol-version'] !== '2.0.0') return fail(400, 'Missing X-RestLi-Protocol-Version: 2.0.0');
      const action = url.searchParams.get('action');
      const obj = json as Record<string, unknown>;
      const listKey = action === 'ingestProposal' ? 'proposal' : action === 'ingestProposalBatch' ? 'proposals' : undefined;
      if (listKey === undefined) return fail(400, `unknown action ${action}`);
      for (const key of Object.keys(obj)) {
        if (key !== listKey && key !== 'async')
          return fail(400, `Parameters of method '${action}' failed validation: unrecognized field ${key}`);
      }
      if (obj.async !== undefined && obj.async !== 'true' && obj.async !== 'false')
        return fail(400, `async must be the string "true" or "false"`);
      const proposals = listKey === 'proposal' ? [obj.proposal] : obj.proposals;
      if (!Array.isArray(proposals) || proposals.length === 0 || proposals.some((p) => typeof p !== 'object' || p === null)) {
        return fail(400, `${listKey} is missing or malformed`);
      }
      const parsed: AcceptedMcp[] = [];
      for (const p of proposals as Record<string, unknown>[]) {
        const problem = restliProposalProblem(p);
        if (problem) return fail(400, problem);
        const aspect = JSON.parse((p.aspect as { value: string }).value) as Record<string, unknown>;
        const mcp: AcceptedMcp = {
          entityType: p.entityType as string,
          entityUrn: p.entityUrn as string,
          changeType: p.changeType as string,
          aspectName: p.aspectName as string,
          aspect,
          systemMetadata: p.systemMetadata as Record<string, unknown> | undefined,
          via: 'restli',
        };
        const invalid = invalidity(mcp);
        if (invalid) return fail(422, invalid, VALIDATION_EXCEPTION);
        parsed.push(mcp);
      }
      this.accepted.push(...parsed);
      return answer(200, { value: listKey === 'proposal' ? (parsed[0] as AcceptedMcp).entityUrn : parsed.map((m) => m.entityUrn) });
    }
    const openapi = /^\/openapi\/v3\/entity\/([A-Za-z]+)$/.exec(url.pathname);
    if (openapi) {
      const entityType = openapi[1] as string;
      const asyncParam = url.searchParams.get('async');
      if (asyncParam !== null && asyncParam !== 'true' && asyncParam !== 'false') return fail(400, 'async must be true or false');
      if (!Array.isArray(json) || json.length === 0) return fail(400, 'body must be a non-empty array');
      const parsed: AcceptedMcp[] = [];
      for (const item of json as Record<string, unknown>[]) {
        if (typeof item !== 'object' || item === null || typeof item.urn !== 'string') return fail(400, 'each item needs a urn');
        for (const [aspectName, wrapper] of Object.entries(item)) {
          if (aspectName === 'urn') continue;
          const w = wrapper as Record<string, unknown>;
          if (typeof w !== 'object' || w === null || typeof w.value !== 'object' || w.value === null) {
            return fail(400, `${aspectName}: expected {value: {...}, systemMetadata?, headers?}`);
          }
          for (const key of Object.keys(w))
            if (!['value', 'systemMetadata', 'headers'].includes(key)) return fail(400, `${aspectName}: unrecognized field ${key}`);
          const mcp: AcceptedMcp = {
            entityType,
            entityUrn: item.urn,
            changeType: 'UPSERT',
            aspectName,
            aspect: w.value as Record<string, unknown>,
            systemMetadata: w.systemMetadata as Record<string, unknown> | undefined,
            via: 'openapi',
          };
          const invalid = invalidity(mcp);
          if (invalid) return fail(422, invalid, VALIDATION_EXCEPTION);
          parsed.push(mcp);
        }
      }
      this.accepted.push(...parsed);
      return answer(
        200,
        parsed.map((m) => ({ urn: m.entityUrn })),
      );
    }
    return fail(404, `No route for ${req.method} ${url.pathname}`);
  }
}

/** GMS's exception class for aspect validation failures (answered with 422). */
const VALIDATION_EXCEPTION = 'com.linkedin.metadata.entity.validation.ValidationException';

/** GMS's 422 message for an MCP its models reject, or undefined when it is valid. */
function invalidity(mcp: AcceptedMcp): string | undefined {
  const errors = validateMcp(mcp);
  return errors.length ? `Failed to validate record: ${errors.join('; ')}` : undefined;
}

const PROPOSAL_KEYS = new Set([
  'entityType',
  'entityUrn',
  'changeType',
  'aspectName',
  'aspect',
  'systemMetadata',
  'entityKeyAspect',
  'headers',
]);

function restliProposalProblem(p: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(p)) if (!PROPOSAL_KEYS.has(key)) return `proposal: unrecognized field ${key}`;
  for (const key of ['entityType', 'entityUrn', 'changeType', 'aspectName']) {
    if (typeof p[key] !== 'string') return `proposal.${key} must be a string`;
  }
  const aspect = p.aspect as Record<string, unknown> | undefined;
  if (typeof aspect !== 'object' || aspect === null) return 'proposal.aspect is required';
  for (const key of Object.keys(aspect)) if (key !== 'value' && key !== 'contentType') return `proposal.aspect: unrecognized field ${key}`;
  if (typeof aspect.value !== 'string') return 'proposal.aspect.value must be a JSON string (GenericAspect), not an object';
  if (aspect.contentType !== 'application/json') return 'proposal.aspect.contentType must be application/json';
  try {
    JSON.parse(aspect.value);
  } catch {
    return 'proposal.aspect.value is not valid JSON';
  }
  const sm = p.systemMetadata as Record<string, unknown> | undefined;
  if (sm !== undefined) {
    if (typeof sm !== 'object' || sm === null) return 'proposal.systemMetadata must be a record';
    if (sm.lastObserved !== undefined && !Number.isInteger(sm.lastObserved)) return 'systemMetadata.lastObserved must be a long';
    if (sm.runId !== undefined && typeof sm.runId !== 'string') return 'systemMetadata.runId must be a string';
  }
  return undefined;
}
