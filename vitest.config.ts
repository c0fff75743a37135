// Two projects: `unit` needs no services; `integration` gets a real Temporal dev server and Redis from
// test/setup/global-setup.ts (started on free loopback ports, stopped by pid).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/core/test/**/*.test.ts', 'packages/cli/test/**/*.test.ts'],
          testTimeout: 30_000,
          // Unit files run first, then the integration files: timing-sensitive unit tests (host safety) do not
          // share the two cores with Temporal workers.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['packages/temporal/test/**/*.test.ts', 'packages/bullmq/test/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/quiet-temporal.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file starts workers against the shared servers; two at a time suits a 2-core machine.
          maxWorkers: 2,
        },
      },
    ],
  },
});
