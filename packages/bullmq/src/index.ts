// @runtrail/bullmq: run history and lineage for BullMQ jobs and flows.
export type { Handoff } from './handoff.js';
export { HANDOFF_KEY, handoffOf } from './handoff.js';
export type { JobCoordinates } from './identity.js';
export { BULLMQ, DEFAULT_PREFIX, jobRef, queueFlow, splitQueueKey } from './identity.js';
export { instrumentWorker, refOfJob } from './instrument-worker.js';
export type { JobDeclarations, JobLineage } from './lineage.js';
export { jobLineage } from './lineage.js';
export type { InstrumentOptions } from './options.js';
export type { ProducerOptions } from './producer.js';
export { addFlow, addJob, trackedProcessor } from './producer.js';
export type { QueueListenerOptions, RecoveryReport, RedisClientLike } from './queue-listener.js';
export { QueueListener } from './queue-listener.js';
export { closeSharedEmitter, sharedEmitter } from './shared-emitter.js';
