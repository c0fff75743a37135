// Builders for the standard facets runtrail emits, with the exact versioned `_schemaURL`s the official clients
// send (`https://openlineage.io/spec/facets/<ver>/<Name>.json#/$defs/<Name>`, reference/openlineage.md §2).
import type {
  OpenLineageErrorMessageRunFacet,
  OpenLineageJobDependenciesRunFacet,
  OpenLineageJobDependency,
  OpenLineageJobTypeJobFacet,
  OpenLineageNominalTimeRunFacet,
  OpenLineageParentRunFacet,
  OpenLineageProcessingEngineRunFacet,
  OpenLineageRunRef,
  OpenLineageTag,
  OpenLineageTagsRunFacet,
} from './types.js';

/** runtrail's version, reported as `processing_engine.openlineageAdapterVersion` and in the producer URI. */
export const RUNTRAIL_VERSION = '0.1.0';

/** Default `producer` / `_producer`: the code that produced the event (a URI, as the schema requires). */
export const DEFAULT_OPENLINEAGE_PRODUCER = `https://github.com/runtrail/runtrail/tree/v${RUNTRAIL_VERSION}/packages/core`;

/** `schemaURL` of a 2-0-2 RunEvent, as the clients send it (client/python/.../generated/base.py). */
export const OPENLINEAGE_RUN_EVENT_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** Facet schema versions vendored in shared/spec/openlineage (OpenLineage@8f02abf). */
export const OPENLINEAGE_FACET_SCHEMA_URLS = {
  parent: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  processing_engine: 'https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
  errorMessage: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  nominalTime: 'https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet',
  tags: 'https://openlineage.io/spec/facets/1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet',
  jobDependencies: 'https://openlineage.io/spec/facets/1-0-1/JobDependenciesRunFacet.json#/$defs/JobDependenciesRunFacet',
} as const;

/** `parent` run facet; `root` repeats the chain's root (both run and job are required there when present). */
export function parentRunFacet(producer: string, parent: OpenLineageRunRef, root?: OpenLineageRunRef): OpenLineageParentRunFacet {
  const facet: OpenLineageParentRunFacet = {
    _producer: producer,
    _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.parent,
    run: parent.run,
    job: parent.job,
  };
  if (root) facet.root = root;
  return facet;
}

/** `jobType` job facet, e.g. `{BATCH, TEMPORAL, ACTIVITY}` (Airflow sends `{BATCH, AIRFLOW, TASK}`). */
export function jobTypeJobFacet(
  producer: string,
  processingType: OpenLineageJobTypeJobFacet['processingType'],
  integration: string,
  jobType: string,
): OpenLineageJobTypeJobFacet {
  return { _producer: producer, _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.jobType, processingType, integration, jobType };
}

/** `processing_engine` run facet: the orchestrator (name, version) and runtrail's version. */
export function processingEngineRunFacet(producer: string, name: string, version: string): OpenLineageProcessingEngineRunFacet {
  return {
    _producer: producer,
    _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.processing_engine,
    name,
    version,
    openlineageAdapterVersion: RUNTRAIL_VERSION,
  };
}

/** `errorMessage` run facet; `stackTrace` is left out when absent (a `null` would fail `type: string`). */
export function errorMessageRunFacet(
  producer: string,
  message: string,
  programmingLanguage: string,
  stackTrace?: string,
): OpenLineageErrorMessageRunFacet {
  const facet: OpenLineageErrorMessageRunFacet = {
    _producer: producer,
    _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.errorMessage,
    message,
    programmingLanguage,
  };
  if (stackTrace !== undefined && stackTrace !== '') facet.stackTrace = stackTrace;
  return facet;
}

/** `nominalTime` run facet from epoch milliseconds. */
export function nominalTimeRunFacet(producer: string, startMillis: number, endMillis?: number): OpenLineageNominalTimeRunFacet {
  const facet: OpenLineageNominalTimeRunFacet = {
    _producer: producer,
    _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.nominalTime,
    nominalStartTime: new Date(startMillis).toISOString(),
  };
  if (endMillis !== undefined) facet.nominalEndTime = new Date(endMillis).toISOString();
  return facet;
}

/** `tags` run facet. */
export function tagsRunFacet(producer: string, tags: OpenLineageTag[]): OpenLineageTagsRunFacet {
  return { _producer: producer, _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.tags, tags };
}

/** `jobDependencies` run facet with upstream edges only. */
export function jobDependenciesRunFacet(producer: string, upstream: OpenLineageJobDependency[]): OpenLineageJobDependenciesRunFacet {
  return { _producer: producer, _schemaURL: OPENLINEAGE_FACET_SCHEMA_URLS.jobDependencies, upstream };
}
