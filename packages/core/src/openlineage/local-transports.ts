// OpenLineage events as JSON lines on a stream (console) or appended to a file (JSONL), like the official
// `console` and `file` (append: true) transports (reference/openlineage.md §4.5). Handy for debugging and for
// feeding another tool; the runtrail JSONL of neutral events is the delivery helper's, not this.
import { appendFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConfigError, DeliveryError } from '../errors.js';
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';
import { OpenLineageMapper, type OpenLineageMapperOptions } from './mapper.js';
import type { OpenLineageRunEvent } from './types.js';

/** Options of `OpenLineageConsoleTransport`. */
export interface OpenLineageConsoleTransportOptions extends OpenLineageMapperOptions {
  /** Where lines go. Default `process.stdout`. */
  stream?: Writable;
  /** Transport name. Default `openlineage-console`. */
  name?: string;
}

/** Options of `OpenLineageFileTransport`. */
export interface OpenLineageFileTransportOptions extends OpenLineageMapperOptions {
  /** File that receives one event per line (created if missing, always appended to). Required. */
  filePath: string;
  /** Transport name. Default `openlineage-file`. */
  name?: string;
}

abstract class OpenLineageLineTransport implements Transport<OpenLineageRunEvent> {
  abstract readonly name: string;
  readonly maxBatchSize = 500;
  readonly maxBatchBytes = 8 * 1024 * 1024;
  /** The mapper in use. */
  readonly mapper: OpenLineageMapper;

  constructor(options: OpenLineageMapperOptions) {
    this.mapper = new OpenLineageMapper(options);
  }

  map(event: RunEvent): OpenLineageRunEvent[] {
    return [this.mapper.map(event)];
  }

  sizeOf(item: OpenLineageRunEvent): number {
    return Buffer.byteLength(this.mapper.serialize(item), 'utf8') + 1;
  }

  protected lines(batch: OpenLineageRunEvent[]): string {
    return batch.map((e) => `${this.mapper.serialize(e)}\n`).join('');
  }

  abstract send(batch: OpenLineageRunEvent[]): Promise<void>;
}

/** Writes each event as one JSON line to a stream (default stdout). */
export class OpenLineageConsoleTransport extends OpenLineageLineTransport {
  readonly name: string;
  readonly #stream: Writable;

  constructor(options: OpenLineageConsoleTransportOptions = {}) {
    super(options);
    this.name = options.name ?? 'openlineage-console';
    this.#stream = options.stream ?? process.stdout;
  }

  async send(batch: OpenLineageRunEvent[]): Promise<void> {
    const text = this.lines(batch);
    await new Promise<void>((resolve, reject) =>
      this.#stream.write(text, (err) =>
        err
          ? reject(
              new DeliveryError('RUNTRAIL_NETWORK', `writing to the console stream failed: ${err.message}`, {
                retryable: true,
                cause: err,
              }),
            )
          : resolve(),
      ),
    );
  }
}

/** Appends each event as one JSON line to a file. */
export class OpenLineageFileTransport extends OpenLineageLineTransport {
  readonly name: string;
  /** The JSONL file. */
  readonly filePath: string;

  constructor(options: OpenLineageFileTransportOptions) {
    super(options);
    this.name = options.name ?? 'openlineage-file';
    if (typeof options.filePath !== 'string' || options.filePath === '') throw new ConfigError('OpenLineageFileTransport needs a filePath');
    this.filePath = options.filePath;
  }

  async send(batch: OpenLineageRunEvent[]): Promise<void> {
    try {
      await appendFile(this.filePath, this.lines(batch), 'utf8');
    } catch (err) {
      // A full or unwritable disk may recover: retryable, like a network error.
      throw new DeliveryError('RUNTRAIL_NETWORK', `appending to ${this.filePath} failed: ${(err as Error).message}`, {
        retryable: true,
        cause: err,
      });
    }
  }
}
