// Starting the delivery thread on the host's Node flags. Inherited as they are, Node keeps to the process what a
// worker cannot take (V8 and per-process flags: `--max-old-space-size`, `--expose-gc`, `--stack-size`, `--title`…),
// so that is the default: production hosts run with such flags, and a list naming them is refused outright
// (ERR_WORKER_INVALID_EXEC_ARGV), which would leave delivery on the host's own thread. Only a host started as
// `node --input-type=module -e …` needs a list of its own: a worker with a file entry refuses `--input-type`.
import { Worker } from 'node:worker_threads';

/** The host's flags without `--input-type` (as `--input-type=x` or `--input-type x`); undefined when it has none. */
function workerFlags(execArgv: readonly string[] = process.execArgv): string[] | undefined {
  if (!execArgv.some((a) => a === '--input-type' || a.startsWith('--input-type='))) return undefined;
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    if (a === '--input-type') {
      i++; // its value is the next argument
    } else if (!a.startsWith('--input-type=')) {
      flags.push(a);
    }
  }
  return flags;
}

/** The flags named by an ERR_WORKER_INVALID_EXEC_ARGV ("…execArgv flags: --a, --b=1"). */
function refusedFlags(err: unknown): Set<string> | undefined {
  if ((err as { code?: unknown })?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return undefined;
  const list = String((err as Error).message)
    .split(': ')
    .slice(1)
    .join(': ');
  return new Set(list.split(', '));
}

/**
 * Starts `entry` as a worker thread with `workerData`, on the host's flags as far as a worker takes them.
 * @throws what `new Worker` throws for any other reason (the caller then delivers on the host thread)
 */
export function startThread(entry: URL, workerData: unknown): Worker {
  const flags = workerFlags();
  if (!flags) return new Worker(entry, { workerData });
  try {
    return new Worker(entry, { workerData, execArgv: flags });
  } catch (err) {
    const refused = refusedFlags(err);
    if (!refused) throw err;
    try {
      return new Worker(entry, { workerData, execArgv: flags.filter((a) => !refused.has(a)) });
    } catch (again) {
      // A flag Node names differently from how it was given (a value in the next argument): no flags at all.
      if (!refusedFlags(again)) throw again;
      return new Worker(entry, { workerData, execArgv: [] });
    }
  }
}
