// @ts-check
// Runs the three examples one after the other (used by the demo; needs TEMPORAL_ADDRESS and REDIS_URL).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runBullmqFlow } from './bullmq-flow/run.mjs';
import { runHandoff } from './handoff/run.mjs';
import { runTemporalEtl } from './temporal-etl/run.mjs';

// Keep the demo's output to what runtrail shows: Temporal's own logs only from warnings up.
Runtime.install({ logger: new DefaultLogger('WARN') });

await runTemporalEtl();
await runBullmqFlow();
await runHandoff();
