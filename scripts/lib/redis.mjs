// @ts-check
// Finds or installs `redis-server` and runs it on a free loopback port with no persistence.
// Route: REDIS_URL (an existing server, not started or stopped by us), then PATH, else Debian's
// `redis-server` package through apt-get (needs root).
import fs from 'node:fs';
import path from 'node:path';
import { info, SetupError } from './log.mjs';
import { freePort, tcpAsk, waitUntil } from './net.mjs';
import { run, startDetached, which } from './process.mjs';

/**
 * Absolute path of `redis-server`, installing Debian's package when needed.
 * @returns {string}
 */
export function ensureRedisServer() {
  const found = which('redis-server');
  if (found) return found;
  const apt = which('apt-get');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!apt) {
    throw new SetupError(
      'no `redis-server` on PATH and no apt-get to install it. Install Redis 7 (or set REDIS_URL=redis://host:port to use a running server).',
    );
  }
  const sudo = !isRoot && which('sudo') && run('sudo', ['-n', 'true'], { quiet: true }) === 0 ? ['sudo', '-n'] : isRoot ? [] : undefined;
  if (!sudo) {
    throw new SetupError(
      'no `redis-server` on PATH, and installing it needs root. Run `sudo apt-get install -y redis-server`, or set REDIS_URL=redis://host:port to use a running server.',
    );
  }
  info('installing redis-server with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd = 'apt-get', ...pre] = sudo.length ? sudo : ['apt-get'];
  const args = (/** @type {string[]} */ rest) => (sudo.length ? [...pre, 'apt-get', ...rest] : rest);
  if (run(cmd, args(['update', '-qq']), { env }) !== 0 || run(cmd, args(['install', '-y', '-qq', 'redis-server']), { env }) !== 0) {
    throw new SetupError(
      'apt-get could not install redis-server. Run `apt-get update && apt-get install -y redis-server` to see why, or set REDIS_URL.',
    );
  }
  const installed = which('redis-server');
  if (!installed) throw new SetupError('apt-get installed redis-server but it is not on PATH (looked in PATH and /usr/sbin, /usr/bin).');
  return installed;
}

/**
 * @typedef {object} RedisServer
 * @property {number | undefined} pid undefined when REDIS_URL points at a server we do not own
 * @property {string} url `redis://127.0.0.1:port`
 * @property {string} host
 * @property {number} port
 * @property {string} [log]
 */

/**
 * Starts redis-server (no RDB, no AOF) on a free loopback port and waits for PONG; or uses REDIS_URL.
 * @param {string} root
 * @param {{ timeoutMillis?: number }} [opts] timeoutMillis default 20000
 * @returns {Promise<RedisServer>}
 */
export async function startRedis(root, opts = {}) {
  const existing = process.env.REDIS_URL;
  if (existing) {
    const u = new URL(existing);
    return { pid: undefined, url: existing, host: u.hostname, port: Number(u.port || 6379) };
  }
  const bin = ensureRedisServer();
  const port = await freePort();
  const dir = path.join(root, '.services');
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, `redis-${port}.log`);
  info(`starting redis-server on 127.0.0.1:${port}`);
  const proc = startDetached(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    log,
  );
  await waitUntil(async () => (await tcpAsk(port, 'PING\r\n')).startsWith('+PONG'), {
    timeoutMillis: opts.timeoutMillis ?? 20_000,
    what: 'redis-server',
    isDead: proc.exited,
  });
  return { pid: proc.pid, url: `redis://127.0.0.1:${port}`, host: '127.0.0.1', port, log };
}
