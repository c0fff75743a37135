// Producer helpers: adding a job or a flow from inside a tracked run (a Temporal activity, a BullMQ job run with
// `trackedProcessor`) records the hand-off — the producer's run goes into the job's data and the job's instance
// names it as upstream, across orchestrators. Optionally emits `queued` for each job added, so waiting is visible.
import { currentRun, type RunEventSink, runWithContext } from '@runtrail/core';
import type { FlowJob, FlowProducer, Job, JobNode, JobsOptions, Processor, Queue } from 'bullmq';
import { HANDOFF_KEY, type Handoff } from './handoff.js';
import { DEFAULT_PREFIX, jobRef } from './identity.js';

/** Options of the producer helpers. */
export interface ProducerOptions {
  /** When given, a `queued` event is emitted for every job added (the parent of a flow waits for its children). */
  emitter?: RunEventSink;
  /** DataHub cluster. Default `RUNTRAIL_CLUSTER`, else `prod`. */
  cluster?: string;
}

function withHandoff<T>(data: T): T {
  const run = currentRun();
  if (!run) return data;
  const handoff: Handoff = { upstream: run.instance, root: run.root };
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return { ...data, [HANDOFF_KEY]: handoff };
  return data;
}

function queued(emitter: RunEventSink | undefined, cluster: string, job: Job): void {
  if (!emitter) return;
  try {
    const ref = jobRef(
      cluster,
      { prefix: job.prefix ?? DEFAULT_PREFIX, queue: job.queueName, jobId: String(job.id), timestamp: job.timestamp, name: job.name },
      job.repeatJobKey,
    );
    emitter.enqueue({ kind: 'queued', instance: ref, attempt: 1, time: job.timestamp });
  } catch {
    // Producing a job never fails because of lineage.
  }
}

/** `queue.add(name, data, opts)`, recording the hand-off from the current tracked run. */
export async function addJob<D extends object>(
  queue: Queue,
  name: string,
  data: D,
  opts?: JobsOptions,
  options: ProducerOptions = {},
): Promise<Job> {
  const job = (await queue.add(name, withHandoff(data) as never, opts)) as Job;
  queued(options.emitter, options.cluster ?? process.env.RUNTRAIL_CLUSTER ?? 'prod', job);
  return job;
}

/** `flowProducer.add(flow)`, recording the hand-off on the flow's root job (children link to it by parent). */
export async function addFlow(flowProducer: FlowProducer, flow: FlowJob, options: ProducerOptions = {}): Promise<JobNode> {
  const node = await flowProducer.add({ ...flow, data: withHandoff(flow.data ?? {}) });
  const cluster = options.cluster ?? process.env.RUNTRAIL_CLUSTER ?? 'prod';
  const visit = (n: JobNode) => {
    queued(options.emitter, cluster, n.job as Job);
    for (const c of n.children ?? []) visit(c);
  };
  visit(node);
  return node;
}

/**
 * Wraps a processor so the job runs inside runtrail's run context: jobs or workflows it starts through the
 * helpers link back to it. Use it where the Worker is created: `new Worker(q, trackedProcessor(fn), …)`.
 */
export function trackedProcessor<D, R, N extends string>(
  processor: Processor<D, R, N>,
  options: { cluster?: string } = {},
): Processor<D, R, N> {
  const cluster = options.cluster ?? process.env.RUNTRAIL_CLUSTER ?? 'prod';
  return (job, token, signal) => {
    let context: Parameters<typeof runWithContext>[0] | undefined;
    try {
      const instance = {
        ...jobRef(
          cluster,
          { prefix: job.prefix ?? DEFAULT_PREFIX, queue: job.queueName, jobId: String(job.id), timestamp: job.timestamp, name: job.name },
          job.repeatJobKey,
        ),
        attempt: job.attemptsStarted || job.attemptsMade + 1,
      };
      const inherited = (job.data as Record<string, unknown> | undefined)?.[HANDOFF_KEY] as Handoff | undefined;
      context = { instance, root: inherited?.root ?? instance };
    } catch {
      context = undefined;
    }
    return context ? runWithContext(context, () => processor(job, token, signal)) : processor(job, token, signal);
  };
}
