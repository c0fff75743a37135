// DataHub: identity (guids, URNs), the neutral → MCP mapper, serialization and the GMS transport.

export { dataHubOptionsFromEnv, dataHubTransportFromEnv } from './config.js';
export type { DataProcessInstanceKey } from './guid.js';
export { dataHubGuid, dataProcessInstanceGuid } from './guid.js';
export type { DataHubMapperOptions, DataHubTemplateMode } from './mapper.js';
export { DataHubMapper } from './mapper.js';
export type { PythonJsonStyle } from './python-json.js';
export { pythonJson, pythonJsonString } from './python-json.js';
export { openApiBody, restliBatchBody, restliProposal, restliSingleBody } from './serialize.js';
export type { DataHubServerInfo, DataHubTransportOptions } from './transport.js';
export { DATAHUB_MAX_BATCH_BYTES, DATAHUB_MAX_BATCH_MCPS, DataHubTransport } from './transport.js';
export type { DataHubIngestMode, DataHubMcp, DataHubSystemMetadata } from './types.js';
export {
  containerUrn,
  dataFlowUrn,
  dataJobUrn,
  dataPlatformInstanceUrn,
  dataPlatformUrn,
  dataProcessInstanceUrn,
  datasetUrn,
  datasetUrnFromRef,
  encodeUrnPart,
  entityTypeOfUrn,
  instanceUrn,
  templateUrn,
} from './urn.js';
