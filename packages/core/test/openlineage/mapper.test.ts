// OpenLineageMapper: neutral RunEvent → OpenLineage 2-0-2 RunEvent. Every event produced here is validated
// against the official core and facet schemas.
import { describe, expect, it } from 'vitest';
import { assertValidOpenLineageEvent } from '../../../../test/helpers/openlineage-schema.js';
import { ConfigError } from '../../src/errors.js';
import type { RunEvent, RunStatus } from '../../src/model/run-event.js';
import { OpenLineageMapper } from '../../src/openlineage/mapper.js';
import type { OpenLineageRunEvent } from '../../src/openlineage/types.js';
import { staticUuidV7 } from '../../src/openlineage/uuid.js';
import { expectGolden, readGolden } from './expect-golden.js';
import { activity, activityComplete, activityFail, activityStart, PRODUCER, T0, workflow, workflowStart } from './fixtures.js';

const mapper = () =>
  new OpenLineageMapper({ jobNamespace: 'temporal-prod', producer: PRODUCER, engines: { temporal: { version: '1.13.0' } } });

function map(m: OpenLineageMapper, event: RunEvent): OpenLineageRunEvent {
  const ol = m.map(event);
  assertValidOpenLineageEvent(ol);
  return ol;
}

/** Drops what §9 shows but a neutral event cannot carry (job docs/ownership/source, output statistics, nominalEndTime). */
function withoutExtras(ev: OpenLineageRunEvent, dropRunFacets: string[] = []): unknown {
  const copy = structuredClone(ev) as OpenLineageRunEvent;
  for (const key of ['tags', ...dropRunFacets]) delete copy.run.facets?.[key];
  for (const key of ['ownership', 'documentation', 'sourceCodeLocation']) delete copy.job.facets?.[key];
  for (const o of copy.outputs ?? []) delete (o as { outputFacets?: unknown }).outputFacets;
  delete (copy.run.facets?.nominalTime as { nominalEndTime?: string } | undefined)?.nominalEndTime;
  return copy;
}

describe('OpenLineageMapper reproduces the reference example events (openlineage.md §9)', () => {
  it('9.1: START of a child run, with parent and root, jobType, processing_engine, inputs and outputs', () => {
    const ol = map(mapper(), activityStart);
    expect(withoutExtras(ol)).toEqual(withoutExtras(readGolden('reference-9-1-child-start.json')));
    expectGolden('mapped-9-1-child-start.json', ol);
  });

  it('9.2: COMPLETE of the same run: same runId, parent repeated, inputs and outputs repeated', () => {
    const ol = map(mapper(), activityComplete);
    expect(withoutExtras(ol)).toEqual(withoutExtras(readGolden('reference-9-2-child-complete.json')));
    expectGolden('mapped-9-2-child-complete.json', ol);
  });

  it('9.3: FAIL of the same run, with errorMessage (message, JavaScript, stack trace)', () => {
    const ol = map(mapper(), activityFail);
    // The §9.3 fragment replaces run.facets with parent + errorMessage only.
    expect(withoutExtras(ol, ['processing_engine'])).toEqual(withoutExtras(readGolden('reference-9-3-child-fail.json')));
    expectGolden('mapped-9-3-child-fail.json', ol);
  });

  it('9.4: START of the root workflow run: no parent facet, nominalTime, empty inputs and outputs', () => {
    const ol = map(mapper(), workflowStart);
    expect(ol.run.facets?.parent).toBeUndefined();
    expect(withoutExtras(ol)).toEqual(withoutExtras(readGolden('reference-9-4-parent-start.json')));
    expectGolden('mapped-9-4-parent-start.json', ol);
  });

  it('the reference examples themselves pass the schema helper', () => {
    for (const name of ['9-1-child-start', '9-2-child-complete', '9-3-child-fail', '9-4-parent-start']) {
      assertValidOpenLineageEvent(readGolden(`reference-${name}.json`));
    }
  });
});

describe('eventType', () => {
  it.each([
    ['queued', 'OTHER'],
    ['start', 'START'],
    ['running', 'RUNNING'],
  ] as const)('maps a %s event to %s', (kind, eventType) => {
    expect(map(mapper(), { ...activityStart, kind }).eventType).toBe(eventType);
  });

  it.each([
    ['success', 'COMPLETE'],
    ['failure', 'FAIL'],
    ['retry', 'FAIL'],
    ['timed_out', 'FAIL'],
    ['cancelled', 'ABORT'],
    ['terminated', 'ABORT'],
    ['skipped', 'ABORT'],
  ] as Array<[RunStatus, string]>)('maps an end event with result %s to %s', (status, eventType) => {
    const ol = map(mapper(), { ...activityComplete, result: { status } });
    expect(ol.eventType).toBe(eventType);
    expect(ol.run.facets?.errorMessage !== undefined).toBe(eventType === 'FAIL');
  });

  it('emits FAIL with the native reason as errorMessage when a timed-out attempt carries no error', () => {
    const ol = map(mapper(), { ...activityComplete, result: { status: 'timed_out', native: 'TIMEOUT_TYPE_START_TO_CLOSE' } });
    expect(ol.run.facets?.errorMessage).toMatchObject({ message: 'TIMEOUT_TYPE_START_TO_CLOSE', programmingLanguage: 'JavaScript' });
    expect(ol.run.facets?.errorMessage).not.toHaveProperty('stackTrace');
  });
});

describe('run ids', () => {
  it('gives each attempt its own deterministic UUIDv7, the same in every process', () => {
    const a1 = mapper().map(activityStart).run.runId;
    const a1Again = mapper().map({ ...activityComplete }).run.runId;
    const a2 = mapper().map({ ...activityStart, attempt: 2 }).run.runId;
    expect(a1).toBe('01a01f0a-dde8-7e27-8c15-08b6fcd62d48');
    expect(a1Again).toBe(a1);
    expect(a2).toBe('01a01f0a-dde8-7373-b254-6237c97fed76');
  });

  it('derives the id from "{jobNamespace}.{id with / as .}.{attempt}" at the instance creation time', () => {
    const m = new OpenLineageMapper();
    const ref = { orchestrator: 'bullmq', cluster: 'prod', flow: 'emails', job: 'send', id: 'bull/emails/42/1787227200000', createdAt: T0 };
    expect(m.runId(ref, 3)).toBe(staticUuidV7(T0, 'default.bull.emails.42.1787227200000.3'));
    expect(m.runId({ ...ref, createdAt: undefined }, 1)).toBe(staticUuidV7(0, 'default.bull.emails.42.1787227200000.1'));
  });

  it('uses a UUID runUuid as is (lower-cased) and ignores one that is not a UUID', () => {
    const m = new OpenLineageMapper();
    expect(m.runId({ ...workflow, runUuid: '7F0C7A3E-3F9B-4B5E-9A0E-2B4F1D6C8E11' })).toBe('7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11');
    const fallback = m.runId({ ...workflow, runUuid: 'run-17' });
    expect(fallback).toBe(staticUuidV7(T0, 'default.default.order-sync-42.7f0c7a3e-3f9b-4b5e-9a0e-2b4f1d6c8e11.1'));
  });
});

describe('facets', () => {
  it('puts parent with root on every event of a child run, root defaulting to the parent', () => {
    const m = mapper();
    const noRoot = { ...activityStart, root: undefined };
    for (const kind of ['queued', 'start', 'running', 'end'] as const) {
      const ol = map(m, { ...noRoot, kind, result: kind === 'end' ? { status: 'success' } : undefined });
      expect(ol.run.facets?.parent).toMatchObject({
        run: { runId: workflow.runUuid },
        job: { namespace: 'temporal-prod', name: 'OrderSyncWorkflow' },
        root: { run: { runId: workflow.runUuid }, job: { namespace: 'temporal-prod', name: 'OrderSyncWorkflow' } },
      });
    }
  });

  it('points root at the chain root, not at the parent, for a grandchild', () => {
    const child = { ...workflow, flow: 'ChildWorkflow', id: 'default/child-1/abc', runUuid: undefined, createdAt: T0 + 5 };
    const ol = map(mapper(), { ...activityStart, instance: { ...activity, flow: 'ChildWorkflow' }, parent: child, root: workflow });
    expect(ol.run.facets?.parent).toMatchObject({ job: { name: 'ChildWorkflow' }, root: { job: { name: 'OrderSyncWorkflow' } } });
  });

  it('names jobs {flow} and {flow}.{job} in the configured namespace, `default` unless set', () => {
    const m = new OpenLineageMapper();
    expect(map(m, workflowStart).job).toMatchObject({ namespace: 'default', name: 'OrderSyncWorkflow' });
    expect(map(m, activityStart).job).toMatchObject({ namespace: 'default', name: 'OrderSyncWorkflow.loadOrders' });
  });

  it('describes BullMQ and unknown orchestrators in jobType and processing_engine, STREAMING when asked', () => {
    const m = new OpenLineageMapper({ engines: { bullmq: { version: '6.7.0' } } });
    const job = { orchestrator: 'bullmq', cluster: 'prod', flow: 'emails', job: 'send', id: 'bull/emails/1/5', createdAt: T0 };
    const bull = map(m, { kind: 'start', instance: job, attempt: 1, time: T0 });
    expect(bull.job.facets?.jobType).toMatchObject({ processingType: 'BATCH', integration: 'BULLMQ', jobType: 'JOB' });
    expect(bull.run.facets?.processing_engine).toMatchObject({ name: 'BullMQ', version: '6.7.0', openlineageAdapterVersion: '0.1.0' });
    const other = map(m, {
      kind: 'start',
      instance: { ...job, orchestrator: 'cron', job: undefined },
      attempt: 1,
      time: T0,
      type: 'STREAMING',
    });
    expect(other.job.facets?.jobType).toMatchObject({ processingType: 'STREAMING', integration: 'CRON', jobType: 'FLOW' });
    expect(other.run.facets?.processing_engine).toMatchObject({ name: 'cron', version: 'unknown' });
  });

  it('records attempt, max attempts and the first attempt run id as INTEGRATION tags, then the properties', () => {
    const ol = map(mapper(), {
      ...activityComplete,
      attempt: 2,
      result: { status: 'retry', native: 'ApplicationFailure' },
      properties: { taskQueue: 'etl' },
    });
    const tags = (ol.run.facets?.tags as { tags: unknown[] } | undefined)?.tags;
    expect(tags).toEqual([
      { key: 'runtrail.attempt', value: '2', source: 'INTEGRATION' },
      { key: 'runtrail.maxAttempts', value: '3', source: 'INTEGRATION' },
      { key: 'runtrail.firstAttemptRunId', value: '01a01f0a-dde8-7e27-8c15-08b6fcd62d48', source: 'INTEGRATION' },
      { key: 'runtrail.result', value: 'retry', source: 'INTEGRATION' },
      { key: 'runtrail.native', value: 'ApplicationFailure', source: 'INTEGRATION' },
      { key: 'taskQueue', value: 'etl', source: 'INTEGRATION' },
    ]);
    expect(ol.eventType).toBe('FAIL');
  });

  it('adds nominalTime for scheduled runs only', () => {
    expect(map(mapper(), workflowStart).run.facets?.nominalTime).toMatchObject({ nominalStartTime: '2026-08-20T12:00:00.000Z' });
    expect(map(mapper(), { ...workflowStart, nominalTime: undefined }).run.facets?.nominalTime).toBeUndefined();
  });

  it('links upstream runs (continue-as-new predecessors) through jobDependencies', () => {
    const previous = { ...workflow, id: 'default/order-sync-42/prev', runUuid: '11111111-2222-4333-8444-555555555555' };
    const ol = map(mapper(), { ...workflowStart, upstream: [previous] });
    expect(ol.run.facets?.jobDependencies).toMatchObject({
      upstream: [{ job: { namespace: 'temporal-prod', name: 'OrderSyncWorkflow' }, run: { runId: previous.runUuid } }],
    });
  });

  it('reports running progress as tags', () => {
    const ol = map(mapper(), { ...activityStart, kind: 'running', progress: { current: 5, total: 10, message: 'half' } });
    expect(JSON.stringify(ol.run.facets?.tags)).toContain('"runtrail.progress.current","value":"5"');
  });
});

describe('datasets', () => {
  it('repeats START inputs and outputs on a COMPLETE whose neutral event names none', () => {
    const m = mapper();
    map(m, activityStart);
    const done = map(m, { ...activityComplete, inputs: undefined, outputs: undefined });
    expect(done.inputs).toEqual([{ namespace: 'postgres://orders-db.internal:5432', name: 'shop.public.orders' }]);
    expect(done.outputs).toEqual([{ namespace: 's3://acme-lake', name: 'raw/orders/2026-08-20.parquet' }]);
  });

  it('forgets a run after its terminal event and does not duplicate datasets named twice', () => {
    const m = mapper();
    map(m, activityStart);
    expect(map(m, activityComplete).outputs).toHaveLength(1);
    expect(map(m, { ...activityComplete, inputs: undefined, outputs: undefined }).outputs).toEqual([]);
  });

  it('leaves datasets off RUNNING and OTHER events that name none', () => {
    const running = map(mapper(), { ...activityStart, kind: 'running', inputs: undefined, outputs: undefined });
    expect(running).not.toHaveProperty('inputs');
    expect(running).not.toHaveProperty('outputs');
  });
});

describe('bad data', () => {
  it('never throws on clocks that are not numbers: eventTime is stamped now, ids hash the epoch, nominalTime is left out', () => {
    const m = new OpenLineageMapper();
    const ol = map(m, {
      ...activityStart,
      time: Number.NaN,
      nominalTime: Number.POSITIVE_INFINITY,
      instance: { ...activity, createdAt: Number.NaN },
    });
    expect(Math.abs(Date.parse(ol.eventTime) - Date.now())).toBeLessThan(60_000);
    expect(ol.run.runId).toBe(m.runId({ ...activity, createdAt: undefined }, 1));
    expect(ol.run.facets?.nominalTime).toBeUndefined();
  });
});

describe('configuration', () => {
  it('rejects a producer that is not a URI, an empty namespace and a cap below 16 KiB', () => {
    expect(() => new OpenLineageMapper({ producer: 'runtrail' })).toThrow(ConfigError);
    expect(() => new OpenLineageMapper({ jobNamespace: ' ' })).toThrow(ConfigError);
    expect(() => new OpenLineageMapper({ maxEventBytes: 1000 })).toThrow(ConfigError);
  });
});
