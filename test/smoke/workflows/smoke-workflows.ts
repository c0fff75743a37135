// Workflow code for the rig smoke tests. It imports `@runtrail/core/model` to prove that the I/O-free entry
// point bundles into the Temporal workflow sandbox.
import { eventKey, type RunEvent } from '@runtrail/core/model';
import { proxyActivities } from '@temporalio/workflow';

export interface SmokeActivities {
  greet(name: string): Promise<string>;
}

const { greet } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '10s' });

/** Calls one activity and returns its answer together with a key computed by the model inside the sandbox. */
export async function smokeWorkflow(name: string): Promise<{ greeting: string; key: string }> {
  const greeting = await greet(name);
  const event: RunEvent = {
    kind: 'start',
    instance: { orchestrator: 'temporal', cluster: 'prod', flow: 'smokeWorkflow', id: `default/${name}` },
    attempt: 1,
    time: 0,
  };
  return { greeting, key: eventKey(event) };
}
