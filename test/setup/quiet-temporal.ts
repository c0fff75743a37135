// Keeps the Temporal SDK's worker logs at WARN in tests (its INFO state changes drown the test output).
// Runtime.install may run only once per process, and test files may share a process.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
