// UTF-8-safe truncation for strings that go on the wire with a byte budget (error messages, stack traces,
// tags): never cuts a code point (or a surrogate pair) in half, so the JSON stays valid UTF-8.

/** Marker appended to a truncated string. */
export const TRUNCATION_MARK = '…[truncated]';

/** UTF-8 byte length of a string. */
export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/**
 * `value` cut to at most `maxBytes` UTF-8 bytes including `TRUNCATION_MARK`, at a code point boundary.
 * Returns `value` unchanged when it fits; returns '' when even the mark does not fit.
 */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (utf8Length(value) <= maxBytes) return value;
  const budget = maxBytes - utf8Length(TRUNCATION_MARK);
  if (budget <= 0) return '';
  const bytes = Buffer.from(value, 'utf8');
  let end = budget;
  // Back up over continuation bytes (10xxxxxx) so the cut lands before a code point's lead byte.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}${TRUNCATION_MARK}`;
}
