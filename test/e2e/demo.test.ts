// The README's demo, end to end: `node scripts/demo.mjs` starts its own Temporal dev server and Redis, runs the
// three examples, prints the run tree and writes the lineage graph, then stops the services. Checks the output.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

function demo(store: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs')], {
      cwd: REPO_ROOT,
      env: { ...process.env, RUNTRAIL_STORE: store, NO_COLOR: '1', DATAHUB_GMS_URL: '', OPENLINEAGE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('the demo command', () => {
  it('runs the three examples and shows their runs, attempts and links', async () => {
    const store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-demo-')), 'runs.jsonl');
    const { code, out } = await demo(store);
    expect(code, out).toBe(0);
    // Tree shape: the ETL run with its activities and child workflow, the BullMQ flow, the hand-off.
    expect(out).toMatch(/^etlPipeline \[temporal\] default\/etl-\S+ {2}success/m);
    expect(out).toMatch(/^├─ transform \[temporal\] \S+ {2}success/m);
    expect(out).toMatch(/└─ transform › clean \[temporal\] \S+ {2}success/);
    expect(out).toMatch(/attempt 1: retry \(RETRY\) .*staging bucket briefly unavailable/);
    expect(out).toMatch(/^runtrail-example-reports › regional-report \[bullmq\] \S+ {2}success/m);
    expect(out).toMatch(/attempt 1: retry \(backoff\) .*us broker timed out/);
    expect(out).toMatch(/^runtrail-example-notify › notify-subscribers \[bullmq\] \S+ {2}success\b/m);
    expect(out).toMatch(/↖ upstream: publishReport \(temporal default\/daily-report-/);
    expect(out).toContain('15 instances: 15 success');
    expect(out).toContain('services stopped');
    const dir = path.dirname(store);
    expect(fs.readFileSync(path.join(dir, 'lineage.html'), 'utf8')).toContain('snowflake:analytics.public.orders_daily');
    expect(fs.readFileSync(path.join(dir, 'lineage.mmd'), 'utf8')).toMatch(/^flowchart LR/);
  }, 240_000);
});
