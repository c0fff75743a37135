// `runtrail send`: replays a run store into DataHub and/or OpenLineage (after an outage, or to backfill), through
// the delivery engine (batching, retries, ordering), with progress on stderr.
import { createEmitter, dataHubTransportFromEnv, openLineageTransportsFromEnv, type RunEvent, type Transport } from '@runtrail/core';

/** Options of `sendStore`. */
export interface SendOptions {
  /** Which backends: `datahub`, `openlineage`, or both (default: whichever the environment configures). */
  to?: 'datahub' | 'openlineage';
  env?: NodeJS.ProcessEnv;
  /** Progress lines go here (default stderr). */
  progress?: (line: string) => void;
  /** Give up waiting for delivery after this long, in milliseconds. Default 60 000. */
  timeoutMillis?: number;
}

/** Sends `events` and resolves with what was delivered. @throws Error when no backend is configured. */
export async function sendStore(
  events: RunEvent[],
  options: SendOptions = {},
): Promise<{ sent: number; deadLettered: number; undelivered: number }> {
  const env = options.env ?? process.env;
  const transports: Transport[] = [];
  if (options.to !== 'openlineage') {
    const dh = dataHubTransportFromEnv(env);
    if (dh) transports.push(dh);
    else if (options.to === 'datahub') throw new Error('DATAHUB_GMS_URL is not set: nowhere to send to DataHub');
  }
  if (options.to !== 'datahub') {
    const ol = openLineageTransportsFromEnv(env);
    transports.push(...ol);
    if (ol.length === 0 && options.to === 'openlineage')
      throw new Error('OPENLINEAGE_URL (or openlineage.yml) is not set: nowhere to send OpenLineage events');
  }
  if (transports.length === 0) throw new Error('no backend configured: set DATAHUB_GMS_URL and/or OPENLINEAGE_URL');
  const emitter = createEmitter({ transports, maxQueueSize: Math.max(10_000, events.length + 10), flushIntervalMillis: 100 });
  const report = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const e of events) emitter.enqueue(e);
  const total = emitter.stats().accepted * transports.length;
  const timer = setInterval(() => {
    const s = emitter.stats();
    report(`sent ${s.sent}/${total} (retried ${s.retried}, dead-lettered ${s.deadLettered})`);
  }, 1000);
  try {
    await emitter.close(options.timeoutMillis ?? 60_000);
  } finally {
    clearInterval(timer);
  }
  const s = emitter.stats();
  report(`sent ${s.sent}/${total} (retried ${s.retried}, dead-lettered ${s.deadLettered})`);
  return { sent: s.sent, deadLettered: s.deadLettered, undelivered: total - s.sent - s.deadLettered };
}
