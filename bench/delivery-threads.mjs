// @ts-check
// What the benches read of this process's threads from Linux's /proc: a thread's CPU time, and which threads are
// delivery threads (the ones at nice 10, thread-priority.ts's default).
import fs from 'node:fs';

/** CPU time of thread `tid` of this process, in µs (schedstat: ns on a CPU). @param {number} tid */
export function threadMicros(tid) {
  return Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

/** This process's threads at nice 10: its delivery threads. @returns {Set<number>} */
export function deliveryThreads() {
  const tids = new Set();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const nice = Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    if (nice === 10) tids.add(Number(tid));
  }
  return tids;
}
