#!/usr/bin/env node
// @ts-check
// The demo: start the Temporal dev server and Redis, run the example pipelines against them (events go to
// the embedded store, .runtrail/runs.jsonl, plus DataHub / OpenLineage when configured), print the run tree
// and write the lineage graph, then stop the services by pid — also when a step fails or on Ctrl-C.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from './lib/log.mjs';
import { ROOT, startServices, stopLeftovers } from './lib/services.mjs';

/** The examples' runner; absent until the examples exist. */
const EXAMPLES = path.join(ROOT, 'examples', 'run-all.mjs');

/**
 * Runs a node script with the services' addresses in its environment; resolves with its exit code.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
function node(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: ROOT });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

await runCli(async () => {
  await stopLeftovers();
  const services = await startServices();
  const stopOnSignal = () => {
    void services.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  let code = 0;
  try {
    const env = { ...process.env, TEMPORAL_ADDRESS: services.temporal?.address ?? '', REDIS_URL: services.redis?.url ?? '' };
    process.stdout.write(`Temporal dev server: ${env.TEMPORAL_ADDRESS}\nRedis: ${env.REDIS_URL}\n\n`);
    if (fs.existsSync(EXAMPLES)) {
      code = await node([EXAMPLES], env);
    } else {
      process.stdout.write('no pipelines yet\n');
    }
  } finally {
    await services.stop();
    process.stdout.write('\nservices stopped\n');
  }
  process.exit(code);
});
