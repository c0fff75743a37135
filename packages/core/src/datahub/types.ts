// Wire types of DataHub metadata change proposals, as runtrail builds them (reference/datahub.md §3–§4).

/** One aspect change: what DataHub's `MetadataChangeProposalWrapper` holds before serialization. */
export interface DataHubMcp {
  /** The URN's entity type, e.g. `dataProcessInstance`, `dataset`, `dataFlow`, `dataJob`. */
  entityType: string;
  entityUrn: string;
  changeType: 'UPSERT';
  aspectName: string;
  /** The aspect value as a JSON object whose keys are in DataHub's schema order (null members left out). */
  aspect: Record<string, unknown>;
}

/** `DataHubMcp.systemMetadata` as DataHub's SDK fills it in (`ensure_has_system_metadata`). */
export interface DataHubSystemMetadata {
  lastObserved: number;
  runId: string;
  lastRunId: string;
  properties: { clientId: string; clientVersion: string };
}

/** The Rest.li or OpenAPI v3 ingestion route (reference/datahub.md §4.2). */
export type DataHubIngestMode = 'restli' | 'openapi';
