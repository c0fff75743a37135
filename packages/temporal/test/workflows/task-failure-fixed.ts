// The same workflow type after the fix is deployed: the open run completes.
export async function taskFailure(): Promise<string> {
  return 'fixed';
}
