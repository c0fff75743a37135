// DataHub's own Python SDK (acryl-datahub, pinned in scripts/lib/datahub-oracle.mjs) as the oracle: every MCP of a
// broad sample loads with MetadataChangeProposalWrapper.from_obj, validates, and re-serializes to the same bytes;
// DPI, template and dataset URNs equal the ones the SDK builds. Needs Python 3 (CI has it; the venv is installed
// on first use, so this file may take a minute the first time).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper without types
import { ensureDataHubOracle } from '../../../../scripts/lib/datahub-oracle.mjs';
import { DataHubMapper } from '../../src/datahub/mapper.js';
import { restliProposal } from '../../src/datahub/serialize.js';
import { datasetUrnFromRef, instanceUrn, templateUrn } from '../../src/datahub/urn.js';
import type { DatasetRef, InstanceRef, RunEvent, RunStatus } from '../../src/model/run-event.js';
import { ACTIVITY, activityEnd, activityStart, WORKFLOW } from './fixtures.js';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../../..');
const SCRIPT = fileURLToPath(new URL('./oracle/check_mcps.py', import.meta.url));
let python = '';

beforeAll(() => {
  python = ensureDataHubOracle(ROOT) as string;
}, 600_000);

function oracle(request: unknown): { checked: number; problems: string[] } {
  const res = spawnSync(python, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`oracle failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

const STATUSES: RunStatus[] = ['success', 'retry', 'failure', 'cancelled', 'skipped', 'timed_out', 'terminated'];

describe("DataHub's Python SDK as oracle", () => {
  it('accepts every MCP of every outcome and option, byte for byte', () => {
    const events: RunEvent[] = [];
    for (const status of STATUSES) {
      const instance = { ...ACTIVITY, id: `${ACTIVITY.id}/${status}`, createdAt: undefined };
      events.push(
        { ...activityStart, instance, upstream: [WORKFLOW], properties: { ünïcode: 'välue 🚀' } },
        {
          ...activityEnd,
          instance,
          outputs: activityStart.outputs,
          result: { status, native: status === 'success' ? undefined : `native-${status}`, error: { message: 'boom "quoted" \u007f' } },
        },
      );
    }
    events.push({ ...activityStart, instance: { ...WORKFLOW, cluster: 'default' }, parent: undefined });
    const proposals = [
      new DataHubMapper(),
      new DataHubMapper({ platformInstance: 'eu1', subType: () => 'Activity', container: 'c0ffee', edges: false }),
      new DataHubMapper({ templates: 'none' }),
    ].flatMap((mapper) => events.flatMap((e) => mapper.map(e)).map((m) => restliProposal(m, undefined)));
    const report = oracle({ proposals });
    expect(report.problems).toEqual([]);
    expect(report.checked).toBe(proposals.length);
    expect(new Set(proposals.map((p) => p.aspectName)).size).toBeGreaterThanOrEqual(13);
  });

  it('builds the same DPI, template and dataset URNs as the SDK for arbitrary ids', () => {
    const part = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0 && !s.includes('␟'));
    const samples = fc.sample(fc.tuple(part, part, part, fc.constantFrom('prod', 'PROD', 'dev', 'default', 'eu-1')), {
      numRuns: 150,
      seed: 42,
    });
    const instances: object[] = [];
    const templates: object[] = [];
    const datasets: object[] = [];
    for (const [flow, job, id, cluster] of samples) {
      const ref: InstanceRef = { orchestrator: 'temporal', cluster, flow, job, id };
      instances.push({ orchestrator: ref.orchestrator, cluster, id, urn: instanceUrn(ref) });
      templates.push(
        { orchestrator: 'temporal', flow, cluster, job, urn: templateUrn(ref) },
        { orchestrator: 'bullmq', flow, cluster, urn: templateUrn({ ...ref, orchestrator: 'bullmq', job: undefined }) },
      );
      const ds: DatasetRef = { platform: 'postgres', name: `${flow}.${job}`, env: cluster === 'eu-1' ? 'prod' : cluster };
      datasets.push({ platform: ds.platform, name: ds.name, env: ds.env, urn: datasetUrnFromRef(ds) });
    }
    const report = oracle({ instances, templates, datasets });
    expect(report.problems).toEqual([]);
    expect(report.checked).toBe(instances.length + templates.length + datasets.length);
  });
});
