// URN builders and DataHub's UrnEncoder escaping (reference/datahub.md §2).
import { describe, expect, it } from 'vitest';
import {
  containerUrn,
  dataFlowUrn,
  dataJobUrn,
  dataPlatformInstanceUrn,
  dataPlatformUrn,
  dataProcessInstanceUrn,
  datasetUrn,
  datasetUrnFromRef,
  encodeUrnPart,
  entityTypeOfUrn,
  templateUrn,
} from '../../src/datahub/urn.js';
import { isRuntrailError } from '../../src/errors.js';

describe('URN builders', () => {
  it('builds each entity type as DataHub does', () => {
    expect(dataPlatformUrn('postgres')).toBe('urn:li:dataPlatform:postgres');
    expect(dataPlatformUrn('urn:li:dataPlatform:kafka')).toBe('urn:li:dataPlatform:kafka');
    expect(dataFlowUrn('temporal', 'order-workflow')).toBe('urn:li:dataFlow:(temporal,order-workflow,prod)');
    expect(dataFlowUrn('airflow', 'simple_dag', 'prod', 'myairflow')).toBe('urn:li:dataFlow:(airflow,myairflow.simple_dag,prod)');
    expect(dataJobUrn(dataFlowUrn('temporal', 'order-workflow'), 'chargeCard')).toBe(
      'urn:li:dataJob:(urn:li:dataFlow:(temporal,order-workflow,prod),chargeCard)',
    );
    expect(datasetUrn('postgres', 'shop.public.orders', 'prod')).toBe(
      'urn:li:dataset:(urn:li:dataPlatform:postgres,shop.public.orders,PROD)',
    );
    expect(datasetUrn('postgres', 'shop.orders', 'dev', 'eu1')).toBe('urn:li:dataset:(urn:li:dataPlatform:postgres,eu1.shop.orders,DEV)');
    expect(datasetUrnFromRef({ platform: 's3', name: 'receipts/2024' })).toBe('urn:li:dataset:(urn:li:dataPlatform:s3,receipts/2024,PROD)');
    expect(dataProcessInstanceUrn('9209714cc4fb5f6bb3d34f77c591bc08')).toBe('urn:li:dataProcessInstance:9209714cc4fb5f6bb3d34f77c591bc08');
    expect(dataPlatformInstanceUrn('temporal', 'eu1')).toBe('urn:li:dataPlatformInstance:(urn:li:dataPlatform:temporal,eu1)');
    expect(containerUrn('abc')).toBe('urn:li:container:abc');
  });

  it('escapes , ( ) and ␟ but not %', () => {
    expect(dataFlowUrn('temporal', 'my,dag(v2)')).toBe('urn:li:dataFlow:(temporal,my%2Cdag%28v2%29,prod)');
    expect(encodeUrnPart('a␟b')).toBe('a%E2%90%9Fb');
    expect(encodeUrnPart('50%')).toBe('50%');
  });

  it('does not upper-case the flow cluster but upper-cases the dataset env', () => {
    expect(dataFlowUrn('bullmq', 'emails', 'Staging')).toBe('urn:li:dataFlow:(bullmq,emails,Staging)');
    expect(datasetUrn('kafka', 't', 'staging')).toMatch(/,STAGING\)$/);
  });

  it('rejects empty parts with a clear error', () => {
    for (const build of [() => dataFlowUrn('temporal', ''), () => datasetUrn('', 'x'), () => dataJobUrn(dataFlowUrn('t', 'f'), '')]) {
      try {
        build();
        expect.unreachable('an empty part must be rejected');
      } catch (err) {
        expect(isRuntrailError(err) && err.code).toBe('RUNTRAIL_INVALID_ID');
        expect((err as Error).message).toMatch(/non-empty/);
      }
    }
  });

  it('gives a job instance its DataJob and a flow instance its DataFlow as template', () => {
    const ref = { orchestrator: 'bullmq', cluster: 'prod', flow: 'emails', id: 'bull/emails/1/1' };
    expect(templateUrn(ref)).toBe('urn:li:dataFlow:(bullmq,emails,prod)');
    expect(templateUrn({ ...ref, job: 'send' })).toBe('urn:li:dataJob:(urn:li:dataFlow:(bullmq,emails,prod),send)');
    expect(entityTypeOfUrn(templateUrn({ ...ref, job: 'send' }))).toBe('dataJob');
  });
});
