// `runtrail tail`: follows the store and prints each new event as one line, like `tail -f`: works before the
// file exists, across partial lines and when the file is truncated.
import fs from 'node:fs';
import type { RunEvent } from '@runtrail/core';
import { type Colour, formatDuration, statusColour } from './format.js';

/** One event as a line of text. */
export function formatEvent(e: RunEvent, paint: (c: Colour, t: string) => string): string {
  const when = new Date(e.time).toISOString().slice(11, 23);
  const what = e.instance.job ? `${e.instance.flow} › ${e.instance.job}` : e.instance.flow;
  const status = e.kind === 'end' ? (e.result?.status ?? 'end') : e.kind;
  const duration = e.kind === 'end' && e.startTime !== undefined ? ` ${formatDuration(e.time - e.startTime)}` : '';
  const progress = e.progress?.current !== undefined ? ` ${e.progress.current}${e.progress.total ? `/${e.progress.total}` : ''}` : '';
  return `${paint('gray', when)} ${paint(statusColour(status), status.padEnd(9))} ${what} #${e.attempt} ${paint('gray', e.instance.id)}${duration}${progress}`;
}

/** Follows `file`, calling `onEvent` for each complete new line; returns a stop function. */
export function followStore(
  file: string,
  onEvent: (e: RunEvent) => void,
  options: { fromStart?: boolean; intervalMillis?: number } = {},
): () => void {
  let offset = options.fromStart ? 0 : fs.existsSync(file) ? fs.statSync(file).size : 0;
  let carry = '';
  const read = () => {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return; // not created yet
    }
    if (size < offset) {
      offset = 0; // truncated or replaced
      carry = '';
    }
    if (size === offset) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const text = carry + buf.toString('utf8');
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          onEvent(JSON.parse(line) as RunEvent);
        } catch {
          // an unreadable line is skipped
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  read();
  const timer = setInterval(read, options.intervalMillis ?? 250);
  return () => {
    clearInterval(timer);
    read();
  };
}
