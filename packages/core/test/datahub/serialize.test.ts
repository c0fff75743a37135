// Request bodies byte for byte as DataHub's Python SDK writes them (reference/datahub.md §4.2).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataHubMapper } from '../../src/datahub/mapper.js';
import { pythonJson } from '../../src/datahub/python-json.js';
import { openApiBody, restliBatchBody, restliSingleBody } from '../../src/datahub/serialize.js';
import type { DataHubSystemMetadata } from '../../src/datahub/types.js';
import { activityEnd } from './fixtures.js';

const META: DataHubSystemMetadata = {
  lastObserved: 1705312800123,
  runId: 'no-run-id-provided',
  lastRunId: 'no-run-id-provided',
  properties: { clientId: 'acryl-datahub', clientVersion: '1.2.0' },
};
const golden = (name: string) => fs.readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
const endMcp = () => {
  const mcp = new DataHubMapper().map(activityEnd).at(-1);
  if (!mcp) throw new Error('no MCP');
  return mcp;
};

describe('DataHub request bodies', () => {
  it('writes the Rest.li ingestProposal body of §4.2 to the byte', () => {
    expect(restliSingleBody(endMcp(), META, false)).toBe(golden('restli-ingest-proposal.txt'));
  });

  it('writes the OpenAPI v3 body of §4.2 to the byte', () => {
    expect(openApiBody([endMcp()], META)).toBe(golden('openapi-entity.txt'));
  });

  it('writes ingestProposalBatch with a proposals list and async as a string', () => {
    const body = JSON.parse(restliBatchBody([endMcp(), endMcp()], META, true));
    expect(Object.keys(body)).toEqual(['proposals', 'async']);
    expect(body.async).toBe('true');
    expect(typeof body.proposals[0].aspect.value).toBe('string');
  });

  it('escapes non-ASCII like Python ensure_ascii, inside and outside the aspect string', () => {
    expect(pythonJson({ name: 'données 🚀', n: [1, 2] })).toBe('{"name": "donn\\u00e9es \\ud83d\\ude80", "n": [1, 2]}');
    expect(pythonJson({ a: {}, b: [] })).toBe('{"a": {}, "b": []}');
    expect(pythonJson({ a: undefined, b: 'x' })).toBe('{"b": "x"}');
  });
});
