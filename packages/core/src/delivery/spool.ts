// The durable spool (DESIGN.md §5): every accepted event is appended to a local JSONL file before any backend
// needs it, each transport records how far it got, a restarted process replays what was not delivered, and the
// file is truncated once every transport has caught up. Each live emitter owns one slot directory (a lock file
// with its pid), so several workers on one machine never share a file; a dead process's slot is adopted and
// replayed by the next emitter that starts.
import fs from 'node:fs';
import path from 'node:path';
import type { RunEvent } from '../model/run-event.js';
import { safeLog } from './logger.js';
import type { Logger } from './types.js';

/** Where a spooled event lives: its sequence number and byte offset in the spool file. */
export interface SpoolPosition {
  seq: number;
  offset: number;
}

/** A spooled event read back. */
export interface SpoolRecord {
  seq: number;
  offset: number;
  event: RunEvent;
  /** The event's JSON text, as stored. */
  json: string;
}

/** One transport's progress: everything before `seq` is delivered, plus the listed seqs after it. */
interface Progress extends SpoolPosition {
  doneAbove: number[];
}

const FILE = 'events.jsonl';
/** Truncate the spool once it is fully delivered and bigger than this, in bytes. */
const COMPACT_AT_BYTES = 1024 * 1024;

/** Whether process `pid` is alive (EPERM: it is, as another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const RESCUE = /^rescue-.+\.jsonl$/;

function cutPartialLine(fd: number, content: Buffer): void {
  let end = content.length;
  while (end > 0 && content[end - 1] !== 0x0a) end--;
  if (end !== content.length) fs.ftruncateSync(fd, end);
}

/**
 * Writes events a process could not hand to its delivery thread before exiting into `<root>/rescue-<pid>.jsonl`
 * (complete before it appears: written under another name, then renamed). The next spool opened on `root` adopts it.
 */
export function writeRescue(root: string, events: RunEvent[]): void {
  fs.mkdirSync(root, { recursive: true });
  const file = path.join(root, `rescue-${process.pid}-${Date.now()}.jsonl`);
  fs.writeFileSync(`${file}.tmp`, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  fs.renameSync(`${file}.tmp`, file);
}

/** Appends every rescue file under `root` to this slot's file; a rename claims each, so two spools never both take one. */
function adoptRescues(root: string, slot: string, fd: number): void {
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => RESCUE.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    const claimed = path.join(slot, `adopting-${name}`);
    try {
      fs.renameSync(path.join(root, name), claimed);
    } catch {
      continue; // another spool took it
    }
    const content = fs.readFileSync(claimed);
    let end = content.length;
    while (end > 0 && content[end - 1] !== 0x0a) end--;
    if (end > 0) fs.writeSync(fd, content, 0, end);
    fs.rmSync(claimed, { force: true });
  }
}

/** Spools with lines not yet written: written synchronously if the process exits first (`process.exit`, a crash). */
const unwritten = new Set<Spool>();
let exitHookInstalled = false;
function writeAllOnExit(): void {
  for (const spool of unwritten) spool.flushSync();
}

/** An append-only event log with per-transport progress. Synchronous file I/O, one write per event-loop turn. */
export class Spool {
  readonly dir: string;
  readonly file: string;
  #fd: number;
  #size: number;
  #nextSeq: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #flushQueued = false;
  #capped = false;
  #closed = false;
  readonly #progress = new Map<string, Progress>();
  readonly #dirty = new Set<string>();
  #persistTimer: NodeJS.Timeout | undefined;

  private constructor(
    dir: string,
    readonly maxBytes: number,
    readonly logger: Logger,
  ) {
    this.dir = dir;
    this.file = path.join(dir, FILE);
    this.#fd = fs.openSync(this.file, 'a+');
    // A crash may have left half a line: cut the file back to its last complete line.
    cutPartialLine(this.#fd, fs.readFileSync(this.file));
    adoptRescues(path.dirname(dir), dir, this.#fd);
    const content = fs.readFileSync(this.file);
    this.#size = content.length;
    let lines = 0;
    for (let i = 0; i < content.length; i++) if (content[i] === 0x0a) lines++;
    this.#nextSeq = lines;
  }

  /**
   * Opens the first free slot under `root` (creating it), taking over a slot whose owner died.
   * @param root directory of the slots
   * @param maxBytes size cap of the spool file, in bytes
   */
  static open(root: string, maxBytes: number, logger: Logger): Spool {
    fs.mkdirSync(root, { recursive: true });
    for (let n = 0; n < 1000; n++) {
      const dir = path.join(root, `slot-${n}`);
      fs.mkdirSync(dir, { recursive: true });
      const lock = path.join(dir, 'lock');
      for (let tryNo = 0; tryNo < 2; tryNo++) {
        try {
          fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
          return new Spool(dir, maxBytes, logger);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          const owner = Number(fs.readFileSync(lock, 'utf8'));
          if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) break;
          fs.rmSync(lock, { force: true });
        }
      }
    }
    throw new Error(`no free spool slot under ${root}`);
  }

  /** Position after the last event appended so far. */
  get end(): SpoolPosition {
    return { seq: this.#nextSeq, offset: this.#size };
  }

  /** Bytes in the spool file, including what is waiting to be written. */
  get size(): number {
    return this.#size;
  }

  /** Events appended and not yet delivered by every transport (an upper bound). */
  get backlog(): number {
    let min = this.#nextSeq;
    for (const p of this.#progress.values()) min = Math.min(min, p.seq);
    return this.#nextSeq - min;
  }

  /**
   * Appends an event; written to the file by the end of the current event-loop turn (one write per turn: a write per
   * microtask was one system call per event on a busy worker), or at process exit if that comes first.
   * Returns its position, or `undefined` when the spool is at its size cap.
   */
  append(event: RunEvent, json: string = JSON.stringify(event)): SpoolPosition | undefined {
    const line = `${json}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.#size + bytes > this.maxBytes) {
      if (!this.#capped) {
        this.#capped = true;
        safeLog(
          this.logger,
          'error',
          { file: this.file, maxBytes: this.maxBytes },
          'runtrail: spool is full; new events are dropped until backends catch up',
        );
      }
      return undefined;
    }
    this.#capped = false;
    const pos = { seq: this.#nextSeq++, offset: this.#size };
    this.#size += bytes;
    this.#pending.push(line);
    this.#pendingBytes += bytes;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(this.#flushLater);
      unwritten.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', writeAllOnExit);
      }
    }
    return pos;
  }

  readonly #flushLater = () => this.flushSync();

  /** Writes what `append` buffered. */
  flushSync(): void {
    this.#flushQueued = false;
    unwritten.delete(this);
    if (this.#pending.length === 0 || this.#closed) return;
    const chunk = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      fs.writeSync(this.#fd, chunk);
    } catch (err) {
      safeLog(this.logger, 'error', { err, file: this.file }, 'runtrail: could not write the spool');
    }
  }

  /** Reads up to `max` events from `from` on, skipping seqs `skip` says are done. */
  read(from: SpoolPosition, max: number, skip?: (seq: number) => boolean): { records: SpoolRecord[]; next: SpoolPosition } {
    this.flushSync();
    const records: SpoolRecord[] = [];
    let { seq, offset } = from;
    const chunkBytes = 256 * 1024;
    let carry = Buffer.alloc(0);
    let carryOffset = offset;
    while (records.length < max && offset < this.#size) {
      const buf = Buffer.alloc(Math.min(chunkBytes, this.#size - offset));
      const n = fs.readSync(this.#fd, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let i = 0; i < data.length && records.length < max; i++) {
        if (data[i] !== 0x0a) continue;
        const lineOffset = carryOffset + start;
        if (!skip?.(seq)) {
          try {
            const json = data.subarray(start, i).toString('utf8');
            records.push({ seq, offset: lineOffset, event: JSON.parse(json) as RunEvent, json });
          } catch {
            safeLog(this.logger, 'warn', { file: this.file, seq }, 'runtrail: skipped an unreadable spool line');
          }
        }
        seq++;
        start = i + 1;
      }
      carry = data.subarray(start);
      carryOffset += start;
      if (records.length >= max) break;
    }
    return { records, next: { seq, offset: carryOffset } };
  }

  /** Where `transport` resumes (file start when it has no progress yet) and which later seqs it already did. */
  progressOf(transport: string): Progress {
    let p = this.#progress.get(transport);
    if (!p) {
      p = { seq: 0, offset: 0, doneAbove: [] };
      try {
        const saved = JSON.parse(fs.readFileSync(this.#progressFile(transport), 'utf8')) as Progress;
        if (Number.isInteger(saved.seq) && saved.seq <= this.#nextSeq && saved.offset <= this.#size) p = saved;
      } catch {
        // No progress yet: replay from the start.
      }
      this.#progress.set(transport, p);
    }
    return p;
  }

  /** Records `transport`'s progress; persisted within 100 ms (and on close). */
  setProgress(transport: string, watermark: SpoolPosition, doneAbove: number[]): void {
    this.#progress.set(transport, { seq: watermark.seq, offset: watermark.offset, doneAbove });
    this.#dirty.add(transport);
    if (!this.#persistTimer && !this.#closed) {
      this.#persistTimer = setTimeout(() => {
        this.#persistTimer = undefined;
        this.persist();
      }, 100);
      this.#persistTimer.unref();
    }
  }

  /** Writes dirty progress files (atomically) and truncates the spool when everything was delivered. */
  persist(): void {
    try {
      for (const name of this.#dirty) {
        const file = this.#progressFile(name);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.#progress.get(name)));
        fs.renameSync(`${file}.tmp`, file);
      }
      this.#dirty.clear();
    } catch (err) {
      safeLog(this.logger, 'error', { err, dir: this.dir }, 'runtrail: could not save spool progress');
    }
  }

  /**
   * Truncates the file when every transport delivered everything (and it is bigger than `minBytes`).
   * Returns true when it did; callers must then treat every position as reset to 0.
   */
  compact(minBytes = COMPACT_AT_BYTES): boolean {
    if (this.#size < minBytes || this.#pending.length > 0) return false;
    for (const p of this.#progress.values()) if (p.seq < this.#nextSeq) return false;
    try {
      // Truncate first: a crash between the two steps then replays nothing rather than everything.
      fs.ftruncateSync(this.#fd, 0);
      this.#size = 0;
      this.#nextSeq = 0;
      for (const name of this.#progress.keys()) {
        this.#progress.set(name, { seq: 0, offset: 0, doneAbove: [] });
        this.#dirty.add(name);
      }
      this.persist();
      return true;
    } catch (err) {
      safeLog(this.logger, 'error', { err, file: this.file }, 'runtrail: could not compact the spool');
      return false;
    }
  }

  /** Flushes, saves progress, truncates when fully delivered, releases the slot. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flushSync();
    if (this.#persistTimer) clearTimeout(this.#persistTimer);
    this.persist();
    this.compact(0);
    this.#closed = true;
    try {
      fs.closeSync(this.#fd);
      fs.rmSync(path.join(this.dir, 'lock'), { force: true });
    } catch {
      // Already gone.
    }
  }

  #progressFile(transport: string): string {
    return path.join(this.dir, `progress-${transport.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }
}
