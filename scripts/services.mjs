#!/usr/bin/env node
// @ts-check
// `node scripts/services.mjs run -- <command…>`: starts the Temporal dev server and Redis, runs the
// command with TEMPORAL_ADDRESS / REDIS_URL set, then stops both by pid (also on Ctrl-C).
// `node scripts/services.mjs cleanup`: stops services left behind by a run that was killed.
import { spawn } from 'node:child_process';
import { runCli } from './lib/log.mjs';
import { startServices, stopLeftovers } from './lib/services.mjs';

await runCli(async () => {
  const [verb, ...rest] = process.argv.slice(2);
  if (verb === 'cleanup') return stopLeftovers();
  if (verb !== 'run') {
    process.stderr.write('usage: node scripts/services.mjs run -- <command…> | cleanup\n');
    process.exit(64);
  }
  const cmd = rest[0] === '--' ? rest.slice(1) : rest;
  await stopLeftovers();
  const s = await startServices();
  const env = { ...process.env, TEMPORAL_ADDRESS: s.temporal?.address ?? '', REDIS_URL: s.redis?.url ?? '' };
  let code = 0;
  if (cmd.length > 0) {
    const child = spawn(/** @type {string} */ (cmd[0]), cmd.slice(1), { stdio: 'inherit', env });
    const forward = (/** @type {NodeJS.Signals} */ sig) => child.kill(sig);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  } else {
    process.stdout.write(`TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}\nREDIS_URL=${env.REDIS_URL}\n`);
  }
  await s.stop();
  process.exit(code);
});
