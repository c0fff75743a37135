// JSON exactly as Python's `json.dumps` writes it with `ensure_ascii=True` (DataHub's SDK: reference/datahub.md
// §1 and §4.1): every code unit ≥ 0x7F as a lower-case `\uXXXX` escape (astral characters as their UTF-16
// surrogate pair, which is what JS strings hold), either compact (`,` `:`) or with Python's default `, ` `: `.

// JSON.stringify already writes the short escapes and lower-case `\u00XX` for other control characters that
// Python writes; only DEL and non-ASCII differ (reference/datahub.md §1, "Pitfall for TypeScript").
const NON_ASCII = /[\u007f-\uffff]/g;

/** A JSON string literal as Python's `json.dumps(s)` (ensure_ascii) writes it. */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Separators: `default` is Python's `(', ', ': ')`, `compact` is `(',', ':')`. */
export type PythonJsonStyle = 'default' | 'compact';

/**
 * Serializes `value` like Python's `json.dumps(value, ensure_ascii=True)` with the given separators. Keys keep
 * insertion order unless `sortKeys`; `undefined` members are left out (DataHub's `pre_json_transform` drops nulls
 * before dumping, so callers never pass `null` for an absent field).
 */
export function pythonJson(value: unknown, style: PythonJsonStyle = 'default', sortKeys = false): string {
  const item = style === 'default' ? ', ' : ',';
  const colon = style === 'default' ? ': ' : ':';
  const write = (v: unknown): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return pythonJsonString(v);
      case 'number':
        if (!Number.isFinite(v)) throw new TypeError(`cannot serialize ${v} as JSON`);
        return String(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object': {
        if (Array.isArray(v)) return `[${v.map(write).join(item)}]`;
        let keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
        if (sortKeys) keys = keys.sort(compareCodePoints);
        return `{${keys.map((k) => `${pythonJsonString(k)}${colon}${write((v as Record<string, unknown>)[k])}`).join(item)}}`;
      }
      default:
        throw new TypeError(`cannot serialize a ${typeof v} as JSON`);
    }
  };
  return write(value);
}

// Python sorts str keys by code point; JS `<` on strings compares UTF-16 code units, which differs only for
// astral vs. high-BMP characters. Compare by code point to match.
function compareCodePoints(a: string, b: string): number {
  const ai = [...a];
  const bi = [...b];
  for (let i = 0; i < Math.min(ai.length, bi.length); i++) {
    const d = (ai[i] as string).codePointAt(0)! - (bi[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ai.length - bi.length;
}
