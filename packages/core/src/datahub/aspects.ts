// Aspect values in DataHub's schema field order (reference/datahub.md §3.4–§3.5), as plain objects with absent
// optional fields left out: the order is what makes our bytes equal to DataHub's SDK output.

/** The default `partitionSpec` the Python classes always fill in on timeseries aspects. */
export const FULL_TABLE_PARTITION = { partition: 'FULL_TABLE_SNAPSHOT', type: 'FULL_TABLE' } as const;

/** The actor DataHub's SDK writes in `created`. */
export const DATAHUB_ACTOR = 'urn:li:corpuser:datahub';

/** Fabric types DataHub accepts as `env` (FabricType.pdl); other clusters leave `env` out (reference §3.5). */
export const FABRIC_TYPES: ReadonlySet<string> = new Set([
  'DEV',
  'TEST',
  'QA',
  'UAT',
  'EI',
  'PRE',
  'STG',
  'NON_PROD',
  'PROD',
  'CORP',
  'RVW',
  'PRD',
  'TST',
  'SIT',
  'SBX',
  'SANDBOX',
]);

/** `env` of a template for a cluster: upper-cased when it is a fabric type, else absent. */
export function fabricOf(cluster: string): string | undefined {
  const upper = cluster.toUpperCase();
  return FABRIC_TYPES.has(upper) ? upper : undefined;
}

export function dataProcessInstanceProperties(p: {
  customProperties: Record<string, string>;
  externalUrl?: string;
  name: string;
  type: string;
  createdMillis: number;
}): Record<string, unknown> {
  return {
    customProperties: p.customProperties,
    externalUrl: p.externalUrl,
    name: p.name,
    type: p.type,
    created: { time: p.createdMillis, actor: DATAHUB_ACTOR },
  };
}

export function dataProcessInstanceRelationships(p: {
  parentTemplate?: string;
  parentInstance?: string;
  upstreamInstances: string[];
}): Record<string, unknown> {
  return { parentTemplate: p.parentTemplate, parentInstance: p.parentInstance, upstreamInstances: p.upstreamInstances };
}

/** An `Edge` for inputEdges/outputEdges: the destination and when the link was observed. */
function edges(urns: string[], timeMillis: number): Record<string, unknown>[] {
  return urns.map((destinationUrn) => ({ destinationUrn, created: { time: timeMillis, actor: DATAHUB_ACTOR } }));
}

export function dataProcessInstanceInput(urns: string[], edgesAt?: number): Record<string, unknown> {
  return { inputs: urns, inputEdges: edgesAt === undefined ? undefined : edges(urns, edgesAt) };
}

export function dataProcessInstanceOutput(urns: string[], edgesAt?: number): Record<string, unknown> {
  return { outputs: urns, outputEdges: edgesAt === undefined ? undefined : edges(urns, edgesAt) };
}

export function datasetKey(platformUrn: string, name: string, origin: string): Record<string, unknown> {
  return { platform: platformUrn, name, origin };
}

export function runEventStarted(timestampMillis: number, attempt: number): Record<string, unknown> {
  return { timestampMillis, partitionSpec: { ...FULL_TABLE_PARTITION }, status: 'STARTED', attempt };
}

export function runEventComplete(p: {
  timestampMillis: number;
  attempt: number;
  resultType: 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'UP_FOR_RETRY';
  nativeResultType: string;
  durationMillis?: number;
}): Record<string, unknown> {
  return {
    timestampMillis: p.timestampMillis,
    partitionSpec: { ...FULL_TABLE_PARTITION },
    status: 'COMPLETE',
    attempt: p.attempt,
    result: { type: p.resultType, nativeResultType: p.nativeResultType },
    durationMillis: p.durationMillis,
  };
}

export function dataFlowInfo(
  name: string,
  env: string | undefined,
  customProperties: Record<string, string> = {},
): Record<string, unknown> {
  return { customProperties, name, env };
}

export function dataJobInfo(name: string, env: string | undefined, customProperties: Record<string, string> = {}): Record<string, unknown> {
  return { customProperties, name, type: { string: 'COMMAND' }, env };
}

/** Only the dataset lists: leaving `inputDatajobs`/`fineGrainedLineages` out keeps what users set elsewhere. */
export function dataJobInputOutput(inputDatasets: string[], outputDatasets: string[]): Record<string, unknown> {
  return { inputDatasets, outputDatasets };
}

export function statusAspect(): Record<string, unknown> {
  return { removed: false };
}

/** `operation` (timeseries) on a dataset a successful run wrote, so DataHub shows it as fresh. */
export function operationAspect(p: {
  timestampMillis: number;
  operationType: string;
  customProperties: Record<string, string>;
}): Record<string, unknown> {
  return {
    timestampMillis: p.timestampMillis,
    partitionSpec: { ...FULL_TABLE_PARTITION },
    operationType: p.operationType,
    customProperties: p.customProperties,
    lastUpdatedTimestamp: p.timestampMillis,
  };
}
