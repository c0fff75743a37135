// The dead-letter file: events a backend refused for good (4xx), one JSON line each with the server's answer,
// so nothing is lost silently and users can fix and replay them (`runtrail send`).
import fs from 'node:fs';
import path from 'node:path';
import type { RunEvent } from '../model/run-event.js';
import { safeLog } from './logger.js';
import { redact } from './redact.js';
import type { Logger } from './types.js';

/** One dead-lettered event. */
export interface DeadLetter {
  /** Epoch ms when it was refused. */
  time: number;
  transport: string;
  /** HTTP status, when there was one. */
  status?: number;
  /** The error with the server's message, credentials redacted. */
  error: string;
  event: RunEvent;
}

/** Appends dead letters to a JSONL file (created with its directory on first use). */
export class DeadLetterFile {
  #dirReady = false;
  constructor(
    readonly file: string,
    readonly logger: Logger,
    readonly secrets: readonly string[] = [],
  ) {}

  write(letter: Omit<DeadLetter, 'error'> & { error: string }): void {
    try {
      if (!this.#dirReady) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.#dirReady = true;
      }
      const line = JSON.stringify({ ...letter, error: redact(letter.error, this.secrets) });
      fs.appendFileSync(this.file, `${line}\n`);
    } catch (err) {
      safeLog(this.logger, 'error', { err, file: this.file }, 'runtrail: could not write the dead-letter file');
    }
  }
}
