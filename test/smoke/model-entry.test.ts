// `@runtrail/core/model` is I/O-free: no Node built-ins, no undici, and it bundles into a Temporal workflow.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const MODEL_DIST = path.join(REPO_ROOT, 'packages', 'core', 'dist', 'model');

/** Every module specifier imported by the built model files. */
function importedSpecifiers(): string[] {
  const specs: string[] = [];
  for (const file of fs.readdirSync(MODEL_DIST).filter((f) => f.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(MODEL_DIST, file), 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) specs.push(m[1] as string);
  }
  return specs;
}

describe('@runtrail/core/model entry point', () => {
  it('imports nothing but its own files', () => {
    const specs = importedSpecifiers();
    expect(specs.length).toBeGreaterThan(0);
    expect(specs.filter((s) => !s.startsWith('./'))).toEqual([]);
  });

  it('bundles into a Temporal workflow with bundleWorkflowCode', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(REPO_ROOT, 'test', 'smoke', 'workflows', 'smoke-workflows.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    // The bundle carries the model's code (eventKey) and no Node built-in.
    expect(code).toContain('attemptKey');
    expect(code).not.toMatch(/require\(["']node:/);
  });
});
