// A RunEventSink that keeps what adapters hand it, for integration tests, plus the check every adapter
// test runs on what it recorded: each event mapped to OpenLineage validates against the official schemas,
// and (once the DataHub mapper exists) maps to MCPs the strict GMS accepts.
import type { RunEvent, RunEventSink } from '@runtrail/core';
import { DataHubMapper, OpenLineageMapper } from '@runtrail/core';
import { validateMcp } from './datahub-aspects.js';
import { assertValidOpenLineageEvent } from './openlineage-schema.js';

/** Records every event in order; `enqueue` never throws, like the real emitter. */
export class RecordingSink implements RunEventSink {
  readonly events: RunEvent[] = [];
  closed = 0;
  flushed = 0;

  enqueue(event: RunEvent): void {
    this.events.push(structuredClone(event));
  }

  async flush(): Promise<void> {
    this.flushed++;
  }

  async close(): Promise<void> {
    this.closed++;
  }

  /** Events of one instance (by `instance.id`), in arrival order. */
  of(id: string): RunEvent[] {
    return this.events.filter((e) => e.instance.id === id);
  }

  /** Resolves once `predicate` holds for the recorded events; rejects after `timeoutMillis` (default 20 000). */
  async waitFor(predicate: (events: RunEvent[]) => boolean, timeoutMillis = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms; recorded ${this.events.length} events`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * Maps every event to OpenLineage and to DataHub MCPs, and asserts each OpenLineage event validates against the
 * 2-0-2 schemas and facet schemas and each MCP has the shape DataHub's models require.
 */
export function assertWireValid(events: readonly RunEvent[]): void {
  const openLineage = new OpenLineageMapper();
  const dataHub = new DataHubMapper();
  for (const event of events) {
    assertValidOpenLineageEvent(openLineage.map(event));
    for (const mcp of dataHub.map(event)) {
      const errors = validateMcp(mcp);
      if (errors.length > 0) throw new Error(`DataHub would reject ${mcp.aspectName} of ${mcp.entityUrn}: ${errors.join('; ')}`);
    }
  }
}
