// OpenLineage configuration resolved exactly like the official Python client (reference/openlineage.md §4.6,
// OpenLineage client/python/src/openlineage/client/client.py `_resolve_transport`, `config`,
// `_load_config_from_env_variables`, `_alias_env_vars`): OPENLINEAGE_DISABLED, then `transport` from the YAML
// file merged over OPENLINEAGE__* variables, then OPENLINEAGE_URL / _ENDPOINT / _API_KEY; the job namespace
// from OPENLINEAGE_NAMESPACE (the integrations' rule, default `default`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import type { Transport } from '../transport.js';
import { DEFAULT_OPENLINEAGE_ENDPOINT, OpenLineageTransport, type OpenLineageTransportOptions } from './http-transport.js';
import {
  OpenLineageConsoleTransport,
  type OpenLineageConsoleTransportOptions,
  OpenLineageFileTransport,
  type OpenLineageFileTransportOptions,
} from './local-transports.js';
import type { OpenLineageRunEvent } from './types.js';

/** What the environment asks for. `noop` = disabled (OPENLINEAGE_DISABLED=true or `type: noop`). */
export type OpenLineageEnvConfig =
  | { type: 'http'; options: OpenLineageTransportOptions }
  | { type: 'console'; options: OpenLineageConsoleTransportOptions }
  | { type: 'file'; options: OpenLineageFileTransportOptions }
  | { type: 'composite'; transports: Array<{ name: string; config: OpenLineageEnvConfig }> }
  | { type: 'noop' };

type Dict = Record<string, unknown>;

const DYNAMIC_PREFIX = 'OPENLINEAGE__';
const DEFAULT_URL_TRANSPORT = 'default_http';

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Python `deep_merge_dicts(a, b)`: b wins; dicts merge recursively. */
function deepMerge(a: Dict, b: Dict): Dict {
  const merged: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) merged[k] = isDict(v) && isDict(merged[k]) ? deepMerge(merged[k] as Dict, v) : v;
  return merged;
}

/** Python `json.loads` or the string itself. */
function parseEnvValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * `OPENLINEAGE__A__B=v` → `{a: {b: v}}`: keys lower-cased, values parsed as JSON when possible, names sorted in
 * reverse so a top-level variable (`OPENLINEAGE__TRANSPORT='{…}'`) replaces nested ones.
 */
function configFromDynamicEnv(env: NodeJS.ProcessEnv): Dict {
  const config: Dict = {};
  const names = Object.keys(env)
    .filter((k) => k.startsWith(DYNAMIC_PREFIX))
    .sort()
    .reverse();
  for (const name of names) {
    const keys = name
      .slice(DYNAMIC_PREFIX.length)
      .split('__')
      .map((k) => k.toLowerCase());
    let current = config;
    for (const key of keys.slice(0, -1)) {
      if (current[key] === undefined) current[key] = {};
      const next = current[key];
      if (!isDict(next)) throw new ConfigError(`${name} conflicts with another OPENLINEAGE__ variable that sets a plain value`);
      current = next;
    }
    current[keys[keys.length - 1]!] = parseEnvValue(env[name] ?? '');
  }
  return config;
}

/**
 * `_alias_env_vars`: OPENLINEAGE_URL also becomes the `default_http` member of a composite transport (unless one is
 * configured), and fills an `async_http` transport's url/auth/endpoint when those are unset.
 */
function aliasUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const url = env.OPENLINEAGE_URL;
  if (!url) return env;
  const member = `OPENLINEAGE__TRANSPORT__TRANSPORTS__${DEFAULT_URL_TRANSPORT.toUpperCase()}`;
  if (Object.keys(env).some((k) => k.startsWith(member))) return env;
  const aliased: NodeJS.ProcessEnv = { ...env, [`${member}__TYPE`]: 'http', [`${member}__URL`]: url };
  const apiKey = env.OPENLINEAGE_API_KEY;
  const endpoint = env.OPENLINEAGE_ENDPOINT;
  if (apiKey) aliased[`${member}__AUTH`] = JSON.stringify({ type: 'api_key', apiKey });
  if (endpoint) aliased[`${member}__ENDPOINT`] = endpoint;
  if (env.OPENLINEAGE__TRANSPORT__TYPE === 'async_http') {
    aliased.OPENLINEAGE__TRANSPORT__URL ??= url;
    if (apiKey) aliased.OPENLINEAGE__TRANSPORT__AUTH ??= JSON.stringify({ type: 'api_key', apiKey });
    if (endpoint) aliased.OPENLINEAGE__TRANSPORT__ENDPOINT ??= endpoint;
  }
  return aliased;
}

function readable(file: string | undefined): boolean {
  if (!file) return false;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `_find_yaml_config_path`: $OPENLINEAGE_CONFIG, then ./openlineage.yml, then ~/.openlineage/openlineage.yml. */
export function findOpenLineageConfigFile(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
  const home = env.HOME ?? os.homedir();
  const candidates = [env.OPENLINEAGE_CONFIG, path.join(cwd, 'openlineage.yml'), path.join(home, '.openlineage', 'openlineage.yml')];
  return candidates.find(readable);
}

function readYaml(file: string): Dict {
  let parsed: unknown;
  try {
    parsed = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`OpenLineage config ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return {}; // an empty file, as in the Python client
  if (!isDict(parsed)) throw new ConfigError(`OpenLineage config ${file} must be a mapping at the top level`);
  return parsed;
}

function str(config: Dict, key: string, where: string): string | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${where}.${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function httpOptions(t: Dict, where: string, jobNamespace: string): OpenLineageTransportOptions {
  const url = str(t, 'url', where);
  if (!url) throw new ConfigError(`${where}.url is required for an http transport`);
  const options: OpenLineageTransportOptions = { url, jobNamespace, endpoint: str(t, 'endpoint', where) ?? DEFAULT_OPENLINEAGE_ENDPOINT };
  if (t.timeout !== undefined) {
    // Seconds in the official config (HttpConfig.timeout = 5.0).
    if (typeof t.timeout !== 'number' || !(t.timeout > 0)) throw new ConfigError(`${where}.timeout must be a positive number of seconds`);
    options.timeoutMillis = Math.round(t.timeout * 1000);
  }
  const auth = t.auth;
  if (auth !== undefined && auth !== null) {
    if (!isDict(auth)) throw new ConfigError(`${where}.auth must be a mapping`);
    if (auth.type === 'api_key') {
      // The Python ApiKeyTokenProvider accepts apiKey, apikey or api_key.
      const key = auth.apiKey ?? auth.apikey ?? auth.api_key;
      if (typeof key !== 'string' || key === '') throw new ConfigError(`${where}.auth.apiKey is required when auth.type is api_key`);
      options.apiKey = key;
    } else if (auth.type !== undefined) {
      throw new ConfigError(`${where}.auth.type ${JSON.stringify(auth.type)} is not supported by runtrail (use api_key)`);
    }
  }
  const compression = str(t, 'compression', where);
  if (compression !== undefined) {
    if (compression !== 'gzip') throw new ConfigError(`${where}.compression must be gzip, got ${JSON.stringify(compression)}`);
    options.compression = 'gzip';
  }
  const headers = t.custom_headers;
  if (headers !== undefined && headers !== null) {
    if (!isDict(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
      throw new ConfigError(`${where}.custom_headers must map header names to strings`);
    }
    options.headers = headers as Record<string, string>;
  }
  return options;
}

function transportConfig(t: Dict, where: string, jobNamespace: string): OpenLineageEnvConfig {
  switch (t.type) {
    case 'http':
    case 'async_http': // runtrail's delivery engine is already asynchronous
      return { type: 'http', options: httpOptions(t, where, jobNamespace) };
    case 'console':
      return { type: 'console', options: { jobNamespace } };
    case 'file': {
      const filePath = str(t, 'log_file_path', where);
      if (!filePath) throw new ConfigError(`${where}.log_file_path is required for a file transport`);
      // Always JSONL appended to one file (the official `append: true`); one file per event is not offered.
      return { type: 'file', options: { jobNamespace, filePath } };
    }
    case 'noop':
      return { type: 'noop' };
    case 'composite': {
      const members = t.transports;
      const entries: Array<[string, unknown]> = Array.isArray(members)
        ? members.map((m, i) => [isDict(m) && typeof m.name === 'string' ? m.name : `transport_${i}`, m])
        : isDict(members)
          ? Object.entries(members)
          : [];
      if (entries.length === 0) throw new ConfigError(`${where}.transports must list at least one transport`);
      return {
        type: 'composite',
        transports: entries.map(([name, m]) => {
          if (!isDict(m)) throw new ConfigError(`${where}.transports.${name} must be a mapping`);
          return { name, config: transportConfig(m, `${where}.transports.${name}`, jobNamespace) };
        }),
      };
    }
    default:
      throw new ConfigError(
        `${where}.type ${JSON.stringify(t.type)} is not supported by runtrail (http, async_http, console, file, composite, noop)`,
      );
  }
}

/**
 * Resolves OpenLineage delivery from the environment with the Python client's precedence:
 * 1. `OPENLINEAGE_DISABLED=true` (trimmed, any case) → `{type: 'noop'}`;
 * 2. `transport` with a `type` from the YAML file (`$OPENLINEAGE_CONFIG`, `./openlineage.yml`,
 *    `~/.openlineage/openlineage.yml`, the first readable) deep-merged over `OPENLINEAGE__*` variables;
 * 3. `OPENLINEAGE_URL` (+ `OPENLINEAGE_ENDPOINT`, default `api/v1/lineage`, + `OPENLINEAGE_API_KEY`) → http;
 * 4. nothing → `undefined` (the official clients print to the console; runtrail's caller picks its default).
 * Every mapping gets `jobNamespace` = `OPENLINEAGE_NAMESPACE`, default `default`.
 *
 * @param env the environment to read (default `process.env`; never modified)
 * @param cwd directory searched for `openlineage.yml` (default `process.cwd()`)
 * @throws ConfigError for unreadable YAML, wrong value types, unsupported transport or auth types
 */
export function openLineageOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): OpenLineageEnvConfig | undefined {
  if ((env.OPENLINEAGE_DISABLED ?? '').trim().toLowerCase() === 'true') return { type: 'noop' };
  const jobNamespace = env.OPENLINEAGE_NAMESPACE || 'default';
  let config = configFromDynamicEnv(aliasUrl(env));
  const file = findOpenLineageConfigFile(env, cwd);
  if (file !== undefined) config = deepMerge(config, readYaml(file));
  const transport = config.transport;
  if (isDict(transport) && transport.type)
    return transportConfig(transport, file !== undefined ? `${file}: transport` : 'transport', jobNamespace);
  if (env.OPENLINEAGE_URL) {
    const options: OpenLineageTransportOptions = {
      url: env.OPENLINEAGE_URL,
      endpoint: env.OPENLINEAGE_ENDPOINT ?? DEFAULT_OPENLINEAGE_ENDPOINT,
      jobNamespace,
    };
    if (env.OPENLINEAGE_API_KEY) options.apiKey = env.OPENLINEAGE_API_KEY;
    return { type: 'http', options };
  }
  return undefined;
}

/**
 * The transports `openLineageOptionsFromEnv` asks for, constructed (a composite yields one per member, named
 * `openlineage-<member>`); empty when disabled or unconfigured. Hand them to the delivery engine.
 * @throws ConfigError as `openLineageOptionsFromEnv` and the transport constructors do
 */
export function openLineageTransportsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Transport<OpenLineageRunEvent>[] {
  const config = openLineageOptionsFromEnv(env, cwd);
  return config === undefined ? [] : build(config, undefined);
}

function build(config: OpenLineageEnvConfig, name: string | undefined): Transport<OpenLineageRunEvent>[] {
  const named = <T extends object>(options: T): T => (name === undefined ? options : { ...options, name: `openlineage-${name}` });
  switch (config.type) {
    case 'http':
      return [new OpenLineageTransport(named(config.options))];
    case 'console':
      return [new OpenLineageConsoleTransport(named(config.options))];
    case 'file':
      return [new OpenLineageFileTransport(named(config.options))];
    case 'composite':
      return config.transports.flatMap((m) => build(m.config, m.name));
    case 'noop':
      return [];
  }
}
