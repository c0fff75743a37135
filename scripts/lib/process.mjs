// @ts-check
// Starting and stopping service processes by pid, and finding executables.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Absolute path of `name` on PATH (plus the sbin folders Debian puts daemons in), or undefined.
 * @param {string} name
 * @returns {string | undefined}
 */
export function which(name) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Runs a command to completion, inheriting stderr so installs show progress. Returns the exit status.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ quiet?: boolean, env?: NodeJS.ProcessEnv }} [opts]
 */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, {
    stdio: opts.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    env: opts.env ?? process.env,
  });
  return res.error ? -1 : (res.status ?? -1);
}

/**
 * Starts a long-running service detached (its own process group), with output to `logFile`.
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} logFile
 */
export function startDetached(cmd, args, logFile) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  /** @type {string | undefined} */
  let exited;
  child.on('exit', (code, signal) => {
    exited = `code ${code ?? '-'} signal ${signal ?? '-'} (log: ${logFile})`;
  });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  return { pid: child.pid, exited: () => exited };
}

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a process group by pid: SIGTERM, then SIGKILL after `graceMillis`.
 * @param {number} pid
 * @param {number} [graceMillis] default 5000
 */
export async function stopPid(pid, graceMillis = 5000) {
  const signal = (/** @type {NodeJS.Signals} */ sig) => {
    try {
      process.kill(-pid, sig); // the whole group: the CLI may have children
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMillis;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) signal('SIGKILL');
}
