// @runtrail/bullmq public API (filled in by the BullMQ work).
export {};
