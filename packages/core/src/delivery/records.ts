// Compact records: how an adapter's hot path hands events over more cheaply than as objects (DESIGN.md §2,
// "the host never pays"). The adapter hands over the fields of one event; they travel as a short line of
// tab-separated text, which the delivery thread's ring writes straight from the fields (record-ring.ts: no string
// is built in the host); a decoder, an ordinary module of the adapter's, turns the fields back into a RunEvent where
// delivery runs — on the delivery thread (which imports it by URL), or in the host when the sink has no thread. One
// builder of events either way.
import type { RunEvent } from '../model/run-event.js';
import type { RunEventSink } from '../sink.js';

/**
 * Turns the fields of one record back into the event it stands for, or the events, in order (an adapter may merge
 * two events into one record: a short attempt's start and end); `undefined`: nothing to emit.
 */
export type RecordDecoder = (fields: string[]) => RunEvent | readonly RunEvent[] | undefined;

/** Passes each event of a decoded record to `fn`, in order. */
export function eachEvent(decoded: RunEvent | readonly RunEvent[] | undefined, fn: (event: RunEvent) => void): void {
  if (decoded === undefined) return;
  if (Array.isArray(decoded)) for (const event of decoded as readonly RunEvent[]) fn(event);
  else fn(decoded as RunEvent);
}

/**
 * One event of a record as JSON text, with what the emitter reads of it to accept it: enough to write it to the
 * local store without building the event (the delivery thread's hot path).
 */
export interface EncodedEvent {
  readonly kind: RunEvent['kind'];
  /** `attemptKey(event)`. */
  readonly attempt: string;
  /** `event.time`, epoch ms. */
  readonly time: number;
  /** `JSON.stringify(event)`, byte for byte (tests hold every encoder to that). */
  readonly json: string;
}

/**
 * The events a decoder would return for the same fields, in order, as JSON text; `undefined` when this record must be
 * decoded instead (an encoder may cover only the common records).
 */
export type RecordEncoder = (fields: string[]) => readonly EncodedEvent[] | undefined;

/**
 * A compact encoding of one adapter's events. `url` names an ES module that exports the same `createDecoder` (and
 * `createEncoder`, when the codec has one), so a delivery thread can load it; `context` is plain data
 * (structured-cloneable) shared by every record of a channel.
 */
export interface RecordCodec<C> {
  /** `import.meta.url`-style URL of a module exporting `createDecoder(context)`. */
  readonly url: string;
  createDecoder(context: C): RecordDecoder;
  /**
   * Optional: the decoder's events straight as JSON text. The delivery thread then writes the local store with no
   * event object built (one is built from the decoder only where something needs it: a listener, another backend).
   */
  createEncoder?(context: C): RecordEncoder;
}

/**
 * One field of a compact record: text, a number (travels as `String(n)`), or empty (`undefined`; decoders see `''`).
 */
export type RecordField = string | number | undefined;

/**
 * Writes one channel's records. An object with a method rather than a function: `write` is then one function for
 * every channel, so an adapter's hot path calls one target whatever channel it writes to. A closure per channel is
 * a new call target for each: V8 threw optimized code specialized on one away ("wrong call target") and compiled it
 * again when another came — in a process that instruments Worker after Worker, again and again (`--trace-opt`,
 * bench/README.md, "Where the cost is").
 */
export interface RecordWriter {
  /**
   * Writes one record from its fields, at once (the array is not kept: an adapter may reuse it). Never throws.
   * Decoders get each field back as text: `String(n)` for a number, `''` for `undefined`.
   * @param length how many of `fields`, from the first, make the record (default: all): an adapter that fills a
   *   large array again and again need not shorten it, which makes V8 trim its store and grow it again
   */
  write(fields: readonly RecordField[], length?: number): void;
}

/** A sink that takes compact records itself (the threaded emitter). */
export interface RecordSink {
  /**
   * Opens a channel of `codec` records sharing `context`.
   * @param onFlush called at the start of every `flush` and `close` of the sink and at process exit, before the sink
   *   takes what was written: an adapter that holds a record back for a moment (to merge it with the next) writes it
   *   then, so that a flush still covers everything that happened before it
   */
  openRecords<C>(codec: RecordCodec<C>, context: C, onFlush?: () => void): RecordWriter;
}

/** A sink that also takes events as JSON text (the emitter: the delivery thread hands it encoded records). */
export interface EncodedSink {
  /**
   * Takes one event as JSON text, as `enqueue` takes it as an object.
   * @param build makes the event object, called at most once and only when something needs it
   */
  enqueueEncoded(encoded: EncodedEvent, build: () => RunEvent): void;
}

/** True when `sink` takes events as JSON text (`EncodedSink`). */
export function takesEncoded(sink: RunEventSink): sink is RunEventSink & EncodedSink {
  return typeof (sink as Partial<EncodedSink>).enqueueEncoded === 'function';
}

/** True when `sink` takes compact records itself (and calls a channel's `onFlush`). */
export function takesRecords(sink: RunEventSink): sink is RunEventSink & RecordSink {
  return typeof (sink as Partial<RecordSink>).openRecords === 'function';
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

/**
 * The text of a record: its fields as text, escaped, joined by tabs (the line `splitRecord` takes apart).
 * @param length how many of `fields` make the record (default: all)
 */
export function recordText(fields: readonly RecordField[], length: number = fields.length): string {
  let text = '';
  for (let i = 0; i < length; i++) text += (i === 0 ? '' : '\t') + escapeField(fieldText(fields[i]));
  return text;
}

/** The first `length` of `fields` as their decoder gets them (`fieldText`). */
export function fieldTexts(fields: readonly RecordField[], length: number = fields.length): string[] {
  const texts = new Array<string>(length);
  for (let i = 0; i < length; i++) texts[i] = fieldText(fields[i]);
  return texts;
}

/** The fields of a record, unescaped. */
export function splitRecord(record: string): string[] {
  const fields = record.split('\t');
  // One scan of the whole line rather than one per field: most records have no escape at all.
  if (!record.includes('\\')) return fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f.includes('\\')) fields[i] = f.replace(/\\(.)/g, (_, c: string) => UNESCAPES[c] ?? c);
  }
  return fields;
}

/**
 * Hands the events of one record's fields to `sink`: as JSON text when `encode` covers the record and the sink takes
 * that (`EncodedSink`: the store is then written with no event built; each event can still be built from the same
 * fields, once, if something needs it), otherwise decoded.
 * @throws what the codec throws (the caller drops the record)
 */
export function enqueueRecord(sink: RunEventSink, decode: RecordDecoder, encode: RecordEncoder | undefined, fields: string[]): void {
  const encoded = encode && takesEncoded(sink) ? encode(fields) : undefined;
  if (encoded === undefined) {
    eachEvent(decode(fields), (event) => sink.enqueue(event));
    return;
  }
  const encodedSink = sink as RunEventSink & EncodedSink;
  let decoded: readonly RunEvent[] | undefined;
  const build = (i: number): RunEvent => {
    if (decoded === undefined) {
      const d = decode(fields);
      decoded = d === undefined ? [] : Array.isArray(d) ? (d as readonly RunEvent[]) : [d as RunEvent];
    }
    const event = decoded[i];
    if (event === undefined) throw new Error('a record codec encoded an event its decoder does not return');
    return event;
  };
  for (let i = 0; i < encoded.length; i++) encodedSink.enqueueEncoded(encoded[i] as EncodedEvent, () => build(i));
}

/**
 * A writer of `codec` records into `sink`: the sink's own when it takes records (delivery thread), otherwise one
 * that decodes each record at once and enqueues its events.
 * @param onError called with a decoder's error (the record is then dropped)
 * @param onFlush passed to the sink's `openRecords` (see there); a sink that does not take records never calls it,
 *   so an adapter holds records back only when `takesRecords(sink)`
 */
export function recordWriter<C>(
  sink: RunEventSink,
  codec: RecordCodec<C>,
  context: C,
  onError: (err: unknown) => void,
  onFlush?: () => void,
): RecordWriter {
  if (takesRecords(sink)) return sink.openRecords(codec, context, onFlush);
  return new DecodingWriter(sink, codec.createDecoder(context), codec.createEncoder?.(context), onError);
}

/** A channel's writer for a sink that does not take records: each record's events enqueued at once. */
class DecodingWriter implements RecordWriter {
  readonly #sink: RunEventSink;
  readonly #decode: RecordDecoder;
  readonly #encode: RecordEncoder | undefined;
  readonly #onError: (err: unknown) => void;

  constructor(sink: RunEventSink, decode: RecordDecoder, encode: RecordEncoder | undefined, onError: (err: unknown) => void) {
    this.#sink = sink;
    this.#decode = decode;
    this.#encode = encode;
    this.#onError = onError;
  }

  write(fields: readonly RecordField[], length?: number): void {
    try {
      enqueueRecord(this.#sink, this.#decode, this.#encode, fieldTexts(fields, length));
    } catch (err) {
      this.#onError(err);
    }
  }
}

/** A writer that discards every record, undecoded (the disabled emitter's channels). */
export const DISCARDING_WRITER: RecordWriter = Object.freeze({ write() {} });
