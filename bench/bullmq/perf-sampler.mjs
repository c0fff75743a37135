// @ts-check
// CPU samples of this process per arm, with Linux `perf` (cpu-clock: a timer, so it works in VMs without hardware
// counters). One recording per arm, attached to this process and enabled only around that arm's timed sections
// (`--control` fifos), so that an arm's count sums its rounds and nothing else. A thread's samples are its CPU time
// at the sampling rate: for the main thread of a Worker, at a resolution the 10 ms ticks of /proc cannot give.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Samples per second of CPU time. */
export const FREQUENCY = 3999;

/** True when `perf` can record here (on PATH, and allowed to sample this user's processes). */
export function perfAvailable() {
  try {
    execFileSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a recording takes besides the samples' counts. `callGraphs`: each sample's call stack (`-g`) with the monotonic
 * clock that V8's jitdump uses (`-k mono`), so that `perf inject --jit` can name the JS frames of a process started
 * with `node --perf-prof` (hook-share.mjs).
 * @typedef {{ callGraphs?: boolean }} RecordingOptions
 */

/** One arm's recording: the perf process and its control fifos. */
class Recording {
  /** @param {string} dir @param {string} arm @param {RecordingOptions} [options] */
  constructor(dir, arm, { callGraphs = false } = {}) {
    this.data = path.join(dir, `${arm}.data`);
    const ctl = path.join(dir, `${arm}.ctl`);
    const ack = path.join(dir, `${arm}.ack`);
    for (const fifo of [ctl, ack]) {
      fs.rmSync(fifo, { force: true });
      execFileSync('mkfifo', [fifo]);
    }
    // Started disabled (-D -1): nothing is recorded until the first `enable`.
    this.perf = spawn(
      'perf',
      [
        'record',
        ...(callGraphs ? ['-g', '-k', 'mono'] : []),
        '-e',
        'cpu-clock',
        '-F',
        String(FREQUENCY),
        '-D',
        '-1',
        `--control=fifo:${ctl},${ack}`,
        '-p',
        String(process.pid),
        '-o',
        this.data,
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    // Read-write, so that opening a fifo never waits for the other end.
    this.ctl = fs.openSync(ctl, fs.constants.O_RDWR);
    this.ack = fs.openSync(ack, fs.constants.O_RDWR);
  }

  /** Sends `enable` or `disable` and waits for perf's acknowledgement. @param {'enable' | 'disable'} command */
  send(command) {
    fs.writeSync(this.ctl, `${command}\n`);
    fs.readSync(this.ack, Buffer.alloc(16), 0, 16, null);
  }

  /** Ends the recording and resolves with its samples per thread id. @returns {Promise<Map<number, number>>} */
  async stop() {
    const exited = new Promise((resolve) => this.perf.once('exit', resolve));
    this.perf.kill('SIGINT');
    await exited;
    fs.closeSync(this.ctl);
    fs.closeSync(this.ack);
    const report = execFileSync('perf', ['report', '-i', this.data, '--stdio', '--sort', 'pid', '-F', 'sample,pid'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 * 1024 * 1024,
    });
    /** @type {Map<number, number>} */
    const byThread = new Map();
    // Lines such as "   26395    19157:node": samples, then thread id and command.
    for (const m of report.matchAll(/^\s*(\d+)\s+(\d+):/gm)) byThread.set(Number(m[2]), Number(m[1]));
    return byThread;
  }
}

/** Per-arm recordings of this process's CPU samples; `perf.data` files stay in `dir` for `perf report`. */
export class PerfSampler {
  /** @type {Map<string, Recording>} */
  #recordings = new Map();
  #dir;
  #options;

  /** @param {string} dir where the recordings go (created) @param {RecordingOptions} [options] */
  constructor(dir, options = {}) {
    fs.mkdirSync(dir, { recursive: true });
    this.#dir = dir;
    this.#options = options;
  }

  /** Starts recording for `arm` (its recording is created, disabled, the first time). @param {string} arm */
  enable(arm) {
    let r = this.#recordings.get(arm);
    if (!r) {
      r = new Recording(this.#dir, arm, this.#options);
      this.#recordings.set(arm, r);
    }
    r.send('enable');
  }

  /** Stops recording for `arm` until its next `enable`. @param {string} arm */
  disable(arm) {
    this.#recordings.get(arm)?.send('disable');
  }

  /**
   * Ends every recording.
   * @returns {Promise<Record<string, { mainThread: number, process: number, file: string }>>} samples of this
   *   process's main thread and of all its threads, per arm
   */
  async stop() {
    /** @type {Record<string, { mainThread: number, process: number, file: string }>} */
    const out = {};
    for (const [arm, r] of this.#recordings) {
      const byThread = await r.stop();
      let all = 0;
      for (const n of byThread.values()) all += n;
      out[arm] = { mainThread: byThread.get(process.pid) ?? 0, process: all, file: r.data };
    }
    return out;
  }
}
