// A set of strings that forgets its oldest members past a bound: dedup and ordering memories must not grow
// with the number of runs a long-lived worker has seen.

/** Insertion-ordered set capped at `max` members (oldest evicted first). */
export class BoundedSet {
  readonly #items = new Set<string>();
  constructor(readonly max: number) {}

  has(key: string): boolean {
    return this.#items.has(key);
  }

  add(key: string): void {
    if (this.#items.has(key)) return;
    this.#items.add(key);
    if (this.#items.size > this.max) this.#items.delete(this.#items.values().next().value as string);
  }

  delete(key: string): void {
    this.#items.delete(key);
  }

  get size(): number {
    return this.#items.size;
  }
}
