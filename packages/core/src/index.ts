// `@runtrail/core`: the public API. Every export is named here (no `export *`); each block belongs to
// one folder of `src/`.

export type { RunContext } from './context/run-context.js';
export { currentRun, runWithContext } from './context/run-context.js';
// datahub — BEGIN (owned by src/datahub)
export type {
  DataHubIngestMode,
  DataHubMapperOptions,
  DataHubMcp,
  DataHubServerInfo,
  DataHubSystemMetadata,
  DataHubTemplateMode,
  DataHubTransportOptions,
  DataProcessInstanceKey,
  PythonJsonStyle,
} from './datahub/index.js';
export {
  containerUrn,
  DATAHUB_MAX_BATCH_BYTES,
  DATAHUB_MAX_BATCH_MCPS,
  DataHubMapper,
  DataHubTransport,
  dataFlowUrn,
  dataHubGuid,
  dataHubOptionsFromEnv,
  dataHubTransportFromEnv,
  dataJobUrn,
  dataPlatformInstanceUrn,
  dataPlatformUrn,
  dataProcessInstanceGuid,
  dataProcessInstanceUrn,
  datasetUrn,
  datasetUrnFromRef,
  encodeUrnPart,
  entityTypeOfUrn,
  instanceUrn,
  openApiBody,
  pythonJson,
  pythonJsonString,
  restliBatchBody,
  restliProposal,
  restliSingleBody,
  templateUrn,
} from './datahub/index.js';
// errors, HTTP and the transport contract
export type { RuntrailErrorCode } from './errors.js';
export { ConfigError, DeliveryError, isDeliveryError, isRuntrailError, RuntrailError } from './errors.js';
export type { BackoffOptions } from './http/backoff.js';
export { backoffDelayMillis, DEFAULT_BACKOFF, parseRetryAfter } from './http/backoff.js';
export type { HttpRequest, HttpResponse } from './http/request.js';
export { httpRequest, isRetryableStatus } from './http/request.js';
export type { RetryOptions } from './http/retry.js';
export { withRetries } from './http/retry.js';
// model (also available I/O-free as `@runtrail/core/model`)
export type {
  DatasetRef,
  InstanceRef,
  ProcessType,
  RunError,
  RunEvent,
  RunEventKind,
  RunResult,
  RunStatus,
} from './model/index.js';
export { attemptKey, eventKey, instanceKey, isTerminal } from './model/index.js';
export type { RunEventSink } from './sink.js';
export type { Transport } from './transport.js';
// datahub — END

// openlineage — BEGIN (owned by src/openlineage)
export type {
  DatasetRefExtras,
  OpenLineageBaseFacet,
  OpenLineageClientOptions,
  OpenLineageConsoleTransportOptions,
  OpenLineageDataset,
  OpenLineageEngineProfile,
  OpenLineageEnvConfig,
  OpenLineageErrorMessageRunFacet,
  OpenLineageEventType,
  OpenLineageFileTransportOptions,
  OpenLineageInputDataset,
  OpenLineageJobDependenciesRunFacet,
  OpenLineageJobDependency,
  OpenLineageJobTypeJobFacet,
  OpenLineageMapperOptions,
  OpenLineageNominalTimeRunFacet,
  OpenLineageOutputDataset,
  OpenLineageParentRunFacet,
  OpenLineageProcessingEngineRunFacet,
  OpenLineageRunEvent,
  OpenLineageRunRef,
  OpenLineageTag,
  OpenLineageTagsRunFacet,
  OpenLineageTransportOptions,
} from './openlineage/index.js';
export {
  bigqueryDataset,
  DEFAULT_OPENLINEAGE_ENDPOINT,
  DEFAULT_OPENLINEAGE_MAX_EVENT_BYTES,
  DEFAULT_OPENLINEAGE_PRODUCER,
  datasetRefFromOpenLineage,
  fileDataset,
  findOpenLineageConfigFile,
  gcsDataset,
  hdfsDataset,
  hiveDataset,
  kafkaDataset,
  mssqlDataset,
  mysqlDataset,
  OPENLINEAGE_FACET_SCHEMA_URLS,
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  OpenLineageClient,
  OpenLineageConsoleTransport,
  OpenLineageFileTransport,
  OpenLineageMapper,
  OpenLineageTransport,
  openLineageDataset,
  openLineageOptionsFromEnv,
  openLineageTransportsFromEnv,
  postgresDataset,
  redshiftDataset,
  s3Dataset,
  snowflakeDataset,
  staticUuidV7,
  trinoDataset,
} from './openlineage/index.js';
// openlineage — END

// delivery and local transports — BEGIN (owned by src/delivery, src/transports)
export type {
  BackendStats,
  DeadLetter,
  EmitterFromEnvOptions,
  EmitterOptions,
  EmitterStats,
  EncodedEvent,
  EncodedSink,
  Logger,
  RecordCodec,
  RecordDecoder,
  RecordEncoder,
  RecordField,
  RecordSink,
  RecordWriter,
  RunEmitter,
  SpoolOptions,
} from './delivery/index.js';
export {
  createEmitter,
  DEFAULT_MAX_DEFER_MILLIS,
  disabledEmitter,
  EMITTER_DEFAULTS,
  eachEvent,
  emitterFromEnv,
  enqueueRecord,
  escapeField,
  fieldText,
  quietLogger,
  recordText,
  recordWriter,
  redact,
  runtrailDisabled,
  splitRecord,
  ThreadedEmitter,
  takesEncoded,
  takesRecords,
  transportsFromEnv,
} from './delivery/index.js';
export { ConsoleTransport } from './transports/console.js';
export type { RunStoreTransportOptions } from './transports/run-store.js';
export { defaultStorePath, RunStoreTransport, readRunStore } from './transports/run-store.js';
// bounded memories, for adapters' caches (src/util)
export { BoundedMap, BoundedSet } from './util/bounded.js';
// delivery and local transports — END
