#!/usr/bin/env node
// @ts-check
// Prints vitest's JSON report as one plain closing line, "tests: N passed, N failed, N skipped", which CI
// systems read without knowing vitest. Usage: node scripts/test-summary.mjs <report.json>
import fs from 'node:fs';

const file = process.argv[2] ?? '';
if (!fs.existsSync(file)) {
  process.stdout.write('tests: 0 passed, 1 failed\n'); // vitest did not even write its report
  process.exit(0);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const failedSuites = (r.testResults ?? []).filter(
  (/** @type {{status: string}} */ s) => s.status === 'failed' && !(s.assertionResults ?? []).length,
).length;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
process.stdout.write(
  `tests: ${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
