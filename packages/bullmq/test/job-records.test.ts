// The compact records of instrumentWorker's hot path (job-records.ts): decoding a record gives exactly the event
// the hooks would have built as an object, whatever the job's id, name and options hold.
import { attemptKey, fieldText, type RecordField, type RunEvent, recordText, splitRecord } from '@runtrail/core';
import { describe, expect, it } from 'vitest';
import { endEvent, type StartFacts, startEvent, type WorkerContext } from '../src/job-events.js';
import {
  createDecoder,
  createEncoder,
  jobRecords,
  MAX_PLAIN_SUCCESSES,
  PlainSuccesses,
  plainSuccessRecord,
  startAndSuccessRecord,
  startRecord,
  successRecord,
} from '../src/job-records.js';

const T = 1_760_000_000_000;

const contexts: WorkerContext[] = [
  { cluster: 'prod', prefix: 'bull', queue: 'emails' },
  {
    cluster: 'dev',
    prefix: 'acme',
    queue: 'reports',
    workerName: 'reporter-1',
    jobs: {
      nightly: {
        inputs: [{ platform: 'postgres', name: 'shop.orders' }],
        outputs: [{ platform: 's3', name: 'r/x' }],
        properties: { team: 'bi' },
      },
    },
  },
];

const jobs: StartFacts[] = [
  { jobId: '1', timestamp: T, name: 'send', attempt: 1, startTime: T + 5 },
  { jobId: 'custom:id\twith\ttabs\nand\\lines', timestamp: T + 1, name: 'naïve 名前 😀', attempt: 3, startTime: T + 9, maxAttempts: 5 },
  {
    jobId: 'repeat:nightly:1760000000000',
    timestamp: T,
    name: 'nightly',
    scheduler: 'nightly',
    prevMillis: T,
    attempt: 1,
    startTime: T + 2,
  },
  { jobId: '42', timestamp: T, name: 'nightly', attempt: 2, startTime: T + 3, priority: 7, delay: 1500, maxAttempts: 2 },
];

describe('BullMQ compact records', () => {
  it('decode to the same start and successful end as the events built directly, through the text or not', () => {
    for (const ctx of contexts) {
      const decode = createDecoder(ctx);
      for (const f of jobs) {
        const end = endEvent(ctx, f, f.attempt, f.startTime, f.startTime + 40, { status: 'success' });
        const start = startRecord(f);
        const success = successRecord(f, f.attempt, f.startTime, f.startTime + 40);
        // As the delivery thread reads them (a line of the ring), and as a sink without a thread gets them.
        expect(decode(splitRecord(recordText(start)))).toEqual(startEvent(ctx, f));
        expect(decode(splitRecord(recordText(success)))).toEqual(end);
        expect(decode(start.map(fieldText))).toEqual(startEvent(ctx, f));
        expect(decode(success.map(fieldText))).toEqual(end);
        // Both in one record: the same two events, in order.
        const both = startAndSuccessRecord(f, f.startTime + 40);
        expect(decode(splitRecord(recordText(both)))).toEqual([startEvent(ctx, f), end]);
        expect(decode(both.map(fieldText))).toEqual([startEvent(ctx, f), end]);
      }
    }
  });

  it('write a job with no options in the short form — 7 fields, its times as differences — and any other in the long one', () => {
    const [plain, withOptions] = jobs as [StartFacts, StartFacts];
    expect(startAndSuccessRecord(plain, T + 45)).toEqual(['p', '1', T, 'send', 1, 5, 40]);
    expect(recordText(startAndSuccessRecord(plain, T + 45))).toBe(`p\t1\t${T}\tsend\t1\t5\t40`);
    expect(startAndSuccessRecord(withOptions, T + 45)[0]).toBe('b');
    for (const option of [{ scheduler: 's' }, { priority: 1 }, { delay: 1 }, { maxAttempts: 2 }, { prevMillis: T }])
      expect(startAndSuccessRecord({ ...plain, ...option }, T + 45)[0]).toBe('b');
    // Times that are not integers, or too large to add up exactly, keep theirs as they are.
    for (const odd of [{ startTime: T + 0.5 }, { timestamp: Number.NaN }, { startTime: 2 ** 53 }])
      expect(startAndSuccessRecord({ ...plain, ...odd }, T + 45)[0]).toBe('b');
    expect(startAndSuccessRecord(plain, T + 45.5)[0]).toBe('b');
    // A start before the job's timestamp (another machine's clock): a negative difference, decoded exactly.
    const early = { ...plain, startTime: T - 1234 };
    const ctx = contexts[0] as WorkerContext;
    const end = endEvent(ctx, early, 1, T - 1234, T + 7, { status: 'success' });
    expect(createDecoder(ctx)(splitRecord(recordText(startAndSuccessRecord(early, T + 7))))).toEqual([startEvent(ctx, early), end]);
  });

  it('write a plain job from its facts as they are (the held jobs kept at their end) as from its facts object', () => {
    const plain = jobs[0] as StartFacts;
    for (const odd of [{}, { startTime: T + 0.5 }, { timestamp: Number.NaN }, { startTime: 2 ** 53 }, { startTime: T - 1234 }]) {
      const f = { ...plain, ...odd };
      const direct = plainSuccessRecord(f.jobId, f.name, f.timestamp, f.attempt, f.startTime, T + 45, [
        'x',
        'y',
        'z',
        'w',
        'v',
        'u',
        't',
        's',
      ]);
      expect(direct).toEqual(startAndSuccessRecord(f, T + 45));
    }
  });

  it('put many plain jobs into one record — a name per run of one name, times as differences — decoded as their own records', () => {
    const plain: Array<[string, string, number, number, number, number]> = [
      ['1', 'send', T, 1, T + 5, T + 45],
      ['2', 'send', T + 3, 1, T + 6, T + 6],
      // Created before the previous job (a negative difference), started before it was created (another clock).
      ['x\ty', 'naïve 名前 😀', T - 100, 2, T - 200, T + 1],
      ['4', 'send', T + 10, 1, T + 10, T + 11],
      ['5', 'send', 0, 1, 0, 2 ** 52],
      ['', '', T, 9, T, T],
    ];
    const many = new PlainSuccesses();
    for (const job of plain) expect(many.add(...job)).toBe(true);
    expect(many.count).toBe(plain.length);
    // Groups: a name and a count, then 5 fields a job.
    expect(many.fields.slice(0, 13)).toEqual(['m', 'send', 2, '1', T, 1, 5, 40, '2', 3, 1, 3, 0]);
    expect(many.length).toBe(1 + 4 * 2 + plain.length * 5);
    expect(many.fields).toHaveLength(many.length);
    for (const ctx of contexts) {
      const decode = createDecoder(ctx);
      const one = plain.flatMap((job) => decode(splitRecord(recordText(plainSuccessRecord(...job)))) as RunEvent[]);
      expect(one).toHaveLength(2 * plain.length);
      expect(decode(splitRecord(recordText(many.fields, many.length)))).toEqual(one);
      expect(decode(many.fields.map(fieldText))).toEqual(one);
    }
    // Emptied, it starts again with a name, its first timestamp whole, over the fields it had (never shortened).
    many.clear();
    expect(many.length).toBe(1);
    expect(many.add('7', 'send', T, 1, T, T)).toBe(true);
    expect(many.fields.slice(0, many.length)).toEqual(['m', 'send', 1, '7', T, 1, 0, 0]);
    expect(many.fields.length).toBeGreaterThan(many.length);
    // Times whose differences would not add up again exactly are not taken (a record of their own).
    for (const odd of [
      [T + 0.5, T, T],
      [Number.NaN, T, T],
      [T, 2 ** 53, 2 ** 53],
      [T, T, T + 0.5],
    ] as const)
      expect(many.add('8', 'send', odd[0], 1, odd[1], odd[2])).toBe(false);
    expect(many.count).toBe(1);
  });

  it(`hold at most ${MAX_PLAIN_SUCCESSES} jobs to a record (a record must fit into the ring whole)`, () => {
    const many = new PlainSuccesses();
    for (let i = 0; i < MAX_PLAIN_SUCCESSES; i++) {
      expect(many.full).toBe(false);
      many.add(String(i), i % 3 ? 'a' : 'b', T + i, 1, T + i, T + i + 1);
    }
    expect(many.full).toBe(true);
    const text = recordText(many.fields, many.length);
    expect(text.length).toBeLessThan(16 * 1024);
    expect(text).not.toMatch(/[\n\0]/);
    expect(createDecoder(contexts[0] as WorkerContext)(splitRecord(text))).toHaveLength(2 * MAX_PLAIN_SUCCESSES);
    expect(new PlainSuccesses(2).add('1', 'a', T, 1, T, T) && new PlainSuccesses(1).full).toBe(false);
  });

  it('refuse a record of many whose counts do not match its fields, decoding and encoding alike', () => {
    const ctx = contexts[0] as WorkerContext;
    for (const bad of [
      ['m', 'send', '2', '1', '0', '1', '0', '0'],
      ['m', 'send', '0'],
      ['m', 'send', '1.5', '1', '0', '1', '0', '0'],
      ['m', 'send', 'x', '1', '0', '1', '0', '0'],
      ['m', 'send'],
    ]) {
      expect(() => createDecoder(ctx)(bad), JSON.stringify(bad)).toThrow(/malformed/);
      expect(() => createEncoder(ctx)(bad), JSON.stringify(bad)).toThrow(/malformed/);
    }
    expect(createDecoder(ctx)(['m'])).toEqual([]);
  });

  it('fill the array they are given, whatever it held before (the hooks reuse one)', () => {
    const reused: RecordField[] = [];
    const [a, b] = jobs as [StartFacts, StartFacts];
    expect(startAndSuccessRecord(b, 99, reused)).toBe(reused);
    expect(startRecord(a, reused)).toEqual(startRecord(a));
    expect(successRecord(a, 1, 2, 3, reused)).toEqual(successRecord(a, 1, 2, 3));
    expect(startAndSuccessRecord(a, 4, reused)).toEqual(startAndSuccessRecord(a, 4));
  });

  it('never put a newline or NUL into a record (one record is one line of the ring)', () => {
    for (const f of jobs)
      for (const r of [startRecord(f), successRecord(f, 1, 2, 3), startAndSuccessRecord(f, 4)]) expect(recordText(r)).not.toMatch(/[\n\0]/);
  });

  it('name a module the delivery thread can load: the built copy, exporting the same decoder and encoder', async () => {
    expect(jobRecords.url).toMatch(/\/dist\/job-records\.js$/);
    const built = (await import(jobRecords.url)) as { createDecoder: typeof createDecoder; createEncoder: typeof createEncoder };
    const f = jobs[1] as StartFacts;
    expect(built.createDecoder(contexts[1] as WorkerContext)(splitRecord(recordText(startRecord(f))))).toEqual(
      startEvent(contexts[1] as WorkerContext, f),
    );
    const fields = splitRecord(recordText(startAndSuccessRecord(f, f.startTime + 1)));
    expect(built.createEncoder(contexts[0] as WorkerContext)(fields)).toEqual(createEncoder(contexts[0] as WorkerContext)(fields));
  });
});

/** What the emitter reads of each event the decoder returns for `fields`, with its JSON text. */
function asEncoded(decoded: RunEvent | readonly RunEvent[] | undefined) {
  const events = decoded === undefined ? [] : Array.isArray(decoded) ? (decoded as readonly RunEvent[]) : [decoded as RunEvent];
  return events.map((e) => ({ kind: e.kind, attempt: attemptKey(e), time: e.time, json: JSON.stringify(e) }));
}

/** A small deterministic generator (xorshift), so that a failure names its seed and replays. */
function generator(seed: number) {
  let x = seed || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  // Text JSON must escape, or that looks like a number, or means nothing to Number().
  const pieces = [
    '',
    'a',
    '"',
    '\\',
    '/',
    '\u0001',
    '\u001f',
    '\u007f',
    '\u2028',
    'é',
    '名',
    '😀',
    '\ud800',
    '\udfff',
    ' ',
    ':',
    '|',
    '#',
    '0',
    '7',
    '-1',
    '1e3',
    '0x10',
    'NaN',
    'Infinity',
    '.5',
  ];
  const text = () => {
    let s = '';
    const n = Math.floor(next() * 4);
    for (let i = 0; i < n; i++) s += pick(pieces);
    return s;
  };
  const number = () =>
    pick([
      '',
      '0',
      '1',
      '3',
      '1760000000000',
      '007',
      '9007199254740993',
      '123456789012345678901',
      '1e21',
      '-0',
      '2.5',
      'abc',
      'Infinity',
      text(),
    ]);
  return { next, pick, text, number };
}

describe('BullMQ record encoder', () => {
  it("gives the decoder's events as the JSON text JSON.stringify makes of them, with their kind, attempt key and time", () => {
    for (const ctx of contexts) {
      const decode = createDecoder(ctx);
      const encode = createEncoder(ctx);
      for (const f of jobs) {
        for (const record of [
          startRecord(f),
          successRecord(f, f.attempt, f.startTime, f.startTime + 40),
          startAndSuccessRecord(f, f.startTime + 40),
        ]) {
          const fields = splitRecord(recordText(record));
          const encoded = encode(fields);
          // A job name with static lineage is left to the decoder; every other record is encoded.
          if (ctx.jobs?.[f.name]) expect(encoded).toBeUndefined();
          else expect(encoded).toEqual(asEncoded(decode(fields)));
        }
      }
      // Many to a record: encoded whole, or left to the decoder whole when one of its names has static lineage.
      const many = new PlainSuccesses();
      many.add('1', 'send', T, 1, T + 5, T + 45);
      many.add('2', 'send', T - 3, 2, T, T);
      const fields = splitRecord(recordText(many.fields, many.length));
      expect(encode(fields)).toEqual(asEncoded(decode(fields)));
      many.add('3', 'nightly', T + 9, 1, T + 9, T + 10);
      const withLineage = splitRecord(recordText(many.fields, many.length));
      if (ctx.jobs?.nightly) expect(encode(withLineage)).toBeUndefined();
      else expect(encode(withLineage)).toEqual(asEncoded(decode(withLineage)));
    }
  });

  it('matches the decoder field for field on 20 000 generated records: escapes, unicode, lone surrogates, numbers that are not', () => {
    const g = generator(20261203);
    const ctxs: WorkerContext[] = [
      ...contexts,
      { cluster: 'a"b\\c', prefix: 'p/é', queue: 'q"😀', workerName: 'w\n"1' },
      { cluster: '', prefix: 'bull', queue: '' },
    ];
    let encodedRecords = 0;
    for (let i = 0; i < 20_000; i++) {
      const ctx = g.pick(ctxs);
      const kind = g.pick(['s', 'c', 'b', 'p', 'm', 'x', '']);
      const length = kind === 's' ? 11 : kind === 'c' ? 8 : kind === 'p' ? 7 : 12;
      const fields = [kind];
      if (kind === 'm')
        // Groups of a name, a count and that many jobs (id, timestamp, attempt, start, end); any text in them.
        for (let groups = 1 + Math.floor(g.next() * 3); groups > 0; groups--) {
          const count = 1 + Math.floor(g.next() * 3);
          fields.push(g.text(), String(count));
          for (let k = 0; k < count; k++) fields.push(g.text(), g.number(), g.text(), g.number(), g.number());
        }
      else for (let k = 1; k < length; k++) fields.push(k === 1 || k === 3 || k === 4 ? g.text() : g.number());
      const encoded = createEncoder(ctx)(fields);
      const decoded = createDecoder(ctx)(fields);
      if (encoded === undefined) {
        // Only what the decoder does not know, or a name with static lineage.
        expect(decoded === undefined || ctx.jobs?.[fields[3] as string] !== undefined, `seed record ${i}: ${JSON.stringify(fields)}`).toBe(
          true,
        );
        continue;
      }
      encodedRecords++;
      expect(encoded, `record ${i}: ${JSON.stringify(fields)}`).toEqual(asEncoded(decoded));
    }
    // The generator covers the encoded kinds, not only the refusals.
    expect(encodedRecords).toBeGreaterThan(10_000);
  });
});
