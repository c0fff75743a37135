// The `runtrail` command on a fixture store, run as users run it (the built bin in a child process), and its
// renderers: run tree (attempts, links, cycles), lineage graphs, tail, and `send` into strict loopback backends.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildGraph, buildInstances, followStore, renderTree, toDot, toHtml, toMermaid } from '@runtrail/cli';
import type { RunEvent } from '@runtrail/core';
import { describe, expect, it } from 'vitest';
import { validateOpenLineageEvent } from '../../../test/helpers/openlineage-schema.js';
import { StrictGmsServer } from '../../../test/helpers/strict-gms.js';
import { StrictOpenLineageServer } from '../../../test/helpers/strict-openlineage.js';
import { FIXTURE_EVENTS } from './fixtures.js';

const run = promisify(execFile);
const BIN = new URL('../bin/runtrail.js', import.meta.url).pathname;

function storeWith(events: RunEvent[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cli-')), 'runs.jsonl');
  fs.writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"partial":`);
  return file;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('runtrail runs', () => {
  it('shows flows with their jobs, attempts, errors, durations and hand-off links', async () => {
    const { stdout, code } = await cli(['runs', '--store', storeWith(FIXTURE_EVENTS)]);
    expect(code).toBe(0);
    expect(stdout).toContain('etl [temporal] default/etl-1/run-a  success  1.0 s');
    expect(stdout).toMatch(/├─ etl › clean \[temporal\] default\/etl-1\/run-a\/1 {2}success {2}250 ms/);
    expect(stdout).toContain('attempt 1: retry  10 ms  bucket unavailable');
    expect(stdout).toContain('attempt 2: success  30 ms');
    expect(stdout).toMatch(/└─ transform \[temporal\] default\/etl-1-t\/run-b {2}running/);
    expect(stdout).toContain('↖ upstream: clean (temporal default/etl-1/run-a/1)');
    expect(stdout).toContain('attempt 1: failure  10 ms  smtp refused');
    expect(stdout).toContain('reads postgres:shop.orders');
    expect(stdout).not.toContain('\u001b[');
  });

  it('stops at parent cycles instead of recursing forever', () => {
    const lines = renderTree(buildInstances(FIXTURE_EVENTS), (_c, t) => t);
    expect(lines.filter((l) => l.includes('loop › a'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('(shown above)'))).toBe(true);
  });

  it('colours statuses on a TTY-like request (FORCE_COLOR) and prints JSON on --json', async () => {
    const store = storeWith(FIXTURE_EVENTS);
    const coloured = await cli(['runs', '--store', store], { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\u001b[32msuccess\u001b[0m');
    const json = JSON.parse((await cli(['runs', '--store', store, '--json'])).stdout);
    expect(json.find((v: { ref: { job?: string } }) => v.ref.job === 'clean').attempts).toHaveLength(2);
  });

  it('answers usage errors with exit code 2 and one clear line', async () => {
    const bad = await cli(['graph', '--format', 'png']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^runtrail: --format must be mermaid, dot or html, not png/);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
  });
});

describe('runtrail graph', () => {
  const graph = buildGraph(buildInstances(FIXTURE_EVENTS));

  it('joins datasets, jobs and hand-offs across orchestrators', () => {
    expect([...graph.datasets.keys()].sort()).toEqual(['postgres:shop.orders', 's3:lake/orders']);
    const kinds = graph.edges.map((e) => e.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['parent', 'reads', 'upstream', 'writes']));
    expect(toMermaid(graph)).toMatch(/^flowchart LR\n/);
    expect(toMermaid(graph)).toContain('==>|hand-off|');
    expect(toDot(graph)).toMatch(/^digraph lineage \{[\s\S]*shape=cylinder[\s\S]*\}\n$/);
  });

  it('writes a self-contained HTML page', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-graph-')), 'lineage.html');
    const res = await cli(['graph', '--store', storeWith(FIXTURE_EVENTS), '--format', 'html', '--out', out]);
    expect(res.code).toBe(0);
    const page = fs.readFileSync(out, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('postgres:shop.orders');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(toHtml(graph)).toContain(`${graph.jobs.size} jobs, 2 datasets`);
  });
});

describe('runtrail tail', () => {
  it('follows a store that does not exist yet, across partial lines', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-tail-')), 'runs.jsonl');
    const seen: RunEvent[] = [];
    const stop = followStore(file, (e) => seen.push(e), { intervalMillis: 20 });
    const [a, b] = FIXTURE_EVENTS as [RunEvent, RunEvent];
    const line = JSON.stringify(b);
    fs.writeFileSync(file, `${JSON.stringify(a)}\n${line.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toHaveLength(1);
    fs.appendFileSync(file, `${line.slice(10)}\n`);
    await new Promise((r) => setTimeout(r, 80));
    stop();
    expect(seen.map((e) => e.kind)).toEqual(['start', 'start']);
  });
});

describe('runtrail send', () => {
  it('replays the store into OpenLineage and DataHub, which accept every event', async () => {
    const ol = await StrictOpenLineageServer.start();
    const gms = await new StrictGmsServer().start();
    try {
      const res = await cli(['send', '--store', storeWith(FIXTURE_EVENTS)], { OPENLINEAGE_URL: ol.url, DATAHUB_GMS_URL: gms.url });
      expect(res.stderr).toMatch(/sent \d+\/\d+/);
      expect(res.stdout).toMatch(/^\d+ delivered, 0 dead-lettered, 0 undelivered/);
      expect(res.code).toBe(0);
      expect(ol.accepted.length).toBe(FIXTURE_EVENTS.length);
      for (const e of ol.accepted) expect(validateOpenLineageEvent(e)).toEqual([]);
      expect(gms.accepted.filter((m) => m.aspectName === 'dataProcessInstanceRunEvent').length).toBe(
        FIXTURE_EVENTS.filter((e) => e.kind === 'start' || e.kind === 'end').length,
      );
    } finally {
      await ol.close();
      await gms.stop();
    }
  });

  it('says where to configure a backend when none is set', async () => {
    const res = await cli(['send', '--store', storeWith(FIXTURE_EVENTS)], { OPENLINEAGE_URL: '', DATAHUB_GMS_URL: '' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/set DATAHUB_GMS_URL and\/or OPENLINEAGE_URL/);
  });
});
