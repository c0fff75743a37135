// @ts-check
// What a BullMQ bench of no-op rounds starts with: Redis started by the project's scripts on a free port, a
// connection to it, and `instrumentWorker`'s default emitter with its local store and spool in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedEmitter } from '@runtrail/bullmq';
import { startServices } from '../../scripts/lib/services.mjs';

/**
 * Starts Redis and the default emitter for a bench.
 * @param {string} word the bench's word, in its temporary directory's name
 */
export async function startBench(word) {
  const services = await startServices({ temporal: false, stopOnSignal: true });
  const { hostname, port } = new URL(/** @type {string} */ (services.redis?.url));
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rt-bench-${word}-`));
  // instrumentWorker's default emitter reads these (its local store and spool, here in a temporary directory).
  const store = path.join(dir, 'runs.jsonl');
  process.env.RUNTRAIL_STORE = store;
  process.env.RUNTRAIL_SPOOL_DIR = path.join(dir, 'spool');
  return { services, connection, dir, store, defaults: sharedEmitter() };
}
