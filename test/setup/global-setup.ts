// Starts the Temporal dev server and Redis once per test run with the project's own scripts, hands their
// addresses to the tests (`inject('temporalAddress')`, `inject('redisUrl')`, also as env vars), and
// stops both by pid at the end.
import type { TestProject } from 'vitest/node';
// @ts-expect-error: plain ESM script with JSDoc types, shared with the demo and the CLI.
import { startServices, stopLeftovers } from '../../scripts/lib/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await stopLeftovers();
  const services = await startServices();
  const temporalAddress: string = services.temporal.address;
  const redisUrl: string = services.redis.url;
  process.env.TEMPORAL_ADDRESS = temporalAddress;
  process.env.REDIS_URL = redisUrl;
  project.provide('temporalAddress', temporalAddress);
  project.provide('redisUrl', redisUrl);
  return async () => {
    await services.stop();
  };
}
