// openLineageOptionsFromEnv: the Python client's resolution order (reference/openlineage.md §4.6), on env objects
// and temporary directories only (process.env is never touched).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { findOpenLineageConfigFile, openLineageOptionsFromEnv, openLineageTransportsFromEnv } from '../../src/openlineage/config.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A temp cwd and a temp HOME, so no real openlineage.yml can leak in. */
function sandbox(files: Record<string, string> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runtrail-ol-config-'));
  dirs.push(root);
  const cwd = path.join(root, 'cwd');
  const home = path.join(root, 'home');
  fs.mkdirSync(cwd);
  fs.mkdirSync(path.join(home, '.openlineage'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return { root, cwd, env: (vars: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HOME: home, ...vars }) };
}

describe('openLineageOptionsFromEnv', () => {
  it('returns undefined when nothing is configured', () => {
    const s = sandbox();
    expect(openLineageOptionsFromEnv(s.env(), s.cwd)).toBeUndefined();
    expect(openLineageTransportsFromEnv(s.env(), s.cwd)).toEqual([]);
  });

  it('builds http options from OPENLINEAGE_URL, _ENDPOINT, _API_KEY and _NAMESPACE', () => {
    const s = sandbox();
    const env = s.env({
      OPENLINEAGE_URL: 'http://marquez:5000',
      OPENLINEAGE_ENDPOINT: 'api/v2/lineage',
      OPENLINEAGE_API_KEY: 'k',
      OPENLINEAGE_NAMESPACE: 'etl',
    });
    expect(openLineageOptionsFromEnv(env, s.cwd)).toEqual({
      type: 'http',
      options: { url: 'http://marquez:5000', endpoint: 'api/v2/lineage', apiKey: 'k', jobNamespace: 'etl' },
    });
  });

  it('defaults the endpoint to api/v1/lineage and the job namespace to default', () => {
    const s = sandbox();
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_URL: 'http://m:5000' }), s.cwd)).toEqual({
      type: 'http',
      options: { url: 'http://m:5000', endpoint: 'api/v1/lineage', jobNamespace: 'default' },
    });
  });

  it.each(['true', ' TRUE ', 'True'])('OPENLINEAGE_DISABLED=%j wins over everything', (value) => {
    const s = sandbox({ 'cwd/openlineage.yml': 'transport: {type: http, url: "http://yaml:1"}\n' });
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_DISABLED: value, OPENLINEAGE_URL: 'http://x' }), s.cwd)).toEqual({ type: 'noop' });
    expect(openLineageTransportsFromEnv(s.env({ OPENLINEAGE_DISABLED: value }), s.cwd)).toEqual([]);
  });

  it('ignores OPENLINEAGE_DISABLED values other than true', () => {
    const s = sandbox();
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_DISABLED: '1', OPENLINEAGE_URL: 'http://x' }), s.cwd)?.type).toBe('http');
  });

  it('reads ./openlineage.yml and prefers its transport over OPENLINEAGE_URL', () => {
    const s = sandbox({
      'cwd/openlineage.yml': [
        'transport:',
        '  type: http',
        '  url: http://yaml:5000',
        '  endpoint: /custom/lineage',
        '  timeout: 2.5',
        '  compression: gzip',
        '  auth: {type: api_key, api_key: from-yaml}',
        '  custom_headers: {X-Tenant: acme}',
        '',
      ].join('\n'),
    });
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_URL: 'http://env:1' }), s.cwd)).toEqual({
      type: 'http',
      options: {
        url: 'http://yaml:5000',
        endpoint: '/custom/lineage',
        timeoutMillis: 2500,
        compression: 'gzip',
        apiKey: 'from-yaml',
        headers: { 'X-Tenant': 'acme' },
        jobNamespace: 'default',
      },
    });
  });

  it('searches $OPENLINEAGE_CONFIG, then ./openlineage.yml, then ~/.openlineage/openlineage.yml', () => {
    const s = sandbox({
      'custom.yml': 'transport: {type: console}\n',
      'cwd/openlineage.yml': 'transport: {type: http, url: "http://cwd:1"}\n',
      'home/.openlineage/openlineage.yml': 'transport: {type: file, log_file_path: /tmp/home.jsonl}\n',
    });
    const custom = path.join(s.root, 'custom.yml');
    expect(findOpenLineageConfigFile(s.env({ OPENLINEAGE_CONFIG: custom }), s.cwd)).toBe(custom);
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_CONFIG: custom }), s.cwd)?.type).toBe('console');
    // A missing OPENLINEAGE_CONFIG falls through to the next candidate, as in the Python client.
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_CONFIG: path.join(s.root, 'missing.yml') }), s.cwd)?.type).toBe('http');
    fs.rmSync(path.join(s.cwd, 'openlineage.yml'));
    expect(openLineageOptionsFromEnv(s.env(), s.cwd)).toEqual({
      type: 'file',
      options: { filePath: '/tmp/home.jsonl', jobNamespace: 'default' },
    });
  });

  it('builds the transport from OPENLINEAGE__TRANSPORT__* variables, parsing JSON values', () => {
    const s = sandbox();
    const env = s.env({
      OPENLINEAGE__TRANSPORT__TYPE: 'http',
      OPENLINEAGE__TRANSPORT__URL: 'http://dyn:5000',
      OPENLINEAGE__TRANSPORT__TIMEOUT: '3',
      OPENLINEAGE__TRANSPORT__AUTH: '{"type":"api_key","apiKey":"dyn-key"}',
    });
    expect(openLineageOptionsFromEnv(env, s.cwd)).toEqual({
      type: 'http',
      options: { url: 'http://dyn:5000', endpoint: 'api/v1/lineage', timeoutMillis: 3000, apiKey: 'dyn-key', jobNamespace: 'default' },
    });
  });

  it('lets a top-level OPENLINEAGE__TRANSPORT replace the nested variables', () => {
    const s = sandbox();
    const env = s.env({ OPENLINEAGE__TRANSPORT: '{"type":"console"}', OPENLINEAGE__TRANSPORT__URL: 'http://ignored' });
    expect(openLineageOptionsFromEnv(env, s.cwd)).toEqual({ type: 'console', options: { jobNamespace: 'default' } });
  });

  it('deep-merges the YAML file over OPENLINEAGE__ variables (the file wins key by key)', () => {
    const s = sandbox({ 'cwd/openlineage.yml': 'transport:\n  url: http://yaml:5000\n' });
    const env = s.env({
      OPENLINEAGE__TRANSPORT__TYPE: 'http',
      OPENLINEAGE__TRANSPORT__URL: 'http://env:1',
      OPENLINEAGE__TRANSPORT__COMPRESSION: 'gzip',
    });
    expect(openLineageOptionsFromEnv(env, s.cwd)).toMatchObject({
      type: 'http',
      options: { url: 'http://yaml:5000', compression: 'gzip' },
    });
  });

  it('adds OPENLINEAGE_URL as the default_http member of a composite transport', () => {
    const s = sandbox({ 'cwd/openlineage.yml': 'transport:\n  type: composite\n  transports:\n    local: {type: console}\n' });
    const config = openLineageOptionsFromEnv(s.env({ OPENLINEAGE_URL: 'http://m:5000', OPENLINEAGE_API_KEY: 'k' }), s.cwd);
    expect(config).toEqual({
      type: 'composite',
      transports: [
        {
          name: 'default_http',
          config: { type: 'http', options: { url: 'http://m:5000', endpoint: 'api/v1/lineage', apiKey: 'k', jobNamespace: 'default' } },
        },
        { name: 'local', config: { type: 'console', options: { jobNamespace: 'default' } } },
      ],
    });
    const transports = openLineageTransportsFromEnv(s.env({ OPENLINEAGE_URL: 'http://m:5000' }), s.cwd);
    expect(transports.map((t) => t.name)).toEqual(['openlineage-default_http', 'openlineage-local']);
    return Promise.all(transports.map((t) => t.close?.()));
  });

  it('treats async_http as http and fills its url from OPENLINEAGE_URL', () => {
    const s = sandbox();
    const config = openLineageOptionsFromEnv(
      s.env({ OPENLINEAGE__TRANSPORT__TYPE: 'async_http', OPENLINEAGE_URL: 'http://m:5000' }),
      s.cwd,
    );
    expect(config).toMatchObject({ type: 'http', options: { url: 'http://m:5000' } });
  });

  it('accepts an empty YAML file and falls back to OPENLINEAGE_URL', () => {
    const s = sandbox({ 'cwd/openlineage.yml': '' });
    expect(openLineageOptionsFromEnv(s.env({ OPENLINEAGE_URL: 'http://m' }), s.cwd)?.type).toBe('http');
  });

  it.each([
    ['invalid YAML', 'transport: [unclosed\n'],
    ['a YAML list at the top level', '- a\n'],
    ['an unsupported transport type', 'transport: {type: kafka, topic: t}\n'],
    ['an http transport without url', 'transport: {type: http}\n'],
    ['a non-numeric timeout', 'transport: {type: http, url: "http://m", timeout: soon}\n'],
    ['jwt auth', 'transport: {type: http, url: "http://m", auth: {type: jwt, apiKey: k}}\n'],
    ['api_key auth without a key', 'transport: {type: http, url: "http://m", auth: {type: api_key}}\n'],
    ['an unknown compression', 'transport: {type: http, url: "http://m", compression: zstd}\n'],
    ['a file transport without log_file_path', 'transport: {type: file}\n'],
  ])('throws ConfigError for %s', (_what, yaml) => {
    const s = sandbox({ 'cwd/openlineage.yml': yaml });
    expect(() => openLineageOptionsFromEnv(s.env(), s.cwd)).toThrow(ConfigError);
  });

  it('constructs an OpenLineageTransport whose URL and namespace come from the environment', async () => {
    const s = sandbox();
    const [t] = openLineageTransportsFromEnv(s.env({ OPENLINEAGE_URL: 'http://m:5000/', OPENLINEAGE_NAMESPACE: 'etl' }), s.cwd);
    expect(t?.name).toBe('openlineage');
    expect((t as unknown as { endpointUrl: string }).endpointUrl).toBe('http://m:5000/api/v1/lineage');
    expect((t as unknown as { mapper: { jobNamespace: string } }).mapper.jobNamespace).toBe('etl');
    await t?.close?.();
  });
});
