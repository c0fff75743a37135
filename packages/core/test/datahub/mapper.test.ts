// DataHubMapper: neutral events → MCPs in DataHub's order and shape. The §3.6 example is reproduced to the byte;
// every MCP any test produces is checked against DataHub's aspect models (test/helpers/datahub-aspects.ts).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateMcp } from '../../../../test/helpers/datahub-aspects.js';
import { DataHubMapper, type DataHubMapperOptions } from '../../src/datahub/mapper.js';
import type { DataHubMcp } from '../../src/datahub/types.js';
import { instanceUrn } from '../../src/datahub/urn.js';
import type { RunEvent, RunStatus } from '../../src/model/run-event.js';
import { ACTIVITY, activityEnd, activityStart, RECEIPTS, T0, WORKFLOW } from './fixtures.js';

function mapAll(events: RunEvent[], options: DataHubMapperOptions = {}): DataHubMcp[] {
  const mapper = new DataHubMapper(options);
  const mcps = events.flatMap((e) => mapper.map(e));
  for (const m of mcps) expect(validateMcp(m), `${m.aspectName} of ${m.entityUrn}`).toEqual([]);
  return mcps;
}

/** DataHub's file-sink shape (`aspect.json`), serialized with key order kept. */
const fileSink = (mcps: DataHubMcp[]) => JSON.stringify(mcps.map((m) => ({ ...m, aspect: { json: m.aspect } })));

describe('DataHubMapper', () => {
  it('reproduces the §3.6 example scenario to the byte (templates linked, no edges)', () => {
    const golden = JSON.parse(fs.readFileSync(new URL('./golden/example-3.6.json', import.meta.url), 'utf8'));
    const mcps = mapAll([activityStart, activityEnd], { templates: 'link', edges: false });
    expect(fileSink(mcps)).toBe(JSON.stringify(golden));
  });

  it('writes each template once per process, without ownership or globalTags', () => {
    const second = { ...activityStart, instance: { ...ACTIVITY, id: `${WORKFLOW.id}/other` } };
    const mcps = mapAll([activityStart, second]);
    const templateAspects = mcps
      .filter((m) => m.entityType === 'dataFlow' || m.entityType === 'dataJob')
      .map((m) => `${m.entityType}.${m.aspectName}`);
    expect(templateAspects).toEqual(['dataFlow.dataFlowInfo', 'dataFlow.status', 'dataJob.dataJobInfo', 'dataJob.status']);
    expect(mcps.some((m) => m.aspectName === 'ownership' || m.aspectName === 'globalTags')).toBe(false);
    expect(mcps.find((m) => m.aspectName === 'dataFlowInfo')?.aspect).toEqual({
      customProperties: {},
      name: 'order-workflow',
      env: 'PROD',
    });
    expect(mcps.find((m) => m.aspectName === 'dataJobInfo')?.aspect).toEqual({
      customProperties: {},
      name: 'chargeCard',
      type: { string: 'COMMAND' },
      env: 'PROD',
    });
  });

  it('leaves env out of templates whose cluster is not a DataHub fabric', () => {
    const mcps = mapAll([{ ...activityStart, instance: { ...ACTIVITY, cluster: 'default' } }]);
    expect(mcps.find((m) => m.aspectName === 'dataFlowInfo')?.aspect).toEqual({ customProperties: {}, name: 'order-workflow' });
  });

  it('makes a run visible in the Runs tab: parentTemplate, created and a run event', () => {
    const mcps = mapAll([activityStart]);
    const urn = instanceUrn(ACTIVITY);
    const rel = mcps.find((m) => m.entityUrn === urn && m.aspectName === 'dataProcessInstanceRelationships');
    const props = mcps.find((m) => m.entityUrn === urn && m.aspectName === 'dataProcessInstanceProperties');
    expect(rel?.aspect.parentTemplate).toBe('urn:li:dataJob:(urn:li:dataFlow:(temporal,order-workflow,prod),chargeCard)');
    expect(props?.aspect.created).toMatchObject({ time: T0 });
    expect(mcps.filter((m) => m.aspectName === 'dataProcessInstanceRunEvent')).toHaveLength(1);
  });

  it.each<[RunStatus, string, string]>([
    ['success', 'SUCCESS', 'temporal'],
    ['retry', 'UP_FOR_RETRY', 'temporal'],
    ['failure', 'FAILURE', 'temporal'],
    ['cancelled', 'SKIPPED', 'cancelled'],
    ['skipped', 'SKIPPED', 'skipped'],
    ['timed_out', 'FAILURE', 'timed_out'],
    ['terminated', 'FAILURE', 'terminated'],
  ])('maps %s to COMPLETE · %s with nativeResultType %s', (status, type, native) => {
    const mcps = mapAll([activityStart, { ...activityEnd, result: { status } }]);
    const end = mcps.filter((m) => m.aspectName === 'dataProcessInstanceRunEvent').at(-1);
    expect(end?.aspect).toMatchObject({ status: 'COMPLETE', attempt: 1, result: { type, nativeResultType: native }, durationMillis: 5250 });
  });

  it("carries the orchestrator's own word in nativeResultType when given", () => {
    const mcps = mapAll([{ ...activityEnd, result: { status: 'success', native: 'continued_as_new' } }]);
    expect(mcps.at(-1)?.aspect.result).toEqual({ type: 'SUCCESS', nativeResultType: 'continued_as_new' });
  });

  it('records each attempt as run events of one instance', () => {
    const events: RunEvent[] = [
      activityStart,
      { ...activityEnd, result: { status: 'retry', error: { message: 'boom' } } },
      { ...activityStart, attempt: 2, time: T0 + 6000 },
      { ...activityEnd, attempt: 2, time: T0 + 7000, startTime: T0 + 6000 },
    ];
    const runEvents = mapAll(events).filter((m) => m.aspectName === 'dataProcessInstanceRunEvent');
    expect(new Set(runEvents.map((m) => m.entityUrn)).size).toBe(1);
    expect(runEvents.map((m) => [m.aspect.status, m.aspect.attempt, (m.aspect.result as { type?: string } | undefined)?.type])).toEqual([
      ['STARTED', 1, undefined],
      ['COMPLETE', 1, 'UP_FOR_RETRY'],
      ['STARTED', 2, undefined],
      ['COMPLETE', 2, 'SUCCESS'],
    ]);
  });

  it('keeps the start properties and adds the error when an end fails', () => {
    const mcps = mapAll([
      activityStart,
      { ...activityEnd, result: { status: 'failure', error: { message: 'card declined', type: 'ApplicationFailure' } } },
    ]);
    const props = mcps.filter((m) => m.aspectName === 'dataProcessInstanceProperties').at(-1);
    expect(props?.aspect.customProperties).toEqual({
      workflowId: 'order-42',
      runId: '0193c0a2-5b7e-7c1d-8e9f-1a2b3c4d5e6f',
      taskQueue: 'payments',
      error: 'card declined',
      errorType: 'ApplicationFailure',
    });
    expect(props?.aspect.created).toMatchObject({ time: T0 });
  });

  it('writes an operation on each output of a successful run, and the template lineage once', () => {
    const end = { ...activityEnd, outputs: [RECEIPTS] };
    const mcps = mapAll([activityStart, end, { ...end, instance: { ...ACTIVITY, id: 'x' } }]);
    const ops = mcps.filter((m) => m.aspectName === 'operation');
    expect(ops).toHaveLength(2);
    expect(ops[0]?.entityUrn).toBe('urn:li:dataset:(urn:li:dataPlatform:s3,receipts/2024,PROD)');
    expect(ops[0]?.aspect).toMatchObject({ operationType: 'UPDATE', lastUpdatedTimestamp: T0 + 5250 });
    expect(mcps.filter((m) => m.aspectName === 'dataJobInputOutput')).toHaveLength(1);
    expect(mapAll([activityStart, { ...end, result: { status: 'failure' } }]).some((m) => m.aspectName === 'operation')).toBe(false);
  });

  it('writes edges with the time the link was seen by default', () => {
    const input = mapAll([activityStart]).find((m) => m.aspectName === 'dataProcessInstanceInput');
    expect(input?.aspect).toEqual({
      inputs: ['urn:li:dataset:(urn:li:dataPlatform:postgres,shop.public.orders,PROD)'],
      inputEdges: [
        {
          destinationUrn: 'urn:li:dataset:(urn:li:dataPlatform:postgres,shop.public.orders,PROD)',
          created: { time: T0, actor: 'urn:li:corpuser:datahub' },
        },
      ],
    });
  });

  it('links upstream instances, platform instance, subtype and container when configured', () => {
    const upstream = { ...WORKFLOW, id: 'order-42/previous-run' };
    const mcps = mapAll([{ ...activityStart, upstream: [upstream] }], {
      platformInstance: 'eu1',
      subType: (ref) => (ref.job ? 'Activity' : 'Workflow Run'),
      container: 'c0ffee',
    });
    const urn = instanceUrn(ACTIVITY);
    const aspects = mcps.filter((m) => m.entityUrn === urn).map((m) => m.aspectName);
    expect(aspects).toEqual([
      'dataProcessInstanceProperties',
      'dataProcessInstanceRelationships',
      'dataPlatformInstance',
      'subTypes',
      'container',
      'dataProcessInstanceInput',
      'dataProcessInstanceOutput',
      'dataProcessInstanceRunEvent',
    ]);
    const rel = mcps.find((m) => m.aspectName === 'dataProcessInstanceRelationships');
    expect(rel?.aspect.upstreamInstances).toEqual([instanceUrn(upstream)]);
    expect(rel?.aspect.parentTemplate).toBe('urn:li:dataJob:(urn:li:dataFlow:(temporal,eu1.order-workflow,prod),chargeCard)');
  });

  it('supports standalone runs with no template at all', () => {
    const mcps = mapAll([activityStart, activityEnd], { templates: 'none' });
    expect(mcps.some((m) => m.entityType === 'dataFlow' || m.entityType === 'dataJob')).toBe(false);
    expect(mcps.find((m) => m.aspectName === 'dataProcessInstanceRelationships')?.aspect.parentTemplate).toBeUndefined();
  });

  it('maps queued and running events to nothing (DataHub has no such states)', () => {
    expect(
      mapAll([
        { ...activityStart, kind: 'queued' },
        { ...activityStart, kind: 'running' },
      ]),
    ).toEqual([]);
  });

  it('forgets the oldest templates past maxRemembered and writes them again', () => {
    const mapper = new DataHubMapper({ maxRemembered: 2 });
    const start = (flow: string) =>
      mapper.map({ ...activityStart, instance: { ...ACTIVITY, flow } }).filter((m) => m.aspectName === 'dataFlowInfo').length;
    expect([start('a'), start('a'), start('b'), start('c'), start('a')]).toEqual([1, 0, 1, 1, 1]);
  });
});
