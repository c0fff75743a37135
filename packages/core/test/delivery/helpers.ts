// Shared pieces of the delivery tests: runs as neutral events, a free loopback port, and checks over what a
// strict OpenLineage endpoint accepted (exactly once per event key, START before the terminal event per run).
import net from 'node:net';
import { expect } from 'vitest';
import type { RunEvent } from '../../src/model/run-event.js';

export const T = 1_760_000_000_000;

/** `n` activity runs, each a start and a successful end (2n events), ids unique per `tag`. */
export function runs(n: number, tag = 'r'): RunEvent[] {
  const events: RunEvent[] = [];
  for (let i = 0; i < n; i++) {
    const instance = {
      orchestrator: 'temporal',
      cluster: 'prod',
      flow: 'etl',
      job: 'load',
      id: `default/${tag}-${i}/run-1/1`,
      createdAt: T + i,
    };
    events.push({ kind: 'start', instance, attempt: 1, time: T + i });
    events.push({ kind: 'end', instance, attempt: 1, time: T + i + 5, startTime: T + i, result: { status: 'success' } });
  }
  return events;
}

/** A TCP port nothing listens on right now (for "backend refuses connections", then started on it later). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface OlEvent {
  eventType: string;
  run: { runId: string };
}

/**
 * Asserts the accepted OpenLineage events hold every run's START and COMPLETE exactly once (`allowDuplicates`
 * counts at-least-once re-deliveries after a timeout as fine) and START came first; returns the number of runs.
 */
export function expectExactlyOnceInOrder(accepted: unknown[], expectedRuns: number, allowDuplicates = false): void {
  const byRun = new Map<string, string[]>();
  for (const e of accepted as OlEvent[]) {
    const list = byRun.get(e.run.runId) ?? [];
    list.push(e.eventType);
    byRun.set(e.run.runId, list);
  }
  expect(byRun.size).toBe(expectedRuns);
  for (const [runId, types] of byRun) {
    const unique = allowDuplicates ? types.filter((t, i) => types.indexOf(t) === i) : types;
    expect(unique, `run ${runId}`).toEqual(['START', 'COMPLETE']);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
