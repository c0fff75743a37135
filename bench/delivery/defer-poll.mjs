// @ts-check
// What a deferring delivery thread costs the machine while the host stays busy (delivery-thread.ts): the host's
// thread spins 1 ms at a time and writes 10 BullMQ records (job-records.ts, a short attempt's start and end) after
// each millisecond — a busy Worker of ≈ 10 000 jobs/s — for 1.8 s, inside maxDeferMillis (2 s), so the thread only
// looks at the host's load and journals the new records. Three arms, each its own ThreadedEmitter on the defaults
// (spool, local store) but for the intervals between the looks (internal `deferPollMillis`, `maxDeferPollMillis`):
// every 10 ms and every 25 ms (before) and the back-off (now: 25 ms, 50, then every 100), in rotating order. CPU of
// the arm's delivery thread while deferring (/proc/self/task/<tid>/schedstat), as a share of one core and per record,
// medians; each round is then flushed and every event checked to be in the store.
// Usage: pnpm build && node bench/delivery/defer-poll.mjs [rounds=6]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@runtrail/core';
import { jobRecords, startAndSuccessRecord } from '../../packages/bullmq/dist/job-records.js';
import { threadMicros } from '../delivery-threads.mjs';
import { median, rotatingRounds, storedLines, threadArm } from './arms.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 6);
/** How long the host stays busy per round, in ms (inside the default maxDeferMillis of 2 000). */
const BUSY_MILLIS = 1800;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-defer-poll-'));
const context = { cluster: 'prod', prefix: 'bull', queue: 'bench' };

/** @typedef {'every10' | 'every25' | 'backoff'} Arm */
/** @type {Record<Arm, { label: string, deferPollMillis: number, maxDeferPollMillis: number }>} */
const ARMS = {
  every10: { label: 'a look every 10 ms (before 2026-12-03 17:02)', deferPollMillis: 10, maxDeferPollMillis: 10 },
  every25: { label: 'a look every 25 ms (before the back-off)', deferPollMillis: 25, maxDeferPollMillis: 25 },
  backoff: { label: 'after 25 ms, 50, then every 100 ms (now)', deferPollMillis: 25, maxDeferPollMillis: 100 },
};
const arms = /** @type {Arm[]} */ (Object.keys(ARMS));
/** Per arm: its emitter, channel writer, delivery thread and store. */
const setups = /** @type {Record<Arm, Awaited<ReturnType<typeof threadArm>>>} */ ({});
for (const arm of arms)
  setups[arm] = await threadArm(core, {
    dir,
    name: arm,
    codec: jobRecords,
    context,
    options: { deferPollMillis: ARMS[arm].deferPollMillis, maxDeferPollMillis: ARMS[arm].maxDeferPollMillis },
  });
/** @type {import('@runtrail/core').RecordField[]} */
const fields = [];
const turn = () => new Promise((r) => setImmediate(r));
/** Records written per arm, to check its store at the end. */
const written = { every10: 0, every25: 0, backoff: 0 };

/** One round: the thread's CPU while deferring. @param {Arm} arm @param {number} round */
async function time(arm, round) {
  const { emitter, records: channel, tid } = setups[arm];
  const t = 1_760_000_000_000 + round * 1_000_000;
  const thread0 = threadMicros(tid);
  await emitter.flush();
  const accepted0 = emitter.stats().accepted;
  let records = 0;
  const end = performance.now() + BUSY_MILLIS;
  while (performance.now() < end) {
    const until = performance.now() + 1;
    while (performance.now() < until) {}
    for (let k = 0; k < 10; k++, records++)
      channel.write(
        startAndSuccessRecord(
          { jobId: `${round}-${records}`, timestamp: t, name: 'job', attempt: 1, startTime: t + records },
          t + records + 1,
          fields,
        ),
      );
    await turn();
  }
  const deferring = threadMicros(tid) - thread0;
  // A stats message comes at most every 250 ms: what the thread accepted before the last one, i.e. hardly anything.
  const acceptedWhileBusy = emitter.stats().accepted - accepted0;
  await emitter.flush();
  written[arm] += records;
  return { share: deferring / (BUSY_MILLIS * 1000), perRecord: deferring / records, acceptedWhileBusy };
}

const samples = await rotatingRounds(arms, ROUNDS, time);
for (const arm of arms) await setups[arm].emitter.close();
for (const arm of arms) await storedLines(setups[arm].store, 2 * written[arm]);

const result = {
  date: new Date().toISOString(),
  node: process.version,
  busyMillisPerRound: BUSY_MILLIS,
  rounds: ROUNDS,
  threadWhileDeferring: Object.fromEntries(
    arms.map((arm) => [
      arm,
      {
        deferPollMillis: ARMS[arm].deferPollMillis,
        maxDeferPollMillis: ARMS[arm].maxDeferPollMillis,
        percentOfACore: +(100 * median(samples[arm].map((s) => s.share))).toFixed(2),
        microsPerRecord: +median(samples[arm].map((s) => s.perRecord)).toFixed(2),
        percentRounds: samples[arm].map((s) => +(100 * s.share).toFixed(2)),
        acceptedWhileBusy: samples[arm].map((s) => s.acceptedWhileBusy),
      },
    ]),
  ),
};
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'defer-poll.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| the deferring thread | CPU, % of a core [per round] | CPU µs per record |\n| --- | ---: | ---: |');
for (const arm of arms) {
  const f = result.threadWhileDeferring[arm];
  console.log(`| ${ARMS[arm].label} | ${f?.percentOfACore} [${f?.percentRounds.join(' ')}] | ${f?.microsPerRecord} |`);
}
