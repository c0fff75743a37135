// Records the delivery thread leaves in the ring while the host is busy (delivery-thread.ts), copied to a file
// beside the spool, so that a process killed outright (SIGKILL, the OOM killer) during a deferral loses no more
// than without one: the next emitter opened on the same spool (on a delivery thread or not, journal-replay.ts) adopts
// a dead process's journal and delivers its records — those after its last release mark, so that what already
// reached the spool is not delivered twice. Copying is a plain write of the ring's bytes, a few µs per poll, no
// decoding.
import fs from 'node:fs';
import path from 'node:path';
import type { RecordRing } from './record-ring.js';
import { pidAlive } from './spool.js';
import { RECORD } from './thread-protocol.js';

/**
 * A delivery thread's journal is `journal-<pid>-<threadId>.log`; one being adopted is renamed to
 * `journal-<adopter pid>-<threadId>-adopting-<name>`, taken again if its adopter died too.
 */
const JOURNAL = /^journal-(\d+)-\d+(?:-adopting-.+)?\.log$/;

/** The journal file of delivery thread `threadId` of process `pid` under `root`. */
export function journalFile(root: string, pid: number, threadId: number): string {
  return path.join(root, `journal-${pid}-${threadId}.log`);
}

/** A line of a journal saying that every record before this byte offset of the file is in the spool. */
const RELEASED_MARK = 'X';

/** Where a copied range of the ring sits in the file. */
interface Segment {
  ringFrom: number;
  ringTo: number;
  fileFrom: number;
}

/**
 * A delivery thread's journal: append-only while records are deferred or delivered in passes — copies of ring
 * bytes, and `X<offset>` lines as passes reach the spool — and emptied whenever everything in it was.
 */
export class RecordJournal {
  readonly file: string;
  #fd: number | undefined;
  /** Ring offset up to which records are in the file; undefined while the file is empty. */
  #to: number | undefined;
  #size = 0;
  #segments: Segment[] = [];

  /**
   * @param root the spool's directory (where its slots and rescue files are)
   * @param threadId this delivery thread's `threadId`
   */
  constructor(root: string, threadId: number) {
    this.file = journalFile(root, process.pid, threadId);
  }

  /**
   * Copies the records written since the last copy (or, in an empty journal, since the reader's position) to the file.
   * @param header lines to write first into an empty journal (the channels the records may refer to)
   */
  append(ring: RecordRing, header: readonly string[]): void {
    const { chunks, end } = ring.peek(this.#to ?? ring.taken);
    if (chunks.length === 0) return;
    if (this.#fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.#fd = fs.openSync(this.file, 'w');
    }
    if (this.#to === undefined && header.length > 0) this.#write(Buffer.from(`${header.join('\n')}\n`));
    for (const { from, bytes } of chunks) {
      this.#segments.push({ ringFrom: from, ringTo: from + bytes.length, fileFrom: this.#size });
      this.#write(bytes);
    }
    this.#to = end;
  }

  #write(bytes: Buffer): void {
    // At explicit positions: after a truncation the descriptor's own offset is still at the old end.
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.#fd as number, bytes, done, bytes.length - done, this.#size + done);
    this.#size += bytes.length;
  }

  /**
   * Notes that the records before ring offset `end` are in the spool. Past everything journaled (or with `all`), the
   * journal is emptied; otherwise a mark says where replay must start.
   */
  released(end: number, all: boolean): void {
    if (this.#to === undefined || this.#fd === undefined) return;
    const i = this.#segments.findIndex((s) => end > s.ringFrom && end <= s.ringTo);
    if (all || i === -1) {
      fs.ftruncateSync(this.#fd, 0);
      this.#size = 0;
      this.#segments = [];
      this.#to = undefined;
      return;
    }
    const s = this.#segments[i] as Segment;
    this.#write(Buffer.from(`${RELEASED_MARK}${s.fileFrom + (end - s.ringFrom)}\n`));
    this.#segments = this.#segments.slice(i);
  }

  /** Closes and removes the file (nothing in it is needed any more). */
  close(): void {
    if (this.#fd === undefined) return;
    fs.closeSync(this.#fd);
    this.#fd = undefined;
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * The records of a journal's text still to deliver: every channel record, and the other records after the last
 * release mark (complete lines only: a kill may have cut the last one).
 */
export function journalRecords(text: string): string[] {
  const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
  lines.pop();
  let from = 0;
  for (const line of lines) if (line[0] === RELEASED_MARK) from = Math.max(from, Number(line.slice(1)));
  const records: string[] = [];
  let offset = 0;
  for (const line of lines) {
    if (line[0] !== RELEASED_MARK && (offset >= from || line[0] === RECORD.channel)) records.push(line);
    offset += Buffer.byteLength(line) + 1;
  }
  return records;
}

/** A dead process's journal, claimed: its records, and `remove` once they are safe elsewhere. */
export interface AdoptedJournal {
  lines: string[];
  remove(): void;
}

/** Takes the journals that dead processes left under `root`. A rename claims each file, so two threads never both take one. */
export function adoptJournals(root: string, threadId: number): AdoptedJournal[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const adopted: AdoptedJournal[] = [];
  for (const name of names) {
    const pid = Number(JOURNAL.exec(name)?.[1]);
    if (!pid || pid === process.pid || pidAlive(pid)) continue;
    const claimed = path.join(root, `journal-${process.pid}-${threadId}-adopting-${name}`);
    try {
      fs.renameSync(path.join(root, name), claimed);
    } catch {
      continue; // another thread took it
    }
    adopted.push({ lines: journalRecords(fs.readFileSync(claimed, 'utf8')), remove: () => fs.rmSync(claimed, { force: true }) });
  }
  return adopted;
}
