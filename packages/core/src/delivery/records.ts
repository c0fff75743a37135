// Compact records: how an adapter's hot path hands events over more cheaply than as objects (DESIGN.md §2,
// "the host never pays"). The adapter hands over the fields of one event; they travel as a short line of
// tab-separated text, which the delivery thread's ring writes straight from the fields (record-ring.ts: no string
// is built in the host); a decoder, an ordinary module of the adapter's, turns the fields back into a RunEvent where
// delivery runs — on the delivery thread (which imports it by URL), or in the host when the sink has no thread. One
// builder of events either way.
import type { RunEvent } from '../model/run-event.js';
import type { RunEventSink } from '../sink.js';

/** Turns the fields of one record back into the event it stands for (`undefined`: nothing to emit). */
export type RecordDecoder = (fields: string[]) => RunEvent | undefined;

/**
 * A compact encoding of one adapter's events. `url` names an ES module that exports the same `createDecoder`, so a
 * delivery thread can load it; `context` is plain data (structured-cloneable) shared by every record of a channel.
 */
export interface RecordCodec<C> {
  /** `import.meta.url`-style URL of a module exporting `createDecoder(context)`. */
  readonly url: string;
  createDecoder(context: C): RecordDecoder;
}

/**
 * One field of a compact record: text, a number (travels as `String(n)`), or empty (`undefined`; decoders see `''`).
 */
export type RecordField = string | number | undefined;

/**
 * Writes one record from its fields, at once (the array is not kept: an adapter may reuse it). Never throws.
 * Decoders get each field back as text: `String(n)` for a number, `''` for `undefined`.
 */
export type RecordWriter = (fields: readonly RecordField[]) => void;

/** A sink that takes compact records itself (the threaded emitter). */
export interface RecordSink {
  openRecords<C>(codec: RecordCodec<C>, context: C): RecordWriter;
}

const SPECIAL = /[\t\n\\\0]/;
const ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\\': '\\\\', '\0': '\\0' };
const UNESCAPES: Record<string, string> = { t: '\t', n: '\n', '\\': '\\', '0': '\0' };

/** A field as it goes into a record: tab, newline, backslash and NUL escaped (most fields have none: no copy). */
export function escapeField(value: string): string {
  return SPECIAL.test(value) ? value.replace(/[\t\n\\\0]/g, (c) => ESCAPES[c] as string) : value;
}

/** A field as its decoder gets it back (unescaped text). */
export function fieldText(field: RecordField): string {
  return field === undefined ? '' : typeof field === 'string' ? field : String(field);
}

/** The text of a record: its fields as text, escaped, joined by tabs (the line `splitRecord` takes apart). */
export function recordText(fields: readonly RecordField[]): string {
  let text = '';
  for (let i = 0; i < fields.length; i++) text += (i === 0 ? '' : '\t') + escapeField(fieldText(fields[i]));
  return text;
}

/** The fields of a record, unescaped. */
export function splitRecord(record: string): string[] {
  const fields = record.split('\t');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f.includes('\\')) fields[i] = f.replace(/\\(.)/g, (_, c: string) => UNESCAPES[c] ?? c);
  }
  return fields;
}

/**
 * A writer of `codec` records into `sink`: the sink's own when it takes records (delivery thread), otherwise one
 * that decodes each record at once and enqueues the event.
 * @param onError called with a decoder's error (the record is then dropped)
 */
export function recordWriter<C>(sink: RunEventSink, codec: RecordCodec<C>, context: C, onError: (err: unknown) => void): RecordWriter {
  const own = (sink as Partial<RecordSink>).openRecords;
  if (typeof own === 'function') return own.call(sink, codec, context);
  const decode = codec.createDecoder(context);
  return (fields) => {
    try {
      const event = decode(fields.map(fieldText));
      if (event) sink.enqueue(event);
    } catch (err) {
      onError(err);
    }
  };
}
