// Records the delivery thread leaves in the ring while the host is busy (delivery-thread.ts), copied to a file
// beside the spool, so that a process killed outright (SIGKILL, the OOM killer) during a deferral loses no more
// than without one: the next delivery thread started on the same spool adopts a dead process's journal and
// delivers its records. Copying is a plain write of the ring's bytes, a few µs per poll, no decoding.
import fs from 'node:fs';
import path from 'node:path';
import type { RecordRing } from './record-ring.js';

/**
 * A delivery thread's journal is `journal-<pid>-<threadId>.log`; one being adopted is renamed to
 * `journal-<adopter pid>-<threadId>-adopting-<name>`, taken again if its adopter died too.
 */
const JOURNAL = /^journal-(\d+)-\d+(?:-adopting-.+)?\.log$/;

/** The journal file of delivery thread `threadId` of process `pid` under `root`. */
export function journalFile(root: string, pid: number, threadId: number): string {
  return path.join(root, `journal-${pid}-${threadId}.log`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A delivery thread's journal, empty whenever nothing is deferred. */
export class RecordJournal {
  readonly file: string;
  #fd: number | undefined;
  /** Ring offset up to which records are in the file; undefined while the file is empty. */
  #to: number | undefined;

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
    if (this.#to === undefined && header.length > 0) fs.writeSync(this.#fd, `${header.join('\n')}\n`);
    for (const chunk of chunks) fs.writeSync(this.#fd, chunk);
    this.#to = end;
  }

  /** Empties the journal: every record in it was taken and its event is in the spool. */
  clear(): void {
    if (this.#to === undefined || this.#fd === undefined) return;
    fs.ftruncateSync(this.#fd, 0);
    this.#to = undefined;
  }

  /** Closes and removes the file (nothing in it is needed any more). */
  close(): void {
    if (this.#fd === undefined) return;
    fs.closeSync(this.#fd);
    this.#fd = undefined;
    fs.rmSync(this.file, { force: true });
  }
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
    const text = fs.readFileSync(claimed, 'utf8');
    // A kill may have cut the last line: keep complete ones.
    const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
    lines.pop();
    adopted.push({ lines, remove: () => fs.rmSync(claimed, { force: true }) });
  }
  return adopted;
}
