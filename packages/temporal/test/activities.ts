// Activities of the scenario tests: real code run by a real worker, each declaring lineage like users would.
import { activityLineage } from '@runtrail/temporal';
import { ApplicationFailure, Context, heartbeat, sleep } from '@temporalio/activity';

const failuresSoFar = new Map<string, number>();

export const activities = {
  async extract(source: string): Promise<number> {
    activityLineage()
      .input({ platform: 'postgres', name: `shop.${source}` })
      .output({ platform: 's3', name: `lake/${source}` })
      .metric('rows', 42);
    return 42;
  },
  async flaky(key: string, failures: number): Promise<string> {
    const n = failuresSoFar.get(key) ?? 0;
    if (n < failures) {
      failuresSoFar.set(key, n + 1);
      throw new Error(`transient failure ${n + 1}`);
    }
    return `ok after ${n}`;
  },
  async alwaysFails(): Promise<void> {
    throw ApplicationFailure.create({ message: 'the warehouse is gone', type: 'WarehouseGone' });
  },
  async nonRetryable(): Promise<void> {
    throw ApplicationFailure.nonRetryable('bad input', 'BadInput');
  },
  async slow(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  },
  async heartbeating(steps: number): Promise<number> {
    for (let i = 1; i <= steps; i++) {
      heartbeat({ current: i, total: steps, message: `step ${i}` });
      await sleep(50);
      if (Context.current().cancellationSignal.aborted) break;
    }
    return steps;
  },
};
