// The shapes of the DataHub aspects runtrail writes, transcribed from DataHub's PDL models
// (metadata-models/src/main/pegasus/com/linkedin/{dataprocess,datajob,dataset,common,timeseries}/*.pdl; field
// lists in reference/datahub.md §3.4–3.5). GMS rejects unknown fields ("unrecognized field found but not
// allowed"), missing required fields and wrong types with 422: so does `validateAspect`.

type Field =
  | 'string'
  | 'long'
  | 'int'
  | 'boolean'
  | 'urn'
  | 'map'
  | { enum: readonly string[] }
  | { array: Field }
  | { record: Shape }
  | { union: Record<string, Field> };
/** Field name → [type, required]. */
type Shape = Record<string, [Field, boolean]>;

const FABRIC = [
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
] as const;
const AUDIT: Shape = { time: ['long', true], actor: ['urn', true], impersonator: ['urn', false], message: ['string', false] };
const EDGE: Shape = {
  sourceUrn: ['urn', false],
  destinationUrn: ['urn', true],
  created: [{ record: AUDIT }, false],
  lastModified: [{ record: AUDIT }, false],
  properties: ['map', false],
};
const PARTITION: Shape = {
  partition: ['string', true],
  type: [{ enum: ['FULL_TABLE', 'QUERY', 'PARTITION'] }, false],
  timePartition: [{ record: { durationMillis: ['long', true], startTimeMillis: ['long', true] } }, false],
};
const TIMESERIES: Shape = {
  timestampMillis: ['long', true],
  eventGranularity: [{ record: { unit: ['string', true], multiple: ['int', false] } }, false],
  partitionSpec: [{ record: PARTITION }, false],
  messageId: ['string', false],
};

/** Aspect name → its shape. */
export const DATAHUB_ASPECT_SHAPES: Record<string, Shape> = {
  dataProcessInstanceProperties: {
    customProperties: ['map', true],
    externalUrl: ['string', false],
    name: ['string', true],
    type: [{ enum: ['BATCH_SCHEDULED', 'BATCH_AD_HOC', 'STREAMING'] }, false],
    created: [{ record: AUDIT }, true],
  },
  dataProcessInstanceRelationships: {
    parentTemplate: ['urn', false],
    parentInstance: ['urn', false],
    upstreamInstances: [{ array: 'urn' }, true],
  },
  dataProcessInstanceInput: { inputs: [{ array: 'urn' }, true], inputEdges: [{ array: { record: EDGE } }, false] },
  dataProcessInstanceOutput: { outputs: [{ array: 'urn' }, true], outputEdges: [{ array: { record: EDGE } }, false] },
  dataProcessInstanceRunEvent: {
    ...TIMESERIES,
    externalUrl: ['string', false],
    status: [{ enum: ['STARTED', 'COMPLETE'] }, true],
    attempt: ['int', false],
    result: [
      { record: { type: [{ enum: ['SUCCESS', 'FAILURE', 'SKIPPED', 'UP_FOR_RETRY'] }, true], nativeResultType: ['string', true] } },
      false,
    ],
    durationMillis: ['long', false],
  },
  datasetKey: { platform: ['urn', true], name: ['string', true], origin: [{ enum: FABRIC }, true] },
  dataFlowInfo: {
    customProperties: ['map', true],
    externalUrl: ['string', false],
    name: ['string', true],
    description: ['string', false],
    project: ['string', false],
    created: [{ record: { time: ['long', true], actor: ['urn', false] } }, false],
    lastModified: [{ record: { time: ['long', true], actor: ['urn', false] } }, false],
    env: [{ enum: FABRIC }, false],
  },
  dataJobInfo: {
    customProperties: ['map', true],
    externalUrl: ['string', false],
    name: ['string', true],
    description: ['string', false],
    type: [{ union: { string: 'string', 'com.linkedin.datajob.azkaban.AzkabanJobType': 'string' } }, true],
    flowUrn: ['urn', false],
    created: [{ record: { time: ['long', true], actor: ['urn', false] } }, false],
    lastModified: [{ record: { time: ['long', true], actor: ['urn', false] } }, false],
    status: ['string', false],
    env: [{ enum: FABRIC }, false],
  },
  dataJobInputOutput: {
    inputDatasets: [{ array: 'urn' }, true],
    inputDatasetEdges: [{ array: { record: EDGE } }, false],
    outputDatasets: [{ array: 'urn' }, true],
    outputDatasetEdges: [{ array: { record: EDGE } }, false],
    inputDatajobs: [{ array: 'urn' }, false],
    inputDatajobEdges: [{ array: { record: EDGE } }, false],
  },
  status: { removed: ['boolean', true] },
  dataPlatformInstance: { platform: ['urn', true], instance: ['urn', false] },
  subTypes: { typeNames: [{ array: 'string' }, true] },
  container: { container: ['urn', true] },
  operation: {
    ...TIMESERIES,
    actor: ['urn', false],
    operationType: [{ enum: ['INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'DROP', 'CUSTOM', 'UNKNOWN'] }, true],
    customOperationType: ['string', false],
    numAffectedRows: ['long', false],
    affectedDatasets: [{ array: 'urn' }, false],
    sourceType: [{ enum: ['DATA_PROCESS', 'DATA_PLATFORM', 'MANUAL'] }, false],
    customProperties: ['map', false],
    lastUpdatedTimestamp: ['long', true],
  },
};

/** Which aspects each entity type may carry (of those runtrail writes). */
export const DATAHUB_ENTITY_ASPECTS: Record<string, readonly string[]> = {
  dataProcessInstance: [
    'dataProcessInstanceProperties',
    'dataProcessInstanceRelationships',
    'dataProcessInstanceInput',
    'dataProcessInstanceOutput',
    'dataProcessInstanceRunEvent',
    'dataPlatformInstance',
    'subTypes',
    'container',
    'status',
  ],
  dataset: ['datasetKey', 'operation', 'status', 'dataPlatformInstance', 'subTypes', 'container'],
  dataFlow: ['dataFlowInfo', 'status', 'dataPlatformInstance'],
  dataJob: ['dataJobInfo', 'dataJobInputOutput', 'status', 'dataPlatformInstance'],
};

const URN = /^urn:li:[A-Za-z]+:.+$/;

function check(value: unknown, field: Field, path: string, errors: string[]): void {
  if (typeof field === 'string') {
    const ok =
      (field === 'string' && typeof value === 'string') ||
      ((field === 'long' || field === 'int') && Number.isInteger(value)) ||
      (field === 'boolean' && typeof value === 'boolean') ||
      (field === 'urn' && typeof value === 'string' && URN.test(value)) ||
      (field === 'map' &&
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string'));
    if (!ok) errors.push(`${path}: expected ${field}, got ${JSON.stringify(value)}`);
    return;
  }
  if ('enum' in field) {
    if (!field.enum.includes(value as string)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${field.enum.join('|')}`);
  } else if ('array' in field) {
    if (!Array.isArray(value)) errors.push(`${path}: expected an array`);
    else
      value.forEach((v, i) => {
        check(v, field.array, `${path}[${i}]`, errors);
      });
  } else if ('record' in field) {
    checkShape(value, field.record, path, errors);
  } else {
    const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
    const member = keys.length === 1 ? field.union[keys[0] as string] : undefined;
    if (member === undefined) errors.push(`${path}: expected a union with one of ${Object.keys(field.union).join('|')}`);
    else check((value as Record<string, unknown>)[keys[0] as string], member, `${path}.${keys[0]}`, errors);
  }
}

function checkShape(value: unknown, shape: Shape, path: string, errors: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(`${path}: expected a record`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (!(key in shape)) errors.push(`${path}.${key}: unrecognized field found but not allowed`);
  }
  for (const [key, [type, required]] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) {
      if (required) errors.push(`${path}.${key}: field is required but not found and has no default value`);
    } else if (v === null) {
      errors.push(`${path}.${key}: null is not allowed`);
    } else check(v, type, `${path}.${key}`, errors);
  }
}

/** Problems with one aspect value (empty when GMS would accept it). */
export function validateAspect(entityType: string, aspectName: string, value: unknown): string[] {
  const allowed = DATAHUB_ENTITY_ASPECTS[entityType];
  if (!allowed) return [`unknown entity type ${entityType}`];
  if (!allowed.includes(aspectName)) return [`aspect ${aspectName} is not an aspect of ${entityType}`];
  const errors: string[] = [];
  checkShape(value, DATAHUB_ASPECT_SHAPES[aspectName] as Shape, aspectName, errors);
  return errors;
}

/** Problems with one MCP object `{entityType, entityUrn, changeType, aspectName, aspect}` (aspect as an object). */
export function validateMcp(mcp: {
  entityType: string;
  entityUrn: string;
  changeType: string;
  aspectName: string;
  aspect: unknown;
}): string[] {
  const errors: string[] = [];
  if (!URN.test(mcp.entityUrn)) errors.push(`entityUrn ${JSON.stringify(mcp.entityUrn)} is not a URN`);
  else if (mcp.entityUrn.split(':')[2] !== mcp.entityType) errors.push(`entityType ${mcp.entityType} does not match ${mcp.entityUrn}`);
  if (mcp.changeType !== 'UPSERT') errors.push(`changeType ${mcp.changeType} is not UPSERT`);
  return [...errors, ...validateAspect(mcp.entityType, mcp.aspectName, mcp.aspect)];
}
