// @ts-check
// Where runtrail's cost in a no-op BullMQ Worker is, as a share of the Worker's main thread (issue 8's target case:
// bursts of 10 000 no-op jobs, concurrency 20, `instrumentWorker(worker)` on its defaults): the main thread's CPU
// samples while the jobs run, and among them those whose call stack holds a runtrail frame, split by where runtrail
// was entered (the hooks, the held starts' timer, the emitter) and by the function on top. A share within one
// recording: the machine's speed, which moves jobs/s by ±20% from round to round on this VM, cancels out of it, so
// it resolves what the jobs/s ratio of target.mjs cannot — a tenth of a point of the main thread instead of several.
// The same rounds without runtrail give the other threads' part for comparison (V8's helper threads: the collector's
// parallel scavenges, the compiler).
//
// The Worker runs in a child process started with `node --perf-prof`: V8 writes a jitdump (every JIT code object with
// its address range, moves included) and `perf inject --jit` names the JS frames from it. `--perf-basic-prof`'s map
// file is append-only and, as code space is reused, credits a function with the samples of whatever code came to its
// addresses later — with it, a scratch profile gave the hooks' wrapper the samples of ioredis's socket writes.
// Usage: pnpm build && node bench/bullmq/hook-share.mjs [jobs=10000] [rounds=12]   (Linux, with perf)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServices } from '../../scripts/lib/services.mjs';
import { resultHead, writeResult } from '../results.mjs';
import { FREQUENCY, PerfSampler, perfAvailable } from './perf-sampler.mjs';

const JOBS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 12);
const ARMS = /** @type {const} */ (['plain', 'instrumentWorker']);
/** Rounds of each arm run before the sampled ones. */
const WARM_UP = 5;
/** A frame of runtrail's own code (its packages' built modules). */
const RUNTRAIL_FRAME = /\/packages\/[a-z]+\/dist\/([\w-]+\.js)/;
/** A frame of the delivery thread's loop: the thread that runs it is the delivery thread. */
const DELIVERY_FRAME = /delivery-thread\.js/;
/**
 * What V8 is doing in a sample, by the frames of its stack (the first kind that matches): its collector's young
 * generation (scavenges, on the main thread and its helpers), its old generation (marking, sweeping, compaction), or
 * its optimizing compiler. runtrail's frames show only the time spent in its own code; what its allocations cost
 * the collector shows here.
 */
const V8_WORK = /** @type {const} */ ([
  ['young-generation GC', /Scaveng|SemiSpace|MinorM/],
  ['old-generation GC', /MarkCompact|ConcurrentMarking|Marking|Sweep|Evacuat|IncrementalMark/],
  ['compiler', /compiler::|OptimizingCompile|maglev::|Maglev/],
]);

if (process.env.RT_HOOK_SHARE_DIR) await child(process.env.RT_HOOK_SHARE_DIR);
else await parent();

/** The Worker's process: rounds of both arms, each arm's jobs sampled into its own recording. @param {string} dir */
async function child(dir) {
  const { instrumentWorker, sharedEmitter } = await import('@runtrail/bullmq');
  const { addJobs, countingWorker, queueName } = await import('./jobs.mjs');
  const { Queue } = await import('bullmq');
  const { hostname, port } = new URL(/** @type {string} */ (process.env.RT_HOOK_SHARE_REDIS));
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  process.env.RUNTRAIL_STORE = path.join(dir, 'runs.jsonl');
  process.env.RUNTRAIL_SPOOL_DIR = path.join(dir, 'spool');
  const defaults = sharedEmitter();
  const sampler = new PerfSampler(dir, { callGraphs: true });
  /** @type {Record<string, number[]>} */
  const rates = { plain: [], instrumentWorker: [] };
  // The first WARM_UP rounds of each arm are not sampled (JIT, connections, the delivery thread's start): in the first
  // rounds V8 compiles and deoptimizes much more than later (`--trace-opt --trace-deopt`: 100–200 compile jobs in the
  // first round of each arm, 0–20 from the fifth on), and a single warm-up round left that in the samples.
  for (let r = 0; r < WARM_UP + ROUNDS; r++)
    for (const arm of r % 2 ? ARMS : [...ARMS].reverse()) {
      const name = queueName('share');
      const queue = new Queue(name, { connection });
      await addJobs(queue, JOBS);
      const { worker, finished } = countingWorker(name, async (job) => job.data.n * 2, connection, JOBS);
      if (arm === 'instrumentWorker') instrumentWorker(worker);
      if (r >= WARM_UP) sampler.enable(arm);
      const t0 = performance.now();
      void worker.run();
      await finished;
      const rate = JOBS / ((performance.now() - t0) / 1000);
      if (r >= WARM_UP) {
        sampler.disable(arm);
        rates[arm]?.push(rate);
      }
      await defaults.flush();
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  await defaults.close();
  // Ends the recordings; the parent counts their samples itself, per stack (its counts per thread are not used).
  await sampler.stop();
  fs.writeFileSync(path.join(dir, 'child.json'), JSON.stringify({ pid: process.pid, rates }));
}

/** Starts Redis and the child, then reads the recordings. */
async function parent() {
  if (!perfAvailable()) throw new Error('perf cannot record here: install linux-perf, or lower kernel.perf_event_paranoid');
  const services = await startServices({ temporal: false, stopOnSignal: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-hook-share-'));
  // perf inject writes a shared object per JIT code object: here, not in ~/.debug.
  const env = { ...process.env, PERF_BUILDID_DIR: path.join(dir, 'buildid') };
  try {
    // In `dir`: V8 writes its jitdump into the working directory.
    const run = spawnSync(process.execPath, ['--perf-prof', fileURLToPath(import.meta.url), String(JOBS), String(ROUNDS)], {
      cwd: dir,
      env: { ...env, RT_HOOK_SHARE_DIR: dir, RT_HOOK_SHARE_REDIS: services.redis?.url },
      stdio: 'inherit',
    });
    if (run.status !== 0) throw new Error(`the Worker's process failed (${run.status ?? run.signal})`);
    /** @type {{ pid: number, rates: Record<string, number[]> }} */
    const { pid, rates } = JSON.parse(fs.readFileSync(path.join(dir, 'child.json'), 'utf8'));
    /** @type {Record<string, Awaited<ReturnType<typeof readRecording>>>} */
    const arms = {};
    for (const arm of ARMS) {
      const data = path.join(dir, `${arm}.data`);
      const injected = path.join(dir, `${arm}.jit.data`);
      const inject = spawnSync('perf', ['inject', '--jit', '-i', data, '-o', injected], { cwd: dir, env, stdio: 'ignore' });
      if (inject.status !== 0) throw new Error(`perf inject --jit failed for ${arm}`);
      arms[arm] = await readRecording(injected, pid, env);
    }
    report(arms, rates);
  } finally {
    await services.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Counts one recording's samples: per thread (the main thread, the delivery thread, the others), and those of the
 * main thread with a runtrail frame, by the outermost such frame (where runtrail was entered) and by the top frame.
 * @param {string} file @param {number} pid the main thread's id @param {NodeJS.ProcessEnv} env
 */
async function readRecording(file, pid, env) {
  const script = spawn('perf', ['script', '-i', file, '-F', 'tid,ip,sym'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  /** @type {Map<number, number>} */
  const byThread = new Map();
  /** @type {Set<number>} */
  const deliveryThreads = new Set();
  /** @type {Map<string, number>} */
  const entries = new Map();
  /** @type {Map<string, number>} */
  const tops = new Map();
  /** Samples by thread (main, others: the delivery thread's are not counted) and kind of V8 work. */
  /** @type {Record<'main' | 'others', Map<string, number>>} */
  const work = { main: new Map(), others: new Map() };
  /** The other threads' samples by thread id and kind, until the delivery thread is known. */
  /** @type {Map<number, Map<string, number>>} */
  const workByThread = new Map();
  let runtrail = 0;
  let tid = -1;
  /** @type {string[]} */
  let frames = [];
  const add = (/** @type {Map<string, number>} */ m, /** @type {string} */ k) => m.set(k, (m.get(k) ?? 0) + 1);
  const sample = () => {
    if (tid < 0) return;
    byThread.set(tid, (byThread.get(tid) ?? 0) + 1);
    const kind = V8_WORK.find(([, re]) => frames.some((f) => re.test(f)))?.[0] ?? 'other';
    if (tid === pid) add(work.main, kind);
    else {
      const mine = workByThread.get(tid) ?? new Map();
      workByThread.set(tid, mine);
      add(mine, kind);
    }
    if (tid !== pid) {
      if (frames.some((f) => DELIVERY_FRAME.test(f))) deliveryThreads.add(tid);
    } else {
      // Frames run from the top of the stack (the running function) to its bottom.
      let entry;
      for (const f of frames) entry = RUNTRAIL_FRAME.exec(f)?.[1] ?? entry;
      if (entry !== undefined) {
        runtrail++;
        add(entries, entry);
        add(tops, topName(frames[0] ?? ''));
      }
    }
    tid = -1;
    frames = [];
  };
  for await (const line of readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (script.stdout) })) {
    if (line.trim() === '') sample();
    else if (line.startsWith('\t')) frames.push(line.trim().replace(/^\S+\s+/, ''));
    else tid = Number(line.trim());
  }
  sample();
  let all = 0;
  let delivery = 0;
  for (const [t, n] of byThread) {
    all += n;
    if (deliveryThreads.has(t)) delivery += n;
  }
  for (const [t, kinds] of workByThread)
    if (!deliveryThreads.has(t)) for (const [k, n] of kinds) work.others.set(k, (work.others.get(k) ?? 0) + n);
  const main = byThread.get(pid) ?? 0;
  return { main, delivery, others: all - main - delivery, process: all, runtrail, entries, tops, work };
}

/** A frame's function without its address: a JS function as `name (file:line)`, else the symbol. @param {string} frame */
function topName(frame) {
  const js = /^JS:[*^~+]?(\S*) (?:file:\/\/)?(\S+?):(\d+):\d+$/.exec(frame);
  if (!js) return frame.replace(/\(.*$/, '').slice(0, 80);
  return `${js[1] || '(anonymous)'} (${path.basename(js[2] ?? '')}:${js[3]})`;
}

/**
 * Prints and writes the shares.
 * @param {Record<string, Awaited<ReturnType<typeof readRecording>>>} arms
 * @param {Record<string, number[]>} rates
 */
function report(arms, rates) {
  const iw = arms.instrumentWorker;
  const plain = arms.plain;
  if (!iw || !plain) throw new Error('a recording is missing');
  const share = (/** @type {number} */ n, /** @type {number} */ of) => +((100 * n) / of).toFixed(2);
  // Samples as independent draws (binomial): 95% of the share's spread from sampling alone.
  const margin = (/** @type {number} */ n, /** @type {number} */ of) => {
    const p = n / of;
    return +(196 * Math.sqrt((p * (1 - p)) / of)).toFixed(2);
  };
  const ranked = (/** @type {Map<string, number>} */ m, /** @type {number} */ count) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, n]) => ({ name, percentOfMainThread: share(n, iw.main) }));
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const threads = (/** @type {typeof iw} */ a) => ({
    mainThread: share(a.main, a.process),
    deliveryThread: share(a.delivery, a.process),
    otherThreads: share(a.others, a.process),
  });
  const result = {
    ...resultHead(JOBS, ROUNDS),
    samplesPerSecond: FREQUENCY,
    mainThreadSamples: iw.main,
    runtrailPercentOfMainThread: share(iw.runtrail, iw.main),
    margin95: margin(iw.runtrail, iw.main),
    byEntry: ranked(iw.entries, 10),
    byTopFrame: ranked(iw.tops, 15),
    percentOfProcessSamples: { instrumentWorker: threads(iw), plain: threads(plain) },
    // V8's own work, in % of each arm's process samples: where runtrail's allocations and code cost besides its frames.
    v8WorkPercentOfProcessSamples: Object.fromEntries(
      ARMS.map((arm) => {
        const a = arms[arm];
        const of = (/** @type {Map<string, number>} */ m) =>
          Object.fromEntries(V8_WORK.map(([k]) => [k, share(m.get(k) ?? 0, a?.process ?? 0)]));
        return [arm, { mainThread: of(a?.work.main ?? new Map()), otherThreads: of(a?.work.others ?? new Map()) }];
      }),
    ),
    jobsPerSecondWhileSampled: {
      plain: Math.round(median(rates.plain ?? [])),
      instrumentWorker: Math.round(median(rates.instrumentWorker ?? [])),
    },
  };
  writeResult('bullmq-hook-share', result);
  console.log(`runtrail's frames: ${result.runtrailPercentOfMainThread}% ± ${result.margin95} of the main thread's ${iw.main} samples`);
  console.log('| entered at | % of the main thread |\n| --- | ---: |');
  for (const e of result.byEntry) console.log(`| ${e.name} | ${e.percentOfMainThread} |`);
  console.log('| on top | % of the main thread |\n| --- | ---: |');
  for (const e of result.byTopFrame) console.log(`| ${e.name} | ${e.percentOfMainThread} |`);
  console.log('| arm | main thread | delivery thread | other threads (V8 helpers) |\n| --- | ---: | ---: | ---: |');
  for (const arm of ARMS) {
    const t = result.percentOfProcessSamples[arm];
    console.log(`| ${arm} | ${t.mainThread}% | ${t.deliveryThread}% | ${t.otherThreads}% |`);
  }
  console.log(`| arm | ${V8_WORK.map(([k]) => `${k}: main thread | others`).join(' | ')} |`);
  console.log(`| --- |${' ---: | ---: |'.repeat(V8_WORK.length)}`);
  for (const arm of ARMS) {
    const w = result.v8WorkPercentOfProcessSamples[arm];
    console.log(`| ${arm} | ${V8_WORK.map(([k]) => `${w?.mainThread[k]}% | ${w?.otherThreads[k]}%`).join(' | ')} |`);
  }
}
