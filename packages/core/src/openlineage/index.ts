// The openlineage folder's public surface: mapping, naming, ids, transports and configuration.
export type { OpenLineageClientOptions } from './client.js';
export { OpenLineageClient } from './client.js';
export type { OpenLineageEnvConfig } from './config.js';
export { findOpenLineageConfigFile, openLineageOptionsFromEnv, openLineageTransportsFromEnv } from './config.js';
export { DEFAULT_OPENLINEAGE_PRODUCER, OPENLINEAGE_FACET_SCHEMA_URLS, OPENLINEAGE_RUN_EVENT_SCHEMA_URL } from './facets.js';
export type { OpenLineageTransportOptions } from './http-transport.js';
export { DEFAULT_OPENLINEAGE_ENDPOINT, OpenLineageTransport } from './http-transport.js';
export type { OpenLineageConsoleTransportOptions, OpenLineageFileTransportOptions } from './local-transports.js';
export { OpenLineageConsoleTransport, OpenLineageFileTransport } from './local-transports.js';
export type { OpenLineageEngineProfile, OpenLineageMapperOptions } from './mapper.js';
export { DEFAULT_OPENLINEAGE_MAX_EVENT_BYTES, OpenLineageMapper } from './mapper.js';
export type { DatasetRefExtras } from './naming.js';
export {
  bigqueryDataset,
  datasetRefFromOpenLineage,
  fileDataset,
  gcsDataset,
  hdfsDataset,
  hiveDataset,
  kafkaDataset,
  mssqlDataset,
  mysqlDataset,
  openLineageDataset,
  postgresDataset,
  redshiftDataset,
  s3Dataset,
  snowflakeDataset,
  trinoDataset,
} from './naming.js';
export type {
  OpenLineageBaseFacet,
  OpenLineageDataset,
  OpenLineageErrorMessageRunFacet,
  OpenLineageEventType,
  OpenLineageInputDataset,
  OpenLineageJobDependenciesRunFacet,
  OpenLineageJobDependency,
  OpenLineageJobTypeJobFacet,
  OpenLineageNominalTimeRunFacet,
  OpenLineageOutputDataset,
  OpenLineageParentRunFacet,
  OpenLineageProcessingEngineRunFacet,
  OpenLineageRunEvent,
  OpenLineageRunRef,
  OpenLineageTag,
  OpenLineageTagsRunFacet,
} from './types.js';
export { staticUuidV7 } from './uuid.js';
