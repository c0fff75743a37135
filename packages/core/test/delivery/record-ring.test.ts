// The shared-memory ring between a host thread and its delivery thread (record-ring.ts), and the compact-record
// helpers (records.ts): records come out whole and in order however they wrap; a full ring refuses without writing;
// what a reader took but never released can be taken again; fields survive any character.
import { describe, expect, it } from 'vitest';
import { disabledEmitter } from '../../src/delivery/emitter.js';
import { RecordRing } from '../../src/delivery/record-ring.js';
import {
  escapeField,
  fieldText,
  type RecordCodec,
  type RecordField,
  recordText,
  recordWriter,
  splitRecord,
} from '../../src/delivery/records.js';
import type { RunEvent } from '../../src/model/run-event.js';
import type { RunEventSink } from '../../src/sink.js';

/** A deterministic pseudo-random sequence (no Math.random: a failure must replay). */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const ALPHABET = ['a', 'Z', '7', ' ', 'é', '€', '漢', '😀', '"', '{'];

describe('RecordRing', () => {
  it('hands over records whole and in order across many wraps, with multi-byte characters, in passes of any size', () => {
    const ring = RecordRing.create(4096);
    const reader = new RecordRing(ring.buffers);
    const rand = prng(7);
    const written: string[] = [];
    const read: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(rand() * 120);
      let record = `${i}:`;
      for (let k = 0; k < length; k++) record += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      while (!ring.write(record)) {
        const taken = reader.take();
        expect(taken.count).toBeGreaterThan(0);
        read.push(...taken.lines);
        reader.release(taken.end, taken.count);
      }
      written.push(record);
      // The reader sometimes takes early, leaving its position anywhere in the buffer, and sometimes only part of
      // what is there (a pass of at most 200 bytes: whole records, at least one).
      if (rand() < 0.05) {
        const taken = reader.take(false, rand() < 0.5 ? 200 : Number.POSITIVE_INFINITY);
        read.push(...taken.lines);
        reader.release(taken.end, taken.count);
      }
    }
    const rest = reader.take();
    read.push(...rest.lines);
    reader.release(rest.end, rest.count);
    expect(read).toEqual(written);
    expect(ring.unreleased).toBe(0);
    expect(ring.pending).toBe(false);
  });

  it('takes a lap in short passes while the writer laps behind it, and from the released offset mid-lap', () => {
    // The reader remembers where its lap ends (the writer's 0 marker); a stale memory would cut records or skip a lap.
    const ring = RecordRing.create(1024);
    let reader = new RecordRing(ring.buffers);
    const rand = prng(3);
    const written: string[] = [];
    const read: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      // Lengths that often end a record exactly at the end of the buffer (no marker then) or just short of it.
      const record = `${i}:${'x'.repeat(Math.floor(rand() * 60))}`;
      while (!ring.write(record)) {
        const taken = reader.take(false, 1 + Math.floor(rand() * 150));
        read.push(...taken.lines);
        reader.release(taken.end, taken.count);
      }
      written.push(record);
      const r = rand();
      if (r < 0.3) {
        const taken = reader.take(false, 1 + Math.floor(rand() * 150));
        if (rand() < 0.1) {
          // Taken, not released: a new reader starts from the released offset and takes these again.
          reader = new RecordRing(ring.buffers);
          const again = reader.take(true, 1 + Math.floor(rand() * 150));
          read.push(...again.lines);
          reader.release(again.end, again.count);
        } else {
          read.push(...taken.lines);
          reader.release(taken.end, taken.count);
        }
      }
    }
    for (let taken = reader.take(false, 100); taken.count > 0; taken = reader.take(false, 100)) {
      read.push(...taken.lines);
      reader.release(taken.end, taken.count);
    }
    expect(read).toEqual(written);
    expect(ring.pending).toBe(false);
  });

  it('refuses a record that does not fit without writing any of it, and takes it once space is released', () => {
    const ring = RecordRing.create(1024);
    const reader = new RecordRing(ring.buffers);
    const big = 'x'.repeat(500);
    expect(ring.write(big)).toBe(true);
    expect(ring.write(big)).toBe(true);
    expect(ring.write(big)).toBe(false);
    expect(ring.unreleased).toBe(2);
    const taken = reader.take();
    expect(taken.lines).toEqual([big, big]);
    // Taken but not released: still no room.
    expect(ring.write(big)).toBe(false);
    reader.release(taken.end, taken.count);
    expect(ring.write(big)).toBe(true);
    expect(reader.take().lines).toEqual([big]);
    // A record larger than the whole ring never fits.
    expect(ring.write('y'.repeat(2000))).toBe(false);
  });

  it('gives a new reader what the old one took and never released (a dead delivery thread)', () => {
    const ring = RecordRing.create(2048);
    const dead = new RecordRing(ring.buffers);
    for (let i = 0; i < 10; i++) ring.write(`r${i}`);
    const first = dead.take();
    dead.release(first.end, 3);
    for (let i = 10; i < 15; i++) ring.write(`r${i}`);
    expect(dead.take().lines).toEqual(['r10', 'r11', 'r12', 'r13', 'r14']);
    // The host takes over from the released offset: everything written after the first take's end, plus that take.
    const host = new RecordRing(ring.buffers);
    expect(host.take(true).lines).toEqual(Array.from({ length: 5 }, (_, i) => `r${i + 10}`));
  });

  it('writes fields as the very line of their text, for any text and number, across many wraps', () => {
    const ring = RecordRing.create(4096);
    const reader = new RecordRing(ring.buffers);
    const rand = prng(11);
    const TEXT = [...ALPHABET, '\t', '\n', '\\', '\0', '\\t'];
    const NUMBERS = [
      ...[0, 7, 42, 99_999_999, 100_000_000, 100_000_001, 1_760_000_000_123, 9_007_199_199_999_999, 9_007_199_200_000_000],
      ...[Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -5, 1.5, -0, 1e21, Number.NaN, Number.NEGATIVE_INFINITY],
      // Every digit count and its edges (two digits at a time, the low half of a 13-digit timestamp padded with zeros).
      ...Array.from({ length: 17 }, (_, d) => [10 ** d - 1, 10 ** d, 10 ** d + 1, 10 ** d + 10]).flat(),
      ...[1_760_000_000_001, 1_760_000_000_010, 1_760_000_100_000, 1_760_099_999_999],
    ];
    const written: string[] = [];
    const fieldsWritten: string[][] = [];
    const read: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const fields: RecordField[] = [];
      const n = 1 + Math.floor(rand() * 12);
      for (let k = 0; k < n; k++) {
        const kind = rand();
        if (kind < 0.4) fields.push(NUMBERS[Math.floor(rand() * NUMBERS.length)]);
        else if (kind < 0.5) fields.push(undefined);
        else {
          let text = '';
          const length = Math.floor(rand() * 30);
          for (let c = 0; c < length; c++) text += TEXT[Math.floor(rand() * TEXT.length)];
          fields.push(text);
        }
      }
      const head = `R${i % 3}\t`;
      // A reused array longer than its record, at times: only the first `n` fields are the record.
      const reused = rand() < 0.3 ? [...fields, 'not\tpart', 7, undefined] : fields;
      while (!ring.writeFields(head, reused, n)) {
        const taken = reader.take();
        expect(taken.count).toBeGreaterThan(0);
        read.push(...taken.lines);
        reader.release(taken.end, taken.count);
      }
      written.push(head + recordText(fields));
      fieldsWritten.push(fields.map(fieldText));
      if (rand() < 0.05) {
        const taken = reader.take();
        read.push(...taken.lines);
        reader.release(taken.end, taken.count);
      }
    }
    read.push(...reader.take().lines);
    expect(read).toEqual(written);
    // And each line gives its fields back as their text.
    expect(read.map((line) => splitRecord(line.slice(line.indexOf('\t') + 1)))).toEqual(fieldsWritten);
  });

  it('refuses fields that do not fit without writing any of them', () => {
    const ring = RecordRing.create(1024);
    const reader = new RecordRing(ring.buffers);
    expect(ring.writeFields('R0\t', ['x'.repeat(600), 1])).toBe(true);
    expect(ring.writeFields('R0\t', ['y'.repeat(600), 2])).toBe(false);
    expect(reader.take().lines).toEqual([`R0\t${'x'.repeat(600)}\t1`]);
    expect(ring.writeFields('R0\t', ['漢'.repeat(400)])).toBe(false);
    // Fields past the record's length count for nothing.
    const other = RecordRing.create(1024);
    expect(other.writeFields('R0\t', ['x', 'y'.repeat(2000)], 1)).toBe(true);
    expect(new RecordRing(other.buffers).take().lines).toEqual(['R0\tx']);
  });

  it('wakes a waiting reader when a record is written, and gives up waiting after its timeout', async () => {
    const ring = RecordRing.create(2048);
    const reader = new RecordRing(ring.buffers);
    const t0 = performance.now();
    await reader.waitForRecords(50);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    const waiting = reader.waitForRecords(10_000);
    setTimeout(() => ring.write('hello'), 20);
    const t1 = performance.now();
    await waiting;
    expect(performance.now() - t1).toBeLessThan(5000);
    expect(reader.take().lines).toEqual(['hello']);
  });
});

describe('compact records', () => {
  it('keeps every character of a field: tabs, newlines, backslashes, NUL and multi-byte', () => {
    const fields = ['plain', 'a\tb', 'line\nbreak', 'back\\slash', 'nul\0byte', '\\t literally', '漢字😀', ''];
    const record = fields.map(escapeField).join('\t');
    expect(record).not.toMatch(/\n|\0/);
    expect(splitRecord(record)).toEqual(fields);
    expect(recordText(fields)).toBe(record);
    expect(recordText([1, undefined, 'a', 1.5])).toBe('1\t\ta\t1.5');
    expect(recordText([1, undefined, 'a', 1.5], 2)).toBe('1\t');
  });

  it('decodes at once into a sink without a thread, and costs nothing with the disabled emitter', () => {
    const codec: RecordCodec<{ flow: string }> = {
      url: 'unused:',
      createDecoder:
        (ctx) =>
        ([id, time]) => ({
          kind: 'start',
          instance: { orchestrator: 'x', cluster: 'prod', flow: ctx.flow, id: id as string },
          attempt: 1,
          time: Number(time),
        }),
    };
    const got: RunEvent[] = [];
    const sink: RunEventSink = { enqueue: (e) => got.push(e), flush: async () => {}, close: async () => {} };
    const errors: unknown[] = [];
    const records = recordWriter(sink, codec, { flow: 'f' }, (err) => errors.push(err));
    records.write(['id\t1', 42]);
    expect(got).toEqual([
      { kind: 'start', instance: { orchestrator: 'x', cluster: 'prod', flow: 'f', id: 'id\t1' }, attempt: 1, time: 42 },
    ]);
    // Only the record's fields from a longer array: the decoder gets those alone.
    const lengths: number[] = [];
    recordWriter(sink, { url: 'unused:', createDecoder: () => (f) => void lengths.push(f.length) }, {}, () => {}).write(['a', 1, 'b'], 2);
    expect(lengths).toEqual([2]);
    // A decoder that throws: the record is dropped and reported, nothing reaches the caller.
    const failing = recordWriter(sink, { url: 'unused:', createDecoder: () => () => JSON.parse('{') }, {}, (err) => errors.push(err));
    expect(() => failing.write(['x'])).not.toThrow();
    expect(errors).toHaveLength(1);
    let decoded = 0;
    const counting = () => () => {
      decoded++;
      return undefined;
    };
    recordWriter(disabledEmitter(), { url: 'unused:', createDecoder: counting }, {}, () => {}).write(['x']);
    expect(decoded).toBe(0);
  });
});
