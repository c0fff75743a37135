// The size cap: oversized events are cut below maxEventBytes, stay schema-valid, and never split a UTF-8 character.
import { describe, expect, it } from 'vitest';
import { assertValidOpenLineageEvent } from '../../../../test/helpers/openlineage-schema.js';
import { OpenLineageMapper } from '../../src/openlineage/mapper.js';
import { s3Dataset } from '../../src/openlineage/naming.js';
import { TRUNCATION_MARK, truncateUtf8, utf8Length } from '../../src/openlineage/truncate.js';
import type { OpenLineageErrorMessageRunFacet } from '../../src/openlineage/types.js';
import { activityComplete, activityFail, activityStart } from './fixtures.js';

const CAP = 64 * 1024;

function mapCapped(event: Parameters<OpenLineageMapper['map']>[0]) {
  const m = new OpenLineageMapper({ maxEventBytes: CAP });
  const ol = m.map(event);
  const json = m.serialize(ol);
  expect(Buffer.byteLength(json)).toBeLessThanOrEqual(CAP);
  expect(json).toBe(JSON.stringify(ol));
  assertValidOpenLineageEvent(ol);
  return { ol, mapper: m };
}

describe('truncateUtf8', () => {
  it('returns short strings unchanged', () => {
    expect(truncateUtf8('héllo', 100)).toBe('héllo');
  });

  it('cuts at a code point boundary, never inside a multi-byte character or surrogate pair', () => {
    const s = '€'.repeat(100) + '𝄞'.repeat(100);
    for (let max = 20; max < 700; max += 7) {
      const cut = truncateUtf8(s, max);
      expect(utf8Length(cut)).toBeLessThanOrEqual(max);
      expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
      expect(cut).not.toContain('\uFFFD');
      expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
    }
  });

  it('returns an empty string when not even the mark fits', () => {
    expect(truncateUtf8('x'.repeat(50), 3)).toBe('');
  });
});

describe('maxEventBytes', () => {
  it('truncates a huge multi-byte stack trace first and keeps the message', () => {
    const { ol, mapper } = mapCapped({
      ...activityFail,
      result: { status: 'failure', error: { message: 'boom', stack: `Error: boom\n${'    at fn (ü.ts:1:1) 𝄞\n'.repeat(20_000)}` } },
    });
    const error = ol.run.facets?.errorMessage as OpenLineageErrorMessageRunFacet;
    expect(error.message).toBe('boom');
    expect(error.stackTrace?.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(error.stackTrace).not.toContain('\uFFFD');
    expect(mapper.truncatedEvents).toBe(1);
  });

  it('shortens long property values and a long error message, down to 1 KiB for the message', () => {
    const { ol } = mapCapped({
      ...activityFail,
      properties: { args: 'a'.repeat(200_000), other: 'b'.repeat(50_000) },
      result: { status: 'failure', error: { message: 'm'.repeat(300_000) } },
    });
    const error = ol.run.facets?.errorMessage as OpenLineageErrorMessageRunFacet;
    expect(utf8Length(error.message)).toBeGreaterThanOrEqual(1024);
    expect(ol.run.facets?.parent).toBeDefined();
  });

  it('drops trailing datasets rather than breaking the event when thousands are declared', () => {
    const outputs = Array.from({ length: 5000 }, (_, i) => s3Dataset({ bucket: 'lake', key: `part-${i}-${'x'.repeat(40)}.parquet` }));
    const { ol } = mapCapped({ ...activityComplete, outputs });
    expect(ol.outputs!.length).toBeGreaterThan(0);
    expect(ol.outputs!.length).toBeLessThan(5000);
    expect(ol.inputs).toHaveLength(1);
  });

  it('keeps an event under the cap unchanged', () => {
    const m = new OpenLineageMapper({ maxEventBytes: CAP });
    const ol = m.map(activityStart);
    expect(m.truncatedEvents).toBe(0);
    expect(ol).toEqual(new OpenLineageMapper().map(activityStart));
  });

  it('cuts error messages and stack traces to their own byte limits, UTF-8-safely, within any event', () => {
    const m = new OpenLineageMapper({ maxErrorMessageBytes: 100, maxStackTraceBytes: 200 });
    const ol = m.map({ ...activityFail, result: { status: 'failure', error: { message: 'é'.repeat(500), stack: '𝄞'.repeat(500) } } });
    assertValidOpenLineageEvent(ol);
    const error = ol.run.facets?.errorMessage as OpenLineageErrorMessageRunFacet;
    expect(utf8Length(error.message)).toBeLessThanOrEqual(100);
    expect(utf8Length(error.stackTrace!)).toBeLessThanOrEqual(200);
    expect(`${error.message}${error.stackTrace}`).not.toContain('\uFFFD');
    expect(m.truncatedEvents).toBe(0);
  });

  it('defaults to 1 MiB', () => {
    expect(new OpenLineageMapper().maxEventBytes).toBe(1024 * 1024);
  });
});
