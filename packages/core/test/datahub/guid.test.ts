// DataHub's deterministic DPI guid (reference/datahub.md §1): all 11 vectors, and properties over arbitrary
// unicode against an independent port of Python's `json.dumps(ensure_ascii=True)`.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataHubGuid, dataProcessInstanceGuid } from '../../src/datahub/guid.js';
import { instanceUrn } from '../../src/datahub/urn.js';

const VECTORS: [string, string | null, string, string][] = [
  ['airflow', 'prod', 'scheduled__2024-01-15T10:00:00+00:00', '41ad0fb5612d4d4796d854042ccf418b'],
  ['airflow', 'prod', 'simple_dag_task_1_manual_run_test', 'fdbbbcd638bc0e91bbf8d7775efbecaf'],
  ['airflow', 'prod', 'simple_dag_run_another_data_task_manual_run_test', '888f71b79d9a0b162fe44acad7b2c2ae'],
  ['temporal', 'default', '3f2c1a9e-7b4d-4e6a-9c2b-1d5e8f0a7b63', '66ad75e5705c49bb5e849e8c84b1c136'],
  ['temporal', 'default', 'order-workflow-42/0193c0a2-5b7e-7c1d-8e9f-1a2b3c4d5e6f', '327407a5dec6040ced9c80d5f8ddf65b'],
  ['bullmq', null, 'email-queue:12345', '85e582959dece7756089c2941f864c10'],
  ['bullmq', '', 'email-queue:12345', '028e238051543b470180dd1449ccb2f0'],
  ['bullmq', 'PROD', 'email-queue:12345', 'dc6a6ffb53481c98fcd61c3715a3f4c5'],
  ['temporal', 'prod', 'données-été-✓', '800bf3a4452a14b90946c9b61742f00a'],
  ['temporal', 'prod', 'job-🚀', '22d9d18cabb102e206559ed0b99df3dd'],
  ['temporal', 'prod', 'q"b\\s/\n\t\u007f', '549b43ca796042e1c19754a2bdf6e275'],
];

/** Python's ensure_ascii escaping, written independently of the implementation (per UTF-16 unit). */
function pythonDumps(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short: Record<number, string> = { 34: '\\"', 92: '\\\\', 10: '\\n', 13: '\\r', 9: '\\t', 8: '\\b', 12: '\\f' };
    if (short[c]) out += short[c];
    else if (c < 0x20 || c >= 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

describe('dataProcessInstanceGuid', () => {
  it.each(VECTORS)('reproduces DataHub for (%s, %j, %j)', (orchestrator, cluster, id, md5) => {
    expect(dataProcessInstanceGuid({ orchestrator, cluster, id })).toBe(md5);
  });

  it('gives the example scenario URNs of reference §1', () => {
    const workflow = {
      orchestrator: 'temporal',
      cluster: 'prod',
      flow: 'order-workflow',
      id: 'order-42/0193c0a2-5b7e-7c1d-8e9f-1a2b3c4d5e6f',
    };
    expect(instanceUrn(workflow)).toBe('urn:li:dataProcessInstance:9209714cc4fb5f6bb3d34f77c591bc08');
    expect(instanceUrn({ ...workflow, job: 'chargeCard', id: `${workflow.id}/chargeCard` })).toBe(
      'urn:li:dataProcessInstance:13e6f77eff48b75040e9a8d173ebb1d1',
    );
  });

  it('differs from a naive non-ASCII-escaping serializer on non-ASCII ids', () => {
    expect(dataProcessInstanceGuid({ orchestrator: 'temporal', cluster: 'prod', id: 'données-été-✓' })).not.toMatch(/^a12769f1/);
  });

  it('matches Python json.dumps(sort_keys, ensure_ascii) for arbitrary unicode ids and clusters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
        fc.string(),
        (id, cluster, orch) => {
          const parts = [
            ...(cluster === undefined ? [] : [`"cluster":${pythonDumps(cluster)}`]),
            `"id":${pythonDumps(id)}`,
            `"orchestrator":${pythonDumps(orch)}`,
          ];
          const expected = createHash('md5')
            .update(`{${parts.join(',')}}`, 'utf8')
            .digest('hex');
          expect(dataProcessInstanceGuid({ orchestrator: orch, cluster, id })).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('sorts keys by code point and leaves out null members', () => {
    expect(dataHubGuid({ b: '1', a: '2', c: null })).toBe(createHash('md5').update('{"a":"2","b":"1"}').digest('hex'));
  });
});
