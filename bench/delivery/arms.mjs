// @ts-check
// What the delivery-thread benches share (thread-cpu.mjs, thread-versus-build.mjs, defer-poll.mjs): one
// ThreadedEmitter per arm on the defaults (spool, local store) with a delivery thread of its own, found among this
// process's threads; rounds in rotating order after a warm-up; and the check that a store holds every event once.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { deliveryThreads, threadMicros } from '../delivery-threads.mjs';

/**
 * A ThreadedEmitter of `core` (this tree's `@runtrail/core` or another build's) writing the store `<dir>/<name>.jsonl`
 * with its spool in `<dir>/spool-<name>`, and a channel of `codec` records; resolves once its thread is up.
 * @param {typeof import('@runtrail/core')} core
 * @param {{ dir: string, name: string, codec: import('@runtrail/core').RecordCodec<any>, context: unknown, options?: Record<string, unknown> }} arm
 *   `options`: more ThreadedEmitter options (maxDeferMillis, the internal passBytes and deferPollMillis…)
 * @returns {Promise<{ emitter: import('@runtrail/core').ThreadedEmitter, records: import('@runtrail/core').RecordWriter, tid: number, store: string }>}
 */
export async function threadArm(core, { dir, name, codec, context, options = {} }) {
  const store = path.join(dir, `${name}.jsonl`);
  const before = deliveryThreads();
  const emitter = new core.ThreadedEmitter(
    { env: { RUNTRAIL_STORE: store }, cwd: dir, spool: { dir: path.join(dir, `spool-${name}`) }, ...options },
    () => core.createEmitter({ transports: [new core.RunStoreTransport({ path: store })] }),
  );
  // A build from before 2026-12-06 returns the channel's writer as a function, not an object with `write`.
  const opened = /** @type {unknown} */ (emitter.openRecords(codec, context));
  const records = typeof opened === 'function' ? { write: opened } : /** @type {import('@runtrail/core').RecordWriter} */ (opened);
  await emitter.flush();
  const started = [...deliveryThreads()].filter((tid) => !before.has(tid));
  if (started.length !== 1 || emitter.mode !== 'thread') throw new Error(`${name}: no delivery thread of its own (is this Linux?)`);
  return { emitter, records, tid: /** @type {number} */ (started[0]), store };
}

/**
 * Runs `time(arm, round)` once per arm as a warm-up (round -1, not kept), then `rounds` times per arm, the order
 * rotating every round; returns each arm's samples in round order.
 * @template {string} A
 * @template S
 * @param {A[]} arms
 * @param {number} rounds
 * @param {(arm: A, round: number) => Promise<S>} time
 * @returns {Promise<Record<A, S[]>>}
 */
export async function rotatingRounds(arms, rounds, time) {
  const samples = /** @type {Record<A, S[]>} */ (Object.fromEntries(arms.map((arm) => [arm, []])));
  for (const arm of arms) await time(arm, -1);
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < arms.length; k++) {
      const arm = /** @type {A} */ (arms[(r + k) % arms.length]);
      samples[arm].push(await time(arm, r));
    }
  return samples;
}

/**
 * Reads store `file` line by line and checks that it holds `events` events, each once (by instance, attempt and kind);
 * `keep` gets every line.
 * @param {string} file
 * @param {number} events
 * @param {(line: string) => void} [keep]
 */
async function scanStore(file, events, keep) {
  const keys = new Set();
  let lines = 0;
  for await (const line of readline.createInterface({ input: fs.createReadStream(file) })) {
    const e = JSON.parse(line);
    keys.add(`${e.instance.id}#${e.attempt}:${e.kind}`);
    keep?.(line);
    lines++;
  }
  if (lines !== events || keys.size !== events) throw new Error(`${file}: ${lines} events (${keys.size} distinct), expected ${events}`);
}

/**
 * The lines of store `file`, sorted, after checking that it holds `events` events, each once.
 * @param {string} file
 * @param {number} events
 */
export async function storedLines(file, events) {
  /** @type {string[]} */
  const lines = [];
  await scanStore(file, events, (line) => lines.push(line));
  return lines.sort();
}

/**
 * Checks that store `file` holds `events` events, each once, keeping none of it (a store too large to hold).
 * @param {string} file
 * @param {number} events
 */
export const checkStore = (file, events) => scanStore(file, events);

/** The median (the upper one of an even count). @param {number[]} xs */
export const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;

/** Jobs written per turn of the event loop by `recordRound`. */
const PER_TURN = 1000;

/**
 * One round of `jobs` short BullMQ attempts written to an arm's channel — `record` builds each job's record
 * (job-records.ts `startAndSuccessRecord`, of the arm's build) — in turns of 1 000 jobs, then flushed; the same jobs
 * for the same `round` in every arm. Returns CPU µs per job of the host thread, the arm's delivery thread and the
 * whole process.
 * @param {{ emitter: import('@runtrail/core').ThreadedEmitter, records: import('@runtrail/core').RecordWriter, tid: number }} arm
 * @param {(facts: { jobId: string, timestamp: number, name: string, attempt: number, startTime: number }, time: number, into: import('@runtrail/core').RecordField[]) => import('@runtrail/core').RecordField[]} record
 * @param {number} jobs
 * @param {number} round
 */
export async function recordRound({ emitter, records, tid }, record, jobs, round) {
  /** @type {import('@runtrail/core').RecordField[]} */
  const fields = [];
  const t = 1_760_000_000_000 + round * 10 * jobs;
  const cpu0 = process.cpuUsage();
  const main0 = threadMicros(process.pid);
  const thread0 = threadMicros(tid);
  for (let i = 0; i < jobs; i++) {
    records.write(record({ jobId: `${round}-${i}`, timestamp: t, name: 'job', attempt: 1, startTime: t + i }, t + i + 1, fields));
    if (i % PER_TURN === PER_TURN - 1) await new Promise((r) => setImmediate(r));
  }
  await emitter.flush();
  const cpu = process.cpuUsage(cpu0);
  return {
    main: (threadMicros(process.pid) - main0) / jobs,
    thread: (threadMicros(tid) - thread0) / jobs,
    process: (cpu.user + cpu.system) / jobs,
  };
}

/**
 * Medians of `recordRound` samples, and the whole process's per round.
 * @param {Array<{ main: number, thread: number, process: number }>} samples
 */
export function cpuFigures(samples) {
  return {
    main: +median(samples.map((s) => s.main)).toFixed(2),
    thread: +median(samples.map((s) => s.thread)).toFixed(2),
    process: +median(samples.map((s) => s.process)).toFixed(2),
    processRounds: samples.map((s) => +s.process.toFixed(2)),
  };
}
