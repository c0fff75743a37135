// Deterministic DataHub guids (reference/datahub.md §1): MD5 of the key object serialized like Python's
// `json.dumps(obj, separators=(",", ":"), sort_keys=True)` with ensure_ascii, so every process — and DataHub's
// own SDK — derives the same DataProcessInstance URN for the same execution.
import { createHash } from 'node:crypto';
import { pythonJson } from './python-json.js';

/** DataHub's `datahub_guid(obj)`: 32 lower-case hex characters. `undefined`/`null` members are left out. */
export function dataHubGuid(obj: Record<string, string | undefined | null>): string {
  const present: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) present[k] = v;
  return createHash('md5')
    .update(pythonJson(present, 'compact', true), 'utf8')
    .digest('hex');
}

/** The key of a DataProcessInstance, as DataHub's `DataProcessInstanceKey`. */
export interface DataProcessInstanceKey {
  /** e.g. `temporal`, `bullmq`, `airflow` — the orchestrator string, not a platform URN. */
  orchestrator: string;
  /** Left out of the hash when `undefined` or `null`; an empty string is kept (as in DataHub). */
  cluster?: string | null;
  /** The execution id. */
  id: string;
}

/** `DataProcessInstanceKey(cluster, orchestrator, id).guid()`. */
export function dataProcessInstanceGuid(key: DataProcessInstanceKey): string {
  return dataHubGuid({ cluster: key.cluster, id: key.id, orchestrator: key.orchestrator });
}
