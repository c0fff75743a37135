// The run store read back as instances: each execution with its attempts, links and datasets. Everything the
// `runtrail` commands show is derived from here.
import type { DatasetRef, InstanceRef, RunEvent, RunStatus } from '@runtrail/core';

/** One attempt of an instance. */
export interface AttemptView {
  attempt: number;
  start?: number;
  end?: number;
  status?: RunStatus;
  native?: string;
  error?: string;
}

/** One execution (flow or job instance) as the store knows it. */
export interface InstanceView {
  key: string;
  ref: InstanceRef;
  attempts: AttemptView[];
  queuedAt?: number;
  parent?: string;
  root?: string;
  upstream: string[];
  inputs: DatasetRef[];
  outputs: DatasetRef[];
  properties: Record<string, string>;
}

/** Key of an instance across orchestrators: `orchestrator|cluster|id`. */
export function keyOf(ref: InstanceRef): string {
  return `${ref.orchestrator}|${ref.cluster}|${ref.id}`;
}

function addDatasets(into: DatasetRef[], more: DatasetRef[] | undefined): void {
  for (const d of more ?? []) if (!into.some((x) => x.platform === d.platform && x.name === d.name)) into.push(d);
}

/** Folds events (any order, duplicates allowed) into instances keyed by `keyOf`. */
export function buildInstances(events: readonly RunEvent[]): Map<string, InstanceView> {
  const instances = new Map<string, InstanceView>();
  const ensure = (ref: InstanceRef): InstanceView => {
    const key = keyOf(ref);
    let view = instances.get(key);
    if (!view) {
      view = { key, ref: { ...ref }, attempts: [], upstream: [], inputs: [], outputs: [], properties: {} };
      instances.set(key, view);
    }
    return view;
  };
  for (const e of events) {
    if (!e?.instance?.id) continue;
    const view = ensure(e.instance);
    if (e.parent) view.parent = keyOf(e.parent);
    if (e.root) view.root = keyOf(e.root);
    for (const u of e.upstream ?? []) if (!view.upstream.includes(keyOf(u))) view.upstream.push(keyOf(u));
    addDatasets(view.inputs, e.inputs);
    addDatasets(view.outputs, e.outputs);
    Object.assign(view.properties, e.properties);
    if (e.kind === 'queued') {
      view.queuedAt = Math.min(view.queuedAt ?? e.time, e.time);
      continue;
    }
    let attempt = view.attempts.find((a) => a.attempt === e.attempt);
    if (!attempt) {
      attempt = { attempt: e.attempt };
      view.attempts.push(attempt);
      view.attempts.sort((a, b) => a.attempt - b.attempt);
    }
    if (e.kind === 'start') attempt.start = e.time;
    if (e.kind === 'end' && attempt.status === undefined) {
      attempt.end = e.time;
      attempt.start ??= e.startTime;
      attempt.status = e.result?.status;
      attempt.native = e.result?.native;
      attempt.error = e.result?.error?.message;
    }
  }
  return instances;
}

/** The instance's overall status: its last attempt's, `running` while open, `queued` before any start. */
export function statusOf(view: InstanceView): string {
  const last = view.attempts.at(-1);
  if (!last) return view.queuedAt !== undefined ? 'queued' : 'unknown';
  return last.status ?? 'running';
}

/** Duration of the whole execution (first start → last end), in ms, when known. */
export function durationOf(view: InstanceView): number | undefined {
  const first = view.attempts[0]?.start;
  const last = view.attempts.at(-1)?.end;
  return first !== undefined && last !== undefined ? last - first : undefined;
}
