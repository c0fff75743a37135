// @ts-check
// The host's cost of one compact record (core's records.ts, record-ring.ts): a plain BullMQ job's successful end
// written into the delivery thread's ring from its fields (`RecordRing.writeFields`, what the threaded emitter does),
// against the same line built as a string first and written with `RecordRing.write` (what it did before). Both in
// one run, alternating, on one 16 MiB ring (the emitter's size) that a reader empties whenever it is full, so that
// both write over memory already touched. The reader's work is inside the figures, alike for both.
// Usage: pnpm build && node bench/delivery/record-write.mjs [records=1000000] [rounds=7]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordRing } from '../../packages/core/dist/delivery/record-ring.js';
import { escapeField } from '../../packages/core/dist/delivery/records.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const ring = RecordRing.create(16 * 1024 * 1024);
const reader = new RecordRing(ring.buffers);
const T = Date.now();
const HEAD = 'R0\t';

/** A successful end as job-records.ts wrote it before: a template of escaped fields. @param {number} i */
const asString = (i) => `c\t${escapeField(String(i))}\t${T}\t${escapeField('job')}\t${''}\t${1}\t${T + i}\t${T + i + 3}`;
/** The same record as its fields, as job-records.ts writes it now. @param {number} i */
const asFields = (i) => ['c', String(i), T, 'job', undefined, 1, T + i, T + i + 3];

function empty() {
  const taken = reader.take();
  reader.release(taken.end, taken.count);
}

/** µs per record of `write` over N records. @param {(i: number) => boolean} write */
function time(write) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++)
    if (!write(i)) {
      empty();
      write(i);
    }
  return ((performance.now() - t0) * 1000) / N;
}

const string = (/** @type {number} */ i) => ring.write(HEAD + asString(i));
const fields = (/** @type {number} */ i) => ring.writeFields(HEAD, asFields(i));
// Both lines must be the same bytes, or the comparison means nothing.
ring.write(HEAD + asString(7));
ring.writeFields(HEAD, asFields(7));
const [a, b] = reader.take().lines;
if (a !== b) throw new Error(`the two writers differ: ${a} / ${b}`);
empty();

/** @type {{ string: number[], fields: number[] }} */
const samples = { string: [], fields: [] };
time(string); // warm-up, not counted
time(fields);
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    samples.string.push(time(string));
    samples.fields.push(time(fields));
  } else {
    samples.fields.push(time(fields));
    samples.string.push(time(string));
  }
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  records: N,
  rounds: ROUNDS,
  microsPerRecord: { string: +median(samples.string).toFixed(3), fields: +median(samples.fields).toFixed(3) },
  ratio: +(median(samples.fields) / median(samples.string)).toFixed(3),
};
fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
fs.writeFileSync(path.join(here, '..', 'results', 'record-write.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('| writer | µs per record |\n| --- | ---: |');
console.log(`| line built as a string, then \`write\` | ${result.microsPerRecord.string} |`);
console.log(`| fields, \`writeFields\` | ${result.microsPerRecord.fields} |`);
console.log(`fields / string: ${result.ratio}×`);
