// A workflow whose code has a bug: a plain Error is a workflow-task failure, so the run stays open.
export async function taskFailure(): Promise<string> {
  throw new Error('bug in workflow code');
}
