// @ts-check
// What every bench's results file starts with, and where it goes (`bench/results/<name>.json`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/**
 * The run's when and where — date, Node version, CPU count — then a round's jobs and the rounds.
 * @param {number} jobsPerRound
 * @param {number} rounds
 */
export function resultHead(jobsPerRound, rounds) {
  return { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, jobsPerRound, rounds };
}

/**
 * Writes `result` as `bench/results/<name>.json`.
 * @param {string} name
 * @param {unknown} result
 */
export function writeResult(name, result) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
