// The emitter the environment asks for (DESIGN.md §6): the local store always (unless `RUNTRAIL_STORE=off`),
// DataHub when `DATAHUB_GMS_URL` is set, OpenLineage as the official clients configure it; `RUNTRAIL_DISABLED`
// turns everything off at no cost. This is what adapters use when given no emitter.
import path from 'node:path';
import { dataHubTransportFromEnv } from '../datahub/config.js';
import { ConfigError } from '../errors.js';
import { openLineageTransportsFromEnv } from '../openlineage/config.js';
import type { Transport } from '../transport.js';
import { defaultStorePath, RunStoreTransport } from '../transports/run-store.js';
import { createEmitter, disabledEmitter } from './emitter.js';
import { ThreadedEmitter } from './threaded-emitter.js';
import type { EmitterFromEnvOptions, RunEmitter } from './types.js';

const TRUE = new Set(['1', 'true', 'yes', 'on']);

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, zeroAllowed = false): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed))
    throw new ConfigError(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got ${JSON.stringify(raw)}`);
  return n;
}

/** True when `RUNTRAIL_DISABLED` is set to a true value (`1`, `true`, `yes`, `on`). */
export function runtrailDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return TRUE.has((env.RUNTRAIL_DISABLED ?? '').trim().toLowerCase());
}

/**
 * The transports the environment configures: `store` (`RUNTRAIL_STORE`, default `<cwd>/.runtrail/runs.jsonl`,
 * `off` to disable), `datahub` (`DATAHUB_GMS_URL`, `DATAHUB_GMS_TOKEN`), `openlineage*` (`OPENLINEAGE_URL`, … or
 * `openlineage.yml`).
 * @throws ConfigError for invalid settings
 */
export function transportsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Transport[] {
  const transports: Transport[] = [];
  const store = env.RUNTRAIL_STORE?.trim();
  if (store?.toLowerCase() !== 'off')
    transports.push(new RunStoreTransport({ path: store ? path.resolve(cwd, store) : defaultStorePath(cwd) }));
  const dataHub = dataHubTransportFromEnv(env);
  if (dataHub) transports.push(dataHub);
  transports.push(...openLineageTransportsFromEnv(env, cwd));
  return transports;
}

/**
 * An emitter configured from the environment, plus `options`. Reads, besides the backends' variables:
 * `RUNTRAIL_DISABLED` (kill switch), `RUNTRAIL_SPOOL` (`off` disables the spool the caller asked for),
 * `RUNTRAIL_SPOOL_DIR`, `RUNTRAIL_MAX_QUEUE_SIZE`, `RUNTRAIL_FLUSH_INTERVAL_MILLIS`, `RUNTRAIL_REQUEST_TIMEOUT_MILLIS`,
 * `RUNTRAIL_DELIVERY_THREAD` (`off` keeps delivery on the caller's thread when `deliveryThread` asks for one),
 * `RUNTRAIL_MAX_DEFER_MILLIS`, `RUNTRAIL_DELIVERY_THREAD_NICE`.
 * @throws ConfigError for invalid settings (at construction, never at enqueue)
 */
export function emitterFromEnv(options: EmitterFromEnvOptions = {}): RunEmitter {
  const env = options.env ?? process.env;
  if (runtrailDisabled(env)) return disabledEmitter();
  const cwd = options.cwd ?? process.cwd();
  const { env: _env, cwd: _cwd, transports: extra, deliveryThread, ...rest } = options;
  let spool = rest.spool;
  if ((env.RUNTRAIL_SPOOL ?? '').trim().toLowerCase() === 'off') spool = false;
  else if (spool && env.RUNTRAIL_SPOOL_DIR) spool = { ...spool, dir: path.resolve(cwd, env.RUNTRAIL_SPOOL_DIR) };
  else if (spool && !spool.dir) spool = { ...spool, dir: path.join(cwd, '.runtrail', 'spool') };
  const { logger, ...settings } = rest;
  const resolved = {
    ...settings,
    spool,
    deadLetterPath: rest.deadLetterPath ?? path.join(cwd, '.runtrail', 'dead-letter.jsonl'),
    maxQueueSize: rest.maxQueueSize ?? numberFromEnv(env, 'RUNTRAIL_MAX_QUEUE_SIZE'),
    flushIntervalMillis: rest.flushIntervalMillis ?? numberFromEnv(env, 'RUNTRAIL_FLUSH_INTERVAL_MILLIS'),
    requestTimeoutMillis: rest.requestTimeoutMillis ?? numberFromEnv(env, 'RUNTRAIL_REQUEST_TIMEOUT_MILLIS'),
    maxDeferMillis: rest.maxDeferMillis ?? numberFromEnv(env, 'RUNTRAIL_MAX_DEFER_MILLIS', true),
    deliveryThreadNice: rest.deliveryThreadNice ?? numberFromEnv(env, 'RUNTRAIL_DELIVERY_THREAD_NICE', true),
  };
  const nice = resolved.deliveryThreadNice;
  if (nice !== undefined && !(Number.isInteger(nice) && nice >= 0 && nice <= 19))
    throw new ConfigError(`deliveryThreadNice must be an integer from 0 to 19, got ${nice}`);
  if (resolved.maxDeferMillis !== undefined && !(resolved.maxDeferMillis >= 0))
    throw new ConfigError(`maxDeferMillis must be a non-negative number, got ${resolved.maxDeferMillis}`);
  try {
    const transports = [...transportsFromEnv(env, cwd), ...(extra ?? [])];
    const inHost = () => createEmitter({ ...resolved, logger, transports });
    const threadOff = (env.RUNTRAIL_DELIVERY_THREAD ?? '').trim().toLowerCase() === 'off';
    if (!deliveryThread || threadOff || (extra?.length ?? 0) > 0) return inHost();
    // Bad limits must throw here, at construction, not later in the thread.
    createEmitter({ ...resolved, spool: false, transports });
    return new ThreadedEmitter({ ...resolved, env: { ...env }, cwd }, inHost, logger);
  } catch (err) {
    if (err instanceof TypeError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
}
