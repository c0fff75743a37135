// @ts-check
// Start/stop both services together and remember their pids in `.services/state.json`, so that a
// separate `stop` (or the next `start`) can clean up what an interrupted run left behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopPid } from './process.mjs';
import { startRedis } from './redis.mjs';
import { startTemporal } from './temporal.mjs';

/** Repository root (two levels above this file). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * @typedef {object} Services
 * @property {import('./temporal.mjs').TemporalServer} [temporal]
 * @property {import('./redis.mjs').RedisServer} [redis]
 */

/** @param {string} root */
function stateFile(root) {
  return path.join(root, '.services', `state-${process.pid}.json`);
}

/**
 * Starts the requested services in parallel.
 * @param {{ temporal?: boolean, redis?: boolean, root?: string, stopOnSignal?: boolean }} [want] both by default;
 *   `stopOnSignal`: on SIGINT, SIGTERM or SIGHUP stop them, then exit with 128 + the signal's number (a script that owns
 *   its services: a bench stopped by a timeout must not leave a Redis running to disturb the next measurement)
 * @returns {Promise<Services & { stop: () => Promise<void> }>}
 */
export async function startServices(want = {}) {
  const root = want.root ?? ROOT;
  /** @type {Services} */
  const s = {};
  const stop = async () => {
    await Promise.all([s.temporal?.pid, s.redis?.pid].filter((p) => p !== undefined).map((p) => stopPid(/** @type {number} */ (p))));
    fs.rmSync(stateFile(root), { force: true });
  };
  const [t, r] = await Promise.allSettled([
    want.temporal === false ? undefined : startTemporal(root),
    want.redis === false ? undefined : startRedis(root),
  ]);
  if (t.status === 'fulfilled') s.temporal = t.value;
  if (r.status === 'fulfilled') s.redis = r.value;
  fs.mkdirSync(path.join(root, '.services'), { recursive: true });
  fs.writeFileSync(stateFile(root), JSON.stringify({ temporal: s.temporal, redis: s.redis }));
  const failed = [t, r].find((x) => x.status === 'rejected');
  if (failed && failed.status === 'rejected') {
    await stop();
    throw failed.reason;
  }
  if (want.stopOnSignal)
    for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']))
      process.once(signal, () => {
        void stop().finally(() => process.exit(128 + os.constants.signals[signal]));
      });
  return Object.assign(s, { stop });
}

/**
 * Stops every service recorded by a `startServices` whose process is gone (left over by a crash).
 * @param {string} [root]
 */
export async function stopLeftovers(root = ROOT) {
  const dir = path.join(root, '.services');
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    const m = /^state-(\d+)\.json$/.exec(f);
    if (!m) continue;
    const owner = Number(m[1]);
    let ownerAlive = true;
    try {
      process.kill(owner, 0);
    } catch {
      ownerAlive = false;
    }
    if (ownerAlive && owner !== process.pid) continue;
    /** @type {Services} */
    const st = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    await Promise.all([st.temporal?.pid, st.redis?.pid].filter((p) => p !== undefined).map((p) => stopPid(/** @type {number} */ (p))));
    fs.rmSync(path.join(dir, f), { force: true });
  }
}
