// The processor-side lineage API: `jobLineage(job)` declares inputs, outputs, properties and metrics for the
// job's current attempt; they travel with that attempt's end event.
import type { DatasetRef } from '@runtrail/core';

/** What a processor declared for one attempt. */
export interface JobDeclarations {
  inputs?: DatasetRef[];
  outputs?: DatasetRef[];
  properties?: Record<string, string>;
  metrics?: Record<string, number>;
}

interface JobLike {
  id?: string;
  attemptsStarted?: number;
}

const declarations = new WeakMap<object, JobDeclarations>();
/** Jobs with declarations not taken yet: when none, taking costs nothing (the hot path of every job end). */
let pending = 0;

/** Lineage of a job's current attempt. */
export interface JobLineage {
  input(dataset: DatasetRef): JobLineage;
  output(dataset: DatasetRef): JobLineage;
  property(key: string, value: string): JobLineage;
  metric(key: string, value: number): JobLineage;
}

/** Declares lineage for `job` (the object the processor received). Never throws. */
export function jobLineage(job: JobLike): JobLineage {
  let d = declarations.get(job);
  if (!d) {
    d = {};
    declarations.set(job, d);
    pending++;
  }
  const decl = d;
  const api: JobLineage = {
    input(dataset) {
      decl.inputs = [...(decl.inputs ?? []), { ...dataset }];
      return api;
    },
    output(dataset) {
      decl.outputs = [...(decl.outputs ?? []), { ...dataset }];
      return api;
    },
    property(key, value) {
      decl.properties = { ...decl.properties, [key]: String(value) };
      return api;
    },
    metric(key, value) {
      decl.metrics = { ...decl.metrics, [key]: Number(value) };
      return api;
    },
  };
  return api;
}

/** Takes (and forgets) what was declared for `job`. */
export function takeDeclarations(job: object): JobDeclarations | undefined {
  if (pending === 0) return undefined;
  const d = declarations.get(job);
  if (d === undefined) return undefined;
  declarations.delete(job);
  pending--;
  return d;
}
