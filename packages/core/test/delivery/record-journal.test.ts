// The journal of deferred records (record-journal.ts): what a killed process's journal gives back is exactly what
// had not reached the spool — nothing lost, nothing twice — however the passes after a deferral cut the ring.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalRecords, RecordJournal } from '../../src/delivery/record-journal.js';
import { RecordRing } from '../../src/delivery/record-ring.js';

describe('RecordJournal', () => {
  it('gives back the channels and exactly the records not yet released, across wraps and passes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-journal-'));
    const ring = RecordRing.create(4096);
    const reader = new RecordRing(ring.buffers);
    const journal = new RecordJournal(dir, 1);
    const header = ['C0\turl\t{}'];
    let next = 0;
    let released = 0;
    for (let cycle = 0; cycle < 200; cycle++) {
      // Deferred: records are written and copied to the journal, in several polls.
      for (let poll = 0; poll < 3; poll++) {
        for (let k = 0; k < 5; k++) ring.write(`R0\trecord-${next++}-é${'x'.repeat(cycle % 17)}`);
        journal.append(reader, header);
      }
      // Delivered in passes; after each, the journal must give back exactly the rest.
      while (reader.hasRecords) {
        const taken = reader.take(false, 150);
        reader.release(taken.end, taken.count);
        released += taken.count;
        journal.released(taken.end, !reader.hasRecords);
        const left = journalRecords(fs.existsSync(journal.file) ? fs.readFileSync(journal.file, 'utf8') : '');
        const records = left.filter((l) => l[0] === 'R');
        expect(records.map((l) => Number(/record-(\d+)-/.exec(l)?.[1]))).toEqual(
          Array.from({ length: next - released }, (_, i) => released + i),
        );
        // The channels they refer to come back while any record does.
        if (records.length > 0) expect(left[0]).toBe(header[0]);
      }
    }
    expect(fs.statSync(journal.file).size).toBe(0);
    journal.close();
    expect(fs.existsSync(journal.file)).toBe(false);
  });

  it('ignores a last line cut by a kill', () => {
    expect(journalRecords('C0\tu\t{}\nJ{"a":1}\nJ{"b"')).toEqual(['C0\tu\t{}', 'J{"a":1}']);
  });
});
