// @ts-check
// The other build an A/B bench measures this tree against (bullmq/versus-build.mjs, delivery/thread-versus-build.mjs):
// a runtrail checkout built on its own (`pnpm install && pnpm build`), named by the script's first argument.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The checkout named by `arg` and a loader of its built modules; throws `usage` when it is not a built checkout.
 * @param {string | undefined} arg
 * @param {string} usage
 */
export function otherBuild(arg, usage) {
  const root = arg ? path.resolve(arg) : undefined;
  if (!root || !fs.existsSync(path.join(root, 'packages', 'bullmq', 'dist', 'index.js'))) throw new Error(usage);
  return {
    root,
    /** Imports `<root>/<relative>` (e.g. `packages/core/dist/index.js`). @param {string} relative */
    load: (relative) => import(pathToFileURL(path.join(root, relative)).href),
  };
}
