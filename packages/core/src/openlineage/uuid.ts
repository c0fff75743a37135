// Deterministic UUIDv7 run ids, byte-compatible with the OpenLineage Python client's `generate_static_uuid`
// (OpenLineage/OpenLineage@8f02abf:client/python/src/openlineage/client/uuid.py; vectors in
// reference/openlineage.md §3.2). Uses node:crypto, so it runs worker-side only, never in the workflow sandbox.
import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a hyphenated UUID of any version (what the OpenLineage schema's `format: uuid` accepts). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/**
 * Python's `datetime.isoformat()` of a UTC instant: `2026-08-20T12:00:00+00:00`, with `.ffffff` microseconds
 * only when they are non-zero. The SHA-1 input starts with this string, so it must match byte for byte.
 */
export function pythonUtcIsoFormat(epochMillis: number): string {
  const iso = new Date(epochMillis).toISOString(); // 2026-08-20T12:00:00.123Z
  const seconds = iso.slice(0, 19);
  const millis = Number(iso.slice(20, 23));
  return millis === 0 ? `${seconds}+00:00` : `${seconds}.${String(millis * 1000).padStart(6, '0')}+00:00`;
}

/**
 * Python computes the millisecond timestamp as `int(instant.timestamp() * 1000)`, i.e. through a float:
 * `timestamp()` = exact microseconds / 1e6 (correctly rounded), then × 1000 and truncated. Doubles give the
 * same roundings in JS, so this reproduces the rare off-by-one millisecond Python produces.
 */
function pythonTimestampMillis(epochMillis: number): bigint {
  return BigInt(Math.trunc(((epochMillis * 1000) / 1e6) * 1000));
}

/**
 * A deterministic UUIDv7: 48-bit Unix milliseconds of `instant`, then the first 76 bits of
 * SHA-1(pythonIsoFormat(instant) + data), with version 7 and the RFC 9562 variant set. Identical to the
 * Python client's `generate_static_uuid(instant, data.encode('utf-8'))`, so every process that sees the same
 * execution derives the same run id. Returns the lower-case hyphenated form.
 *
 * @param instant epoch milliseconds or a Date (sub-millisecond precision is not representable and not used)
 * @param data any string, hashed as UTF-8
 */
export function staticUuidV7(instant: number | Date, data: string): string {
  const millis = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(millis)) throw new RangeError(`staticUuidV7: invalid instant ${String(instant)}`);
  const digest = createHash('sha1').update(pythonUtcIsoFormat(millis), 'utf8').update(data, 'utf8').digest();
  // node = the first 76 bits of the 160-bit digest (`int(digest) >> 84`).
  const node = BigInt(`0x${digest.toString('hex')}`) >> 84n;
  let u = ((pythonTimestampMillis(millis) & 0xffffffffffffn) << 80n) | (node & 0xffffffffffffffffffffn);
  u &= ~(0xf000n << 64n);
  u |= 7n << 76n;
  u &= ~(0xc000n << 48n);
  u |= 0x8000n << 48n;
  const hex = u.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
