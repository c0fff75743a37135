// Public OpenLineage 2-0-2 wire types (shared/spec/openlineage/OpenLineage.json and the facet schemas), as
// runtrail produces them. Only the fields runtrail sets are typed closely; facets stay open (`additionalProperties`).

/** `_producer` and `_schemaURL`, required on every facet (`$defs/BaseFacet`). */
export interface OpenLineageBaseFacet {
  _producer: string;
  _schemaURL: string;
  [key: string]: unknown;
}

/** A reference to a run and its job (ParentRunFacet 1-2-0 `run`/`job`, also `root`). */
export interface OpenLineageRunRef {
  run: { runId: string; facets?: Record<string, OpenLineageBaseFacet> };
  job: { namespace: string; name: string; facets?: Record<string, OpenLineageBaseFacet> };
}

/** `parent` run facet (ParentRunFacet 1-2-0): the run that spawned this one, and the root of the chain. */
export interface OpenLineageParentRunFacet extends OpenLineageBaseFacet, OpenLineageRunRef {
  root?: OpenLineageRunRef;
}

/** `jobType` job facet (JobTypeJobFacet 2-0-4). */
export interface OpenLineageJobTypeJobFacet extends OpenLineageBaseFacet {
  processingType: 'BATCH' | 'STREAMING' | 'SERVICE';
  integration: string;
  jobType?: string;
}

/** `processing_engine` run facet (ProcessingEngineRunFacet 1-1-1; the key is snake_case). */
export interface OpenLineageProcessingEngineRunFacet extends OpenLineageBaseFacet {
  version: string;
  name?: string;
  openlineageAdapterVersion?: string;
}

/** `errorMessage` run facet (ErrorMessageRunFacet 1-0-1). */
export interface OpenLineageErrorMessageRunFacet extends OpenLineageBaseFacet {
  message: string;
  programmingLanguage: string;
  stackTrace?: string;
}

/** `nominalTime` run facet (NominalTimeRunFacet 1-0-1): the schedule time, RFC 3339. */
export interface OpenLineageNominalTimeRunFacet extends OpenLineageBaseFacet {
  nominalStartTime: string;
  nominalEndTime?: string;
}

/** One tag of a `tags` facet (TagsRunFacet 1-0-0). */
export interface OpenLineageTag {
  key: string;
  value: string;
  source?: string;
}

/** `tags` run facet (TagsRunFacet 1-0-0). runtrail puts the retry fields and the event's properties here. */
export interface OpenLineageTagsRunFacet extends OpenLineageBaseFacet {
  tags: OpenLineageTag[];
}

/** One edge of a `jobDependencies` run facet (JobDependenciesRunFacet 1-0-1). */
export interface OpenLineageJobDependency {
  job: { namespace: string; name: string };
  run?: { runId: string };
  dependency_type?: string;
  sequence_trigger_rule?: string;
  status_trigger_rule?: string;
}

/** `jobDependencies` run facet: runtrail's `upstream` predecessors (continue-as-new, hand-offs). */
export interface OpenLineageJobDependenciesRunFacet extends OpenLineageBaseFacet {
  upstream?: OpenLineageJobDependency[];
  downstream?: OpenLineageJobDependency[];
  trigger_rule?: string;
}

/** A dataset as OpenLineage names it (`$defs/Dataset`): namespace + name, per the naming spec. */
export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: Record<string, OpenLineageBaseFacet>;
}

/** `$defs/InputDataset`. */
export interface OpenLineageInputDataset extends OpenLineageDataset {
  inputFacets?: Record<string, OpenLineageBaseFacet>;
}

/** `$defs/OutputDataset`. */
export interface OpenLineageOutputDataset extends OpenLineageDataset {
  outputFacets?: Record<string, OpenLineageBaseFacet>;
}

/** `eventType` of a RunEvent. */
export type OpenLineageEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

/** An OpenLineage 2-0-2 RunEvent (`$defs/RunEvent`), one per HTTP request. */
export interface OpenLineageRunEvent {
  eventType: OpenLineageEventType;
  /** RFC 3339 with `Z` (`Date.prototype.toISOString`). */
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Record<string, OpenLineageBaseFacet> };
  job: { namespace: string; name: string; facets?: Record<string, OpenLineageBaseFacet> };
  inputs?: OpenLineageInputDataset[];
  outputs?: OpenLineageOutputDataset[];
}
