// Memories that must not grow with the number of runs a long-lived process has seen (dedup keys, caches).
// Two generations instead of "delete the oldest": V8's ordered hash tables keep deleted slots until they
// rehash, so `keys().next()` after many front deletions scans every hole — a set evicting one key per add
// measured 0.3 µs per add until full, then 20–80 µs (quadratic). Here nothing is ever iterated: when the
// current generation is full it becomes the old one and the previous old one is dropped whole.

/** A set of strings that remembers at least its `max` most recently added members and at most `2 × max`. */
export class BoundedSet {
  #current = new Set<string>();
  #old = new Set<string>();

  /** @param max members per generation (≥ 1) */
  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`BoundedSet max must be ≥ 1, got ${max}`);
  }

  has(key: string): boolean {
    return this.#current.has(key) || this.#old.has(key);
  }

  add(key: string): void {
    if (this.#current.has(key)) return;
    this.#current.add(key);
    if (this.#current.size >= this.max) {
      this.#old = this.#current;
      this.#current = new Set();
    }
  }

  /** Members remembered now (between `max` and `2 × max` once full). */
  get size(): number {
    return this.#current.size + this.#old.size;
  }
}

/**
 * A map that keeps at least its `max` most recently set or read entries and at most `2 × max`. Reading an entry
 * of the old generation moves it to the current one, so entries in use are never forgotten. Values cannot be
 * `undefined` (a hit costs one lookup that way).
 */
export class BoundedMap<K, V extends NonNullable<unknown> | null> {
  #current = new Map<K, V>();
  #old = new Map<K, V>();

  /** @param max entries per generation (≥ 1) */
  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`BoundedMap max must be ≥ 1, got ${max}`);
  }

  has(key: K): boolean {
    return this.#current.has(key) || this.#old.has(key);
  }

  get(key: K): V | undefined {
    const value = this.#current.get(key);
    if (value !== undefined) return value;
    const old = this.#old.get(key);
    if (old === undefined) return undefined;
    this.#old.delete(key);
    this.#put(key, old);
    return old;
  }

  /** Sets `key` in the current generation (which shadows any older copy until that generation is dropped). */
  set(key: K, value: V): this {
    this.#put(key, value);
    return this;
  }

  delete(key: K): boolean {
    const a = this.#current.delete(key);
    const b = this.#old.delete(key);
    return a || b;
  }

  /** Entries remembered now, counting a key set again after its generation turned old twice (an upper bound). */
  get size(): number {
    return this.#current.size + this.#old.size;
  }

  #put(key: K, value: V): void {
    this.#current.set(key, value);
    if (this.#current.size >= this.max) {
      this.#old = this.#current;
      this.#current = new Map();
    }
  }
}
