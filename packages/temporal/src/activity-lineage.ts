// The activity-side lineage API: inside an activity, `activityLineage()` declares inputs, outputs, properties and
// metrics for the current attempt; they travel with that attempt's end event.
import type { DatasetRef } from '@runtrail/core';
import { Context } from '@temporalio/activity';
import type { DeclaredLineage } from './workflow/types.js';

const declarations = new WeakMap<Context, DeclaredLineage>();

/** Declarations collected for one activity context (the interceptor reads them at the attempt's end). */
export function lineageOf(ctx: Context): DeclaredLineage {
  let d = declarations.get(ctx);
  if (!d) {
    d = {};
    declarations.set(ctx, d);
  }
  return d;
}

/** Lineage of the current activity attempt. Outside an activity (or without the plugin) the calls do nothing. */
export interface ActivityLineage {
  input(dataset: DatasetRef): ActivityLineage;
  output(dataset: DatasetRef): ActivityLineage;
  property(key: string, value: string): ActivityLineage;
  metric(key: string, value: number): ActivityLineage;
}

/** Declares lineage for the activity attempt that calls it. Never throws. */
export function activityLineage(): ActivityLineage {
  let d: DeclaredLineage | undefined;
  try {
    d = lineageOf(Context.current());
  } catch {
    d = undefined; // not in an activity
  }
  const api: ActivityLineage = {
    input(dataset) {
      if (d) d.inputs = [...(d.inputs ?? []), { ...dataset }];
      return api;
    },
    output(dataset) {
      if (d) d.outputs = [...(d.outputs ?? []), { ...dataset }];
      return api;
    },
    property(key, value) {
      if (d) d.properties = { ...d.properties, [key]: String(value) };
      return api;
    },
    metric(key, value) {
      if (d) d.metrics = { ...d.metrics, [key]: Number(value) };
      return api;
    },
  };
  return api;
}
