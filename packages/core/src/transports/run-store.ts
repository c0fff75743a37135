// The embedded default store: neutral run events as JSON lines in a local file (`.runtrail/runs.jsonl`), what the
// `runtrail` command reads. Several processes may append at once: the file is opened with O_APPEND and each batch
// is one write of whole lines, so lines from different writers never interleave. The engine writes to it directly,
// once per event-loop turn (`writeNow`), as cheaply as the spool and as soon: the spool keeps no copy for it.
import fs from 'node:fs';
import path from 'node:path';
import { DeliveryError } from '../errors.js';
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';

/** Options of `RunStoreTransport`. */
export interface RunStoreTransportOptions {
  /** The JSONL file; its directory is created when missing. */
  path: string;
  /** Transport name in stats, logs and spool progress. Default `store`. */
  name?: string;
  /** Lines per write. Default 1000. */
  maxBatchSize?: number;
}

/** Default store location under a working directory (`RUNTRAIL_STORE` overrides it). */
export function defaultStorePath(cwd: string = process.cwd()): string {
  return path.join(cwd, '.runtrail', 'runs.jsonl');
}

const NEWLINE = 0x0a;

/** Whole lines as one buffer: one write, each line with its newline. */
function linesOf(lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Appends neutral events, one JSON object per line, to a local file. */
export class RunStoreTransport implements Transport<string> {
  readonly name: string;
  readonly maxBatchSize: number;
  /** One write per batch; Linux keeps appends of this size whole. */
  readonly maxBatchBytes = 4 * 1024 * 1024;
  /** A line is the event's JSON text: the engine writes events it has only as JSON without building them. */
  readonly jsonLines = true;
  readonly path: string;
  #handle: Promise<fs.promises.FileHandle> | undefined;
  /** The descriptor `writeNow` appends with (opened on first use, dropped after a failure). */
  #fd: number | undefined;
  /** `writeNow`'s buffer, grown to the largest write so far (at most `maxBatchBytes`, or one longer line). */
  #buffer = Buffer.alloc(0);

  constructor(options: RunStoreTransportOptions) {
    this.path = path.resolve(options.path);
    this.name = options.name ?? 'store';
    this.maxBatchSize = options.maxBatchSize ?? 1000;
  }

  /** One JSON line per event, without its newline (added once per batch: one copy less per event). */
  map(event: RunEvent): string[] {
    return [JSON.stringify(event)];
  }

  /** The line is the event's JSON text, which the engine has when a spool is on. */
  mapJson(_event: RunEvent, json: string): string[] {
    return [json];
  }

  sizeOf(line: string): number {
    return Buffer.byteLength(line) + 1;
  }

  async send(batch: string[]): Promise<void> {
    try {
      this.#handle ??= fs.promises.mkdir(path.dirname(this.path), { recursive: true }).then(() => fs.promises.open(this.path, 'a'));
      const handle = await this.#handle;
      const buf = linesOf(batch);
      let written = 0;
      while (written < buf.length) written += (await handle.write(buf, written)).bytesWritten;
    } catch (err) {
      this.#handle = undefined;
      throw this.#appendFailed(err);
    }
  }

  /**
   * Appends `lines` now, synchronously, in writes of whole lines of at most `maxBatchBytes` each (one write each, so
   * that lines of other writers never land inside them; sized by the UTF-8 bound of 3 bytes per UTF-16 unit, which
   * needs no measuring).
   * @throws DeliveryError (retryable) when the file cannot be written
   */
  writeNow(lines: string[]): void {
    try {
      if (this.#fd === undefined) {
        fs.mkdirSync(path.dirname(this.path), { recursive: true });
        this.#fd = fs.openSync(this.path, 'a');
      }
      let from = 0;
      while (from < lines.length) {
        let to = from;
        let bound = 0;
        while (to < lines.length && (to === from || bound + (lines[to] as string).length * 3 + 1 <= this.maxBatchBytes))
          bound += (lines[to++] as string).length * 3 + 1;
        // Encoded line by line into one buffer kept for the next write: no joined copy of the lines, and no new
        // buffer of up to 4 MiB per write (outside the heap, which makes the collector run more often).
        if (this.#buffer.length < bound)
          this.#buffer = Buffer.allocUnsafe(Math.max(bound, Math.min(this.#buffer.length * 2, this.maxBatchBytes)));
        const buf = this.#buffer;
        let end = 0;
        for (let i = from; i < to; i++) {
          end += buf.write(lines[i] as string, end);
          buf[end++] = NEWLINE;
        }
        let written = 0;
        while (written < end) written += fs.writeSync(this.#fd, buf, written, end - written);
        from = to;
      }
    } catch (err) {
      const fd = this.#fd;
      this.#fd = undefined;
      if (fd !== undefined) fs.close(fd, () => {});
      throw this.#appendFailed(err);
    }
  }

  /** A failed append, as the engine retries it (the file may be writable again later). */
  #appendFailed(err: unknown): DeliveryError {
    return new DeliveryError('RUNTRAIL_NETWORK', `could not append to ${this.path}: ${(err as Error).message}`, {
      retryable: true,
      cause: err,
    });
  }

  async close(): Promise<void> {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
    const handle = this.#handle;
    this.#handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}

/** Reads a store file back (skipping a partial last line and unreadable lines). */
export function readRunStore(file: string): RunEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const events: RunEvent[] = [];
  const end = text.lastIndexOf('\n');
  for (const line of text.slice(0, end + 1).split('\n')) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      // A line cut by a crash elsewhere; the store stays readable.
    }
  }
  return events;
}
