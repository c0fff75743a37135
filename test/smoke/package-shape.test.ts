// Package shape: every published package is ESM with an exports map whose targets exist after the build,
// types alongside, and hand-written peer ranges for the orchestrator libraries.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

interface Manifest {
  name: string;
  type?: string;
  exports?: Record<string, string | { types: string; default: string }>;
  peerDependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

const PACKAGES = ['core', 'temporal', 'bullmq', 'cli'];

function manifest(pkg: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'packages', pkg, 'package.json'), 'utf8')) as Manifest;
}

describe('package shape', () => {
  for (const pkg of PACKAGES) {
    it(`@runtrail/${pkg} is ESM and every export target exists with its types`, () => {
      const m = manifest(pkg);
      expect(m.name).toBe(`@runtrail/${pkg}`);
      expect(m.type).toBe('module');
      const targets = Object.entries(m.exports ?? {}).filter(([k]) => k !== './package.json');
      expect(targets.length).toBeGreaterThan(0);
      for (const [, t] of targets) {
        if (typeof t === 'string') continue;
        expect(fs.existsSync(path.join(REPO_ROOT, 'packages', pkg, t.default)), t.default).toBe(true);
        expect(fs.existsSync(path.join(REPO_ROOT, 'packages', pkg, t.types)), t.types).toBe(true);
      }
    });
  }

  it('@runtrail/core exposes the sandbox-safe ./model subpath', () => {
    expect(Object.keys(manifest('core').exports ?? {})).toContain('./model');
  });

  it('peer dependencies name the orchestrator libraries the tests run against', () => {
    expect(manifest('temporal').peerDependencies).toMatchObject({ '@temporalio/worker': '~1.24.0', '@temporalio/workflow': '~1.24.0' });
    expect(Object.keys(manifest('bullmq').peerDependencies ?? {})).toContain('bullmq');
  });

  it('the runtrail command is a bin of @runtrail/cli', () => {
    expect(manifest('cli').bin?.runtrail).toBe('./bin/runtrail.js');
    expect(fs.existsSync(path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'runtrail.js'))).toBe(true);
  });
});
