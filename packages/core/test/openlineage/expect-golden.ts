// Golden-file assertion for wire formats: compares with golden/<name>; UPDATE_GOLDEN=1 rewrites the file.
import fs from 'node:fs';
import { expect } from 'vitest';

/** Asserts `value` deep-equals the JSON in `golden/<name>` (or rewrites it when UPDATE_GOLDEN=1). */
export function expectGolden(name: string, value: unknown): void {
  const file = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  expect(value).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Reads `golden/<name>` as JSON. */
export function readGolden<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8')) as T;
}
