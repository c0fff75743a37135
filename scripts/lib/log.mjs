// @ts-check
// One place for how the service scripts talk to people: short lines on stderr, and a typed error for
// "this machine cannot provide X" that callers print without a stack trace.

/** Error whose message tells the user what to do; printed without a stack by the CLIs. */
export class SetupError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

/** @param {string} msg */
export function info(msg) {
  if (process.env.RUNTRAIL_QUIET_SERVICES !== '1') process.stderr.write(`[runtrail services] ${msg}\n`);
}

/**
 * Runs `main`, turning a SetupError into one actionable line and exit code 2.
 * @param {() => Promise<void>} main
 */
export async function runCli(main) {
  try {
    await main();
  } catch (err) {
    if (err instanceof SetupError) {
      process.stderr.write(`\nruntrail: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
