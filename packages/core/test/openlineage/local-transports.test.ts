// OpenLineage JSONL on a stream (console) and in a file: one valid event per line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { assertValidOpenLineageEvent } from '../../../../test/helpers/openlineage-schema.js';
import { ConfigError, isDeliveryError } from '../../src/errors.js';
import { OpenLineageConsoleTransport, OpenLineageFileTransport } from '../../src/openlineage/local-transports.js';
import { activityComplete, activityStart } from './fixtures.js';

describe('OpenLineageConsoleTransport', () => {
  it('writes one JSON line per event to its stream', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    const t = new OpenLineageConsoleTransport({ stream });
    await t.send([...t.map(activityStart), ...t.map(activityComplete)]);
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { eventType: string }).eventType)).toEqual(['START', 'COMPLETE']);
    for (const l of lines) assertValidOpenLineageEvent(JSON.parse(l));
  });
});

describe('OpenLineageFileTransport', () => {
  it('appends JSON lines to the file across sends', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtrail-ol-file-'));
    try {
      const filePath = path.join(dir, 'lineage.jsonl');
      const t = new OpenLineageFileTransport({ filePath });
      await t.send(t.map(activityStart));
      await t.send(t.map(activityComplete));
      const lines = fs.readFileSync(filePath, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      for (const l of lines) assertValidOpenLineageEvent(JSON.parse(l));
      expect(t.sizeOf(t.map(activityStart)[0]!)).toBe(Buffer.byteLength(lines[0]!) + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unwritable path as a retryable DeliveryError and a missing path as ConfigError', async () => {
    const t = new OpenLineageFileTransport({ filePath: path.join(os.tmpdir(), 'no-such-dir-runtrail', 'x', 'l.jsonl') });
    const err = await t.send(t.map(activityStart)).catch((e: unknown) => e);
    expect(isDeliveryError(err) && err.retryable).toBe(true);
    expect(() => new OpenLineageFileTransport({ filePath: '' })).toThrow(ConfigError);
  });
});
