// Workflows for the plugin's scenario tests. Bundled once per test file with the runtrail interceptor module.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowLineage } from '../../dist/workflow/index.js';

export interface Activities {
  extract(source: string): Promise<number>;
  flaky(key: string, failures: number): Promise<string>;
  alwaysFails(): Promise<void>;
  nonRetryable(): Promise<void>;
  slow(ms: number): Promise<void>;
  heartbeating(steps: number): Promise<number>;
}

const fast = { initialInterval: '10ms', backoffCoefficient: 1, maximumInterval: '10ms' };

export async function etl(source: string): Promise<number> {
  workflowLineage.input({ platform: 'postgres', name: source });
  workflowLineage.output({ platform: 's3', name: 'lake/out' });
  workflowLineage.property('business', 'daily');
  const { extract } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });
  return await extract(source);
}

export async function retried(key: string): Promise<string> {
  const { flaky } = proxyActivities<Activities>({ startToCloseTimeout: '10s', retry: { ...fast, maximumAttempts: 5 } });
  return await flaky(key, 2);
}

export async function failsForGood(): Promise<string> {
  const { alwaysFails } = proxyActivities<Activities>({ startToCloseTimeout: '10s', retry: { ...fast, maximumAttempts: 2 } });
  await alwaysFails();
  return 'unreachable';
}

export async function nonRetryable(): Promise<void> {
  const { nonRetryable } = proxyActivities<Activities>({ startToCloseTimeout: '10s', retry: { ...fast, maximumAttempts: 5 } });
  await nonRetryable();
}

export async function timesOut(): Promise<string> {
  const { slow } = proxyActivities<Activities>({ startToCloseTimeout: '400ms', retry: { maximumAttempts: 1 } });
  try {
    await slow(1500);
    return 'finished';
  } catch {
    return 'timed out';
  }
}

export async function cancellable(): Promise<number> {
  const { heartbeating } = proxyActivities<Activities>({ startToCloseTimeout: '30s', heartbeatTimeout: '2s' });
  return await heartbeating(1000);
}

export async function parentFlow(depth: number): Promise<string> {
  if (depth <= 0) {
    const { extract } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });
    await extract('leaf');
    return workflowInfo().workflowId;
  }
  return await executeChild(parentFlow, { args: [depth - 1], workflowId: `${workflowInfo().workflowId}-child` });
}

export async function continues(times: number): Promise<number> {
  const { extract } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });
  await extract(`pass-${times}`);
  if (times > 0) await continueAsNew<typeof continues>(times - 1);
  return times;
}

export async function retriedWorkflow(): Promise<number> {
  if (workflowInfo().attempt < 2) throw ApplicationFailure.create({ message: 'first attempt fails' });
  return workflowInfo().attempt;
}

export async function localRetries(key: string): Promise<string> {
  const { flaky } = proxyLocalActivities<Activities>({ startToCloseTimeout: '5s', retry: { ...fast, maximumAttempts: 5 } });
  return await flaky(key, 2);
}

export async function heartbeats(): Promise<number> {
  const { heartbeating } = proxyActivities<Activities>({ startToCloseTimeout: '30s', heartbeatTimeout: '5s' });
  return await heartbeating(8);
}

export const finish = defineSignal<[string]>('finish');
export const bump = defineUpdate<number, [number]>('bump');

export async function interactive(): Promise<string> {
  let value = 0;
  let done = '';
  setHandler(bump, (n: number) => {
    value += n;
    return value;
  });
  setHandler(finish, (word: string) => {
    done = word;
  });
  await condition(() => done !== '');
  return `${done}:${value}`;
}

export async function waitsForever(): Promise<void> {
  await condition(() => false);
}

export async function cancelledWhileSleeping(): Promise<string> {
  try {
    await sleep('1 hour');
    return 'woke';
  } catch (err) {
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
    return 'other';
  }
}
