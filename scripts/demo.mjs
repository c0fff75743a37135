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

/** The examples' runner and the `runtrail` command. */
const EXAMPLES = path.join(ROOT, 'examples', 'run-all.mjs');
const CLI = path.join(ROOT, 'packages', 'cli', 'bin', 'runtrail.js');

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
    // A fresh store per demo run, unless the user points RUNTRAIL_STORE somewhere on purpose.
    const store = process.env.RUNTRAIL_STORE ?? path.join(ROOT, '.runtrail', 'demo', 'runs.jsonl');
    if (!process.env.RUNTRAIL_STORE) fs.rmSync(path.dirname(store), { recursive: true, force: true });
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: services.temporal?.address ?? '',
      REDIS_URL: services.redis?.url ?? '',
      RUNTRAIL_STORE: store,
    };
    process.stdout.write(
      `Temporal dev server: ${env.TEMPORAL_ADDRESS}\nRedis: ${env.REDIS_URL}\nrun store: ${path.relative(ROOT, store)}\n\n`,
    );
    code = await node([EXAMPLES], env);
    if (code === 0) {
      process.stdout.write('\n== runtrail runs ==\n\n');
      code = await node([CLI, 'runs', '--store', store], env);
      const dir = path.dirname(store);
      for (const [format, file] of [
        ['html', 'lineage.html'],
        ['mermaid', 'lineage.mmd'],
      ]) {
        code ||= await node([CLI, 'graph', '--store', store, '--format', format, '--out', path.join(dir, file)], env);
      }
      process.stdout.write(
        `\nlineage graph: ${path.relative(ROOT, path.join(dir, 'lineage.html'))} (open it in a browser), ${path.relative(ROOT, path.join(dir, 'lineage.mmd'))}\n`,
      );
    }
  } finally {
    await services.stop();
    process.stdout.write('\nservices stopped\n');
  }
  process.exit(code);
});
