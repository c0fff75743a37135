// The size cap (reference/openlineage.md §7 "Large events"): cuts an oversized event below its byte budget
// while keeping every required field, so it still validates. Least valuable parts go first.
import { truncateUtf8, utf8Length } from './truncate.js';
import type { OpenLineageErrorMessageRunFacet, OpenLineageRunEvent, OpenLineageTagsRunFacet } from './types.js';

/** Room kept for the truncation mark and JSON escaping when a string is cut to fit. */
const SLACK_BYTES = 64;
/** An error message keeps at least this much, in bytes. */
const MIN_ERROR_MESSAGE_BYTES = 1024;
/** Identity strings (job, dataset and parent names) are cut to this only as a last resort, in bytes. */
const LAST_RESORT_NAME_BYTES = 1024;

function size(ol: OpenLineageRunEvent): number {
  return utf8Length(JSON.stringify(ol));
}

/** Cuts `value` by the current overflow (plus slack), keeping at least `floor` bytes. */
function cut(value: string, over: number, floor = 0): string {
  return truncateUtf8(value, Math.max(floor, utf8Length(value) - over - SLACK_BYTES));
}

/**
 * Shrinks `ol` in place until it serializes to at most `maxBytes`, in this order: the error's stack trace,
 * long tag values, the error message (down to 1 KiB), the tags and jobDependencies facets, dataset facets,
 * datasets (last first), then names, to 1 KiB each. Returns the final JSON.
 */
export function shrinkToFit(ol: OpenLineageRunEvent, maxBytes: number): string {
  const facets = ol.run.facets ?? {};
  const steps: Array<() => void> = [];
  const error = facets.errorMessage as OpenLineageErrorMessageRunFacet | undefined;
  if (error !== undefined) {
    steps.push(() => {
      if (error.stackTrace === undefined) return;
      const cutTrace = cut(error.stackTrace, size(ol) - maxBytes);
      if (cutTrace === '') delete error.stackTrace;
      else error.stackTrace = cutTrace;
    });
  }
  const tags = facets.tags as OpenLineageTagsRunFacet | undefined;
  if (tags !== undefined) {
    steps.push(() => {
      // Longest first; the overflow is tracked by raw byte savings (≤ the JSON savings) to avoid re-serializing.
      let over = size(ol) - maxBytes;
      for (const tag of [...tags.tags].sort((a, b) => utf8Length(b.value) - utf8Length(a.value))) {
        if (over <= 0) return;
        const before = utf8Length(tag.value);
        tag.value = cut(tag.value, over, 256);
        over -= before - utf8Length(tag.value);
      }
    });
  }
  if (error !== undefined) {
    steps.push(() => {
      error.message = cut(error.message, size(ol) - maxBytes, MIN_ERROR_MESSAGE_BYTES);
    });
  }
  steps.push(() => {
    delete facets.tags;
    delete facets.jobDependencies;
  });
  steps.push(() => {
    for (const d of [...(ol.inputs ?? []), ...(ol.outputs ?? [])]) {
      delete d.facets;
      delete (d as { inputFacets?: unknown }).inputFacets;
      delete (d as { outputFacets?: unknown }).outputFacets;
    }
  });
  for (const list of [ol.outputs, ol.inputs]) {
    if (list === undefined) continue;
    steps.push(() => {
      // Each popped dataset saves its JSON plus a comma; re-serialize only to confirm at the end.
      let current = size(ol);
      while (list.length > 0 && current > maxBytes) current -= utf8Length(JSON.stringify(list.pop())) + 1;
      while (list.length > 0 && size(ol) > maxBytes) list.pop();
    });
  }
  steps.push(() => {
    ol.job.name = truncateUtf8(ol.job.name, LAST_RESORT_NAME_BYTES);
    ol.job.namespace = truncateUtf8(ol.job.namespace, LAST_RESORT_NAME_BYTES);
    for (const ref of [facets.parent, (facets.parent as { root?: unknown } | undefined)?.root]) {
      const job = (ref as { job?: { name: string; namespace: string } } | undefined)?.job;
      if (job !== undefined) {
        job.name = truncateUtf8(job.name, LAST_RESORT_NAME_BYTES);
        job.namespace = truncateUtf8(job.namespace, LAST_RESORT_NAME_BYTES);
      }
    }
    if (error !== undefined) error.message = truncateUtf8(error.message, LAST_RESORT_NAME_BYTES);
  });
  for (const step of steps) {
    if (size(ol) <= maxBytes) break;
    step();
  }
  return JSON.stringify(ol);
}
