// The service scripts start real servers on free loopback ports, stop them by pid, and explain in one
// line what to do when a route to a service is missing.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const SERVICES = path.join(REPO_ROOT, 'scripts', 'services.mjs');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('service scripts', () => {
  it('starts both services, runs a command with their addresses, and stops them by pid', () => {
    const probe = `
      const net = require('node:net');
      const [host, port] = process.env.TEMPORAL_ADDRESS.split(':');
      const redis = new URL(process.env.REDIS_URL);
      console.log(JSON.stringify({ temporal: process.env.TEMPORAL_ADDRESS, redis: process.env.REDIS_URL }));
      const s = net.connect(Number(redis.port), redis.hostname, () => { s.write('PING\\r\\n'); });
      s.on('data', (d) => { console.log('redis:' + d.toString().trim()); s.destroy(); });`;
    const res = spawnSync(process.execPath, [SERVICES, 'run', '--', process.execPath, '-e', probe], {
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: '', RUNTRAIL_QUIET_SERVICES: '1' },
      timeout: 120_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const info = JSON.parse(res.stdout.split('\n')[0] as string) as { temporal: string; redis: string };
    expect(info.temporal).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.redis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(res.stdout).toContain('redis:+PONG');
    // Nothing listens any more once the command returned: the servers were stopped by pid.
    const check = spawnSync(process.execPath, [
      '-e',
      `require('node:net').connect(${new URL(info.redis).port}, '127.0.0.1').on('connect', () => process.exit(1)).on('error', () => process.exit(0))`,
    ]);
    expect(check.status).toBe(0);
  });

  it('explains in one line what to do when TEMPORAL_CLI points nowhere', () => {
    const res = spawnSync(process.execPath, [SERVICES, 'run', '--', 'true'], {
      encoding: 'utf8',
      env: { ...process.env, TEMPORAL_CLI: '/nonexistent/temporal', REDIS_URL: 'redis://127.0.0.1:1' },
      timeout: 60_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('runtrail: TEMPORAL_CLI=/nonexistent/temporal does not exist');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('the process helper never leaves a killed service running', async () => {
    // @ts-expect-error: plain ESM script with JSDoc types
    const { startDetached, stopPid } = await import('../../scripts/lib/process.mjs');
    const proc = startDetached('sleep', ['30'], path.join(REPO_ROOT, '.services', 'sleep-test.log'));
    expect(isAlive(proc.pid)).toBe(true);
    await stopPid(proc.pid, 1000);
    expect(isAlive(proc.pid)).toBe(false);
  });
});
