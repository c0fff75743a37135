// The QueueListener's lease (queue-listener.ts): one listener at a time observes a queue, so that several listeners
// started on the same queues — replicas of one deployment, a second one by mistake — never report a run twice. A
// listener holds one key per queue it observes (`<prefix>:<queue>:runtrail:lease`, its token, expiring after
// `ttlMillis`) and renews them every third of that. One that cannot take every key stands by and tries again; it takes
// over from the shared checkpoints once the holder is gone — within a third of `ttlMillis` after the holder's close,
// which gives its keys up, or `ttlMillis` after a crash. All keys or none, in one script: two listeners whose queue
// sets overlap cannot both run.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';

/** Default of `QueueListenerOptions.lease.ttlMillis`: how long a lease outlives its holder's last renewal, in ms. */
export const DEFAULT_LEASE_MILLIS = 10_000;

/** Takes or renews every key (KEYS) for token ARGV[1], for ARGV[2] ms — only when none is held by another token. */
const ACQUIRE = `for _, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return 0 end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return 1`;

/** Gives up the keys (KEYS) that token ARGV[1] holds. */
const RELEASE = `for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1`;

/**
 * The share of `ttlMillis` a holder counts on after sending a renewal: Redis counts the expiry from when it ran the
 * script, later than that, so stopping a fifth of the lease earlier leaves room for a process paused between its
 * check and its writes, and for clocks that drift.
 */
const SURE_SHARE = 0.8;

/** The lease of one listener on its queues' keys. */
export class ListenerLease {
  /** This listener's token: host, pid and a random part (the holder's name, for whoever reads the keys). */
  readonly token = `${os.hostname()}:${process.pid}:${randomUUID()}`;
  readonly keys: readonly string[];
  readonly ttlMillis: number;
  /** `performance.now()` until which the lease is surely held (0: not held). */
  #until = 0;

  /**
   * @param keys one key per queue
   * @param ttlMillis how long the keys outlive the last renewal, in milliseconds
   */
  constructor(keys: readonly string[], ttlMillis: number = DEFAULT_LEASE_MILLIS) {
    this.keys = keys;
    this.ttlMillis = ttlMillis;
  }

  /** Takes the keys, or renews them if this listener holds them already; true when it holds every one now. */
  async acquire(client: Redis): Promise<boolean> {
    const sentAt = performance.now();
    const held = (await client.eval(ACQUIRE, this.keys.length, ...this.keys, this.token, String(this.ttlMillis))) === 1;
    this.#until = held ? sentAt + this.ttlMillis * SURE_SHARE : 0;
    return held;
  }

  /** True while the lease is surely held by the local clock: no Redis call. */
  get held(): boolean {
    return performance.now() < this.#until;
  }

  /** Gives the keys up (those still this listener's), so that a standby takes over without waiting for them to expire. */
  async release(client: Redis): Promise<void> {
    this.#until = 0;
    await client.eval(RELEASE, this.keys.length, ...this.keys, this.token);
  }
}
