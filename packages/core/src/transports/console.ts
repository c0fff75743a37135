// Neutral events to a stream, one JSON line each: for debugging and for piping into other tools.
import type { RunEvent } from '../model/run-event.js';
import type { Transport } from '../transport.js';

/** Writes each event as one JSON line to `stream` (default stdout). */
export class ConsoleTransport implements Transport<string> {
  readonly name: string;
  readonly maxBatchSize = 500;
  readonly maxBatchBytes = 4 * 1024 * 1024;

  constructor(
    readonly stream: NodeJS.WritableStream = process.stdout,
    name = 'console',
  ) {
    this.name = name;
  }

  map(event: RunEvent): string[] {
    return [`${JSON.stringify(event)}\n`];
  }

  mapJson(_event: RunEvent, json: string): string[] {
    return [`${json}\n`];
  }

  sizeOf(line: string): number {
    return line.length;
  }

  async send(batch: string[]): Promise<void> {
    this.stream.write(batch.join(''));
  }
}
