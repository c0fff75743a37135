// Bounded memories: what they promise to remember, and that they never iterate their tables (the V8 "delete the
// oldest" pitfall made every enqueue of a long-lived emitter quadratic).
import { describe, expect, it } from 'vitest';
import { BoundedMap, BoundedSet } from '../../src/util/bounded.js';

describe('BoundedSet', () => {
  it('remembers at least the last max members and at most 2 × max', () => {
    const set = new BoundedSet(100);
    for (let i = 0; i < 1000; i++) {
      set.add(`k${i}`);
      expect(set.size).toBeLessThan(200);
      // The last 100 added are always there.
      for (const back of [0, 50, 99]) if (i - back >= 0) expect(set.has(`k${i - back}`)).toBe(true);
    }
    expect(set.has('k0')).toBe(false);
    expect(set.size).toBeGreaterThanOrEqual(100);
  });

  it('adding a member twice does not count twice', () => {
    const set = new BoundedSet(3);
    set.add('a');
    set.add('a');
    set.add('b');
    expect(set.size).toBe(2);
  });

  it('rejects a bound below 1 at construction', () => {
    expect(() => new BoundedSet(0)).toThrow(RangeError);
    expect(() => new BoundedMap(Number.NaN)).toThrow(RangeError);
  });
});

describe('BoundedMap', () => {
  it('keeps entries in use: a read moves an old entry to the current generation', () => {
    const map = new BoundedMap<string, number>(10);
    map.set('hot', 1);
    for (let i = 0; i < 1000; i++) {
      map.set(`k${i}`, i);
      expect(map.get('hot')).toBe(1);
      expect(map.size).toBeLessThan(20);
    }
    expect(map.get('k0')).toBeUndefined();
    expect(map.get('k999')).toBe(999);
  });

  it('set replaces, delete removes from either generation', () => {
    const map = new BoundedMap<string, string>(2);
    map.set('a', 'x');
    map.set('b', 'y'); // a and b move to the old generation
    map.set('a', 'z');
    expect(map.get('a')).toBe('z');
    expect(map.delete('b')).toBe(true);
    expect(map.has('b')).toBe(false);
    expect(map.delete('b')).toBe(false);
  });
});
