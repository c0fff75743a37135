// @ts-check
// Loopback helpers for the service scripts: free ports and readiness polling.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `probe` until it resolves true, or throws after `timeoutMillis`.
 * @param {() => Promise<boolean>} probe
 * @param {{ timeoutMillis: number, intervalMillis?: number, what: string, isDead?: () => string | undefined }} opts
 */
export async function waitUntil(probe, { timeoutMillis, intervalMillis = 100, what, isDead }) {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const dead = isDead?.();
    if (dead) throw new Error(`${what} exited before it was ready: ${dead}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${timeoutMillis} ms`);
    await sleep(intervalMillis);
  }
}

/**
 * Sends `request` over TCP and resolves with the first chunk answered (or '' on error/timeout).
 * @param {number} port
 * @param {string} request
 * @returns {Promise<string>}
 */
export function tcpAsk(port, request) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (/** @type {string} */ answer) => {
      sock.destroy();
      resolve(answer);
    };
    sock.setTimeout(1000, () => done(''));
    sock.on('error', () => done(''));
    sock.on('connect', () => sock.write(request));
    sock.on('data', (d) => done(d.toString('utf8')));
  });
}
