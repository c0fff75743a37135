// @ts-check
// BullMQ's record codec without its encoder, for thread-cpu.mjs: the delivery thread imports a codec's module by URL
// and uses what it exports, so through this module it decodes every record into events (what it did before
// 2026-12-03) instead of writing the store from the records' JSON text.
export { createDecoder } from '../../packages/bullmq/dist/job-records.js';
