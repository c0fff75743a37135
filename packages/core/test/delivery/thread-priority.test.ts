// The delivery thread's priority (thread-priority.ts): lowered to its nice value on Linux and that thread alone,
// back to the host's priority while it is behind where the OS allows it, and bad values refused at construction.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { emitterFromEnv } from '../../src/delivery/from-env.js';
import type { RunEmitter } from '../../src/delivery/types.js';
import { ConfigError } from '../../src/errors.js';
import { runs } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rt-nice-'));
}

/** Nice value of every thread of this process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat). */
function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** The threads of this process at `nice`, besides those that were there before. */
function newThreadsAt(before: Map<number, number>, nice: number): number[] {
  return [...niceByThread()].filter(([tid, n]) => !before.has(tid) && n === nice).map(([tid]) => tid);
}

async function started(options: { deliveryThreadNice?: number; env?: Record<string, string> }): Promise<RunEmitter> {
  const cwd = tmp();
  const emitter = emitterFromEnv({
    cwd,
    env: { RUNTRAIL_STORE: path.join(cwd, 'runs.jsonl'), ...options.env },
    spool: {},
    deliveryThread: true,
    ...options,
  });
  cleanups.push(() => emitter.close(2000));
  for (const e of runs(10, 'nice')) emitter.enqueue(e);
  await emitter.flush();
  return emitter;
}

const linux = process.platform === 'linux';

describe.runIf(linux)('delivery thread priority', () => {
  it('runs the delivery thread, and it alone, at nice 10 by default, at the nice value asked for, or unchanged at 0', async () => {
    const hostNice = os.getPriority(process.pid);
    for (const [asked, expected] of [
      [undefined, 10],
      [7, 7],
    ] as const) {
      const before = niceByThread();
      const emitter = await started({ deliveryThreadNice: asked });
      expect(emitter.stats().sent).toBe(runs(10, 'nice').length);
      expect(newThreadsAt(before, expected), `deliveryThreadNice ${asked}`).toHaveLength(1);
      expect(niceByThread().get(process.pid)).toBe(hostNice);
    }
    const before = niceByThread();
    await started({ env: { RUNTRAIL_DELIVERY_THREAD_NICE: '3' } });
    expect(newThreadsAt(before, 3)).toHaveLength(1);
    const beforeZero = niceByThread();
    await started({ deliveryThreadNice: 0 });
    expect([...niceByThread()].filter(([tid, n]) => !beforeZero.has(tid) && n !== hostNice)).toEqual([]);
  });

  it('goes back to the host priority while behind where the OS allows it, else stays lowered, and lowers again after', async () => {
    const module = new URL('../../dist/delivery/thread-priority.js', import.meta.url).href;
    const code = `
      const { parentPort } = require('node:worker_threads');
      const fs = require('node:fs');
      const nice = () => Number(fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ')[16]);
      import(${JSON.stringify(module)}).then(({ ThreadPriority }) => {
        const p = new ThreadPriority(9);
        const lowered = [p.current, nice()];
        const allowed = p.behind(true);
        const whileBehind = [p.current, nice()];
        const again = p.behind(true);
        p.behind(false);
        parentPort.postMessage({ lowered, allowed, whileBehind, again, after: [p.current, nice()] });
      });`;
    const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const worker = new Worker(code, { eval: true });
      worker.once('message', (m) => {
        resolve(m);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
    expect(result.lowered).toEqual([9, 9]);
    // Raising needs CAP_SYS_NICE or RLIMIT_NICE: either it happened, or it was refused and nothing changed.
    expect(result.whileBehind).toEqual(result.allowed ? [0, 0] : [9, 9]);
    // A refusal is reported once; asking again changes nothing.
    expect(result.again).toBe(true);
    expect(result.after).toEqual([9, 9]);
  });
});

describe('deliveryThreadNice', () => {
  it('refuses values outside 0–19 and non-integers at construction, from options and from the environment', () => {
    for (const deliveryThreadNice of [-1, 20, 1.5, Number.NaN])
      expect(() => emitterFromEnv({ cwd: tmp(), env: {}, deliveryThread: true, deliveryThreadNice }), String(deliveryThreadNice)).toThrow(
        ConfigError,
      );
    for (const value of ['high', '25', '-3'])
      expect(() => emitterFromEnv({ cwd: tmp(), env: { RUNTRAIL_DELIVERY_THREAD_NICE: value }, deliveryThread: true }), value).toThrow(
        ConfigError,
      );
  });
});
