// @ts-check
// The out-of-process arm of the BullMQ bench: a QueueListener in its own process (as users run it), writing the
// local run store through the delivery engine. Prints "ready" once reading; on "stop" (stdin) waits until it has
// seen `expect` ends, closes and prints how many it saw.
// Usage: node listener-child.mjs <redisUrl> <queue> <storePath> <expectEnds>
import readline from 'node:readline';
import { QueueListener } from '@runtrail/bullmq';
import { createEmitter, RunStoreTransport } from '@runtrail/core';

const [redisUrl, queue, store, expect] = process.argv.slice(2);
const emitter = createEmitter({ transports: [new RunStoreTransport({ path: /** @type {string} */ (store) })], maxQueueSize: 100_000 });
let ends = 0;
emitter.onEvent((e) => {
  if (e.kind === 'end') ends++;
});
const listener = new QueueListener({
  connection: /** @type {string} */ (redisUrl),
  queues: [/** @type {string} */ (queue)],
  emitter,
  orphanCheckMillis: 0,
});
await listener.start();
process.stdout.write('ready\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line !== 'stop') continue;
  const until = Date.now() + 60_000;
  while (ends < Number(expect) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await listener.close();
  await emitter.close();
  process.stdout.write(`seen ${ends}\n`);
  process.exit(0);
}
