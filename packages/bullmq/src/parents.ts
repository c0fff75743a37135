// Resolves FlowProducer parents to InstanceRefs. A child only knows its parent's id and queue; the parent's
// identity also needs its name and creation time, read once per parent (Job.fromId) and cached.
import { BoundedMap, type InstanceRef } from '@runtrail/core';
import { type ConnectionOptions, Job, Queue } from 'bullmq';
import { jobRef, splitQueueKey } from './identity.js';

interface ParentLink {
  id: string;
  queueKey: string;
}

const MAX_CACHED = 10_000;
const MAX_DEPTH = 20;

export class ParentResolver {
  readonly #queues = new Map<string, Queue>();
  readonly #refs = new BoundedMap<string, Promise<{ ref: InstanceRef; parent?: ParentLink } | undefined>>(MAX_CACHED);

  constructor(
    readonly connection: ConnectionOptions,
    readonly cluster: string,
  ) {}

  /** The parent's ref and the chain's root (the parent itself when it has no parent). */
  async resolve(link: ParentLink | undefined): Promise<{ parent?: InstanceRef; root?: InstanceRef }> {
    if (!link) return {};
    const first = await this.#lookup(link);
    if (!first) return {};
    let root = first.ref;
    let next = first.parent;
    for (let depth = 0; next && depth < MAX_DEPTH; depth++) {
      const hop = await this.#lookup(next);
      if (!hop) break;
      root = hop.ref;
      next = hop.parent;
    }
    return { parent: first.ref, root };
  }

  #lookup(link: ParentLink): Promise<{ ref: InstanceRef; parent?: ParentLink } | undefined> {
    const key = `${link.queueKey}:${link.id}`;
    let found = this.#refs.get(key);
    if (!found) {
      found = this.#fetch(link).catch(() => undefined);
      this.#refs.set(key, found);
    }
    return found;
  }

  /** Reads one job by queue key and id (read-only: never changes queue settings). */
  async job(queueKey: string, id: string): Promise<Job | undefined> {
    const { prefix, queue } = splitQueueKey(queueKey);
    let q = this.#queues.get(queueKey);
    if (!q) {
      q = new Queue(queue, { connection: this.connection, prefix, skipMetasUpdate: true });
      this.#queues.set(queueKey, q);
    }
    return Job.fromId(q, id);
  }

  async #fetch(link: ParentLink): Promise<{ ref: InstanceRef; parent?: ParentLink } | undefined> {
    const { prefix, queue } = splitQueueKey(link.queueKey);
    const job = await this.job(link.queueKey, link.id);
    if (!job) return undefined;
    const ref = jobRef(this.cluster, { prefix, queue, jobId: link.id, timestamp: job.timestamp, name: job.name }, job.repeatJobKey);
    return { ref, parent: job.parent?.id ? { id: job.parent.id, queueKey: job.parent.queueKey } : undefined };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => {})));
    this.#queues.clear();
  }
}
