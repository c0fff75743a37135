// The workflow-side lineage API: datasets, properties and metrics declared from workflow code for the current
// run, sent with its end event. Module state is per workflow run (the SDK gives each run its own module cache)
// and is rebuilt identically on replay, so declarations are deterministic.
import type { DatasetRef } from '@runtrail/core/model';
import type { DeclaredLineage } from './types.js';

let declared: DeclaredLineage = {};

/** Declares lineage for the current workflow run. Never throws; call it from workflow code only. */
export const workflowLineage = {
  /** A dataset the run reads. */
  input(dataset: DatasetRef): void {
    declared.inputs = [...(declared.inputs ?? []), { ...dataset }];
  },
  /** A dataset the run writes. */
  output(dataset: DatasetRef): void {
    declared.outputs = [...(declared.outputs ?? []), { ...dataset }];
  },
  /** A string property shown with the run (e.g. a business key). */
  property(key: string, value: string): void {
    declared.properties = { ...declared.properties, [key]: String(value) };
  },
  /** A numeric metric of the run (e.g. rows processed). */
  metric(key: string, value: number): void {
    declared.metrics = { ...declared.metrics, [key]: Number(value) };
  },
};

/** What was declared so far (a copy), for the run's end event. */
export function declaredWorkflowLineage(): DeclaredLineage {
  // JSON round trip: structuredClone does not exist in the workflow sandbox.
  return JSON.parse(JSON.stringify(declared)) as DeclaredLineage;
}

/** Starts a run's declarations afresh (each run instantiates this module anew; this guards reuse). */
export function resetWorkflowLineage(): void {
  declared = {};
}
