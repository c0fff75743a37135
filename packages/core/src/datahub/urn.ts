// URN builders with DataHub's part escaping (reference/datahub.md §2, `utilities/urn_encoder.py`): reserved
// characters `,` `(` `)` `␟` percent-encoded in every non-URN part, `%` left alone, empty parts rejected.
import { RuntrailError } from '../errors.js';
import type { DatasetRef, InstanceRef } from '../model/run-event.js';
import { dataProcessInstanceGuid } from './guid.js';

const RESERVED = /[,()\u241f]/g;
/** `urllib.parse.quote` of each reserved character (upper-case hex). */
const QUOTED: Record<string, string> = { ',': '%2C', '(': '%28', ')': '%29', '\u241f': '%E2%90%9F' };

/** DataHub's `UrnEncoder.encode_string` for one URN part. @throws RuntrailError `RUNTRAIL_INVALID_ID` when empty. */
export function encodeUrnPart(part: string, what = 'URN part'): string {
  if (typeof part !== 'string' || part.length === 0) {
    throw new RuntrailError('RUNTRAIL_INVALID_ID', `${what} must be a non-empty string, got ${JSON.stringify(part)}`);
  }
  return part.replace(RESERVED, (c) => QUOTED[c] as string);
}

/** `urn:li:dataPlatform:<name>`; a value that already is such a URN is returned as is. */
export function dataPlatformUrn(platform: string): string {
  if (platform.startsWith('urn:li:dataPlatform:')) return platform;
  return `urn:li:dataPlatform:${encodeUrnPart(platform, 'platform')}`;
}

/** `urn:li:dataFlow:(<orchestrator>,[<platformInstance>.]<flowId>,<cluster>)`; cluster is not upper-cased. */
export function dataFlowUrn(orchestrator: string, flowId: string, cluster = 'prod', platformInstance?: string): string {
  const id = platformInstance ? `${platformInstance}.${flowId}` : flowId;
  return `urn:li:dataFlow:(${encodeUrnPart(orchestrator, 'orchestrator')},${encodeUrnPart(id, 'flow id')},${encodeUrnPart(cluster, 'cluster')})`;
}

/** `urn:li:dataJob:(<dataFlowUrn>,<jobId>)`. */
export function dataJobUrn(flowUrn: string, jobId: string): string {
  if (!flowUrn.startsWith('urn:li:dataFlow:(')) {
    throw new RuntrailError('RUNTRAIL_INVALID_ID', `dataJob needs a dataFlow URN, got ${JSON.stringify(flowUrn)}`);
  }
  return `urn:li:dataJob:(${flowUrn},${encodeUrnPart(jobId, 'job id')})`;
}

/** `urn:li:dataset:(urn:li:dataPlatform:<p>,[<platformInstance>.]<name>,<ENV>)`; env is upper-cased, default `PROD`. */
export function datasetUrn(platform: string, name: string, env = 'PROD', platformInstance?: string): string {
  const fullName = platformInstance ? `${platformInstance}.${name}` : name;
  return `urn:li:dataset:(${dataPlatformUrn(platform)},${encodeUrnPart(fullName, 'dataset name')},${encodeUrnPart(env.toUpperCase(), 'env')})`;
}

/** The dataset URN of a neutral `DatasetRef` (the same declaration serves OpenLineage). */
export function datasetUrnFromRef(ref: DatasetRef): string {
  return datasetUrn(ref.platform, ref.name, ref.env ?? 'PROD', ref.platformInstance);
}

/** `urn:li:dataProcessInstance:<id>`; `id` is normally a guid from `dataProcessInstanceGuid`. */
export function dataProcessInstanceUrn(id: string): string {
  return `urn:li:dataProcessInstance:${encodeUrnPart(id, 'dataProcessInstance id')}`;
}

/** The DPI URN of a neutral instance: guid of (orchestrator, cluster, id) — DESIGN.md §3. */
export function instanceUrn(ref: InstanceRef): string {
  return dataProcessInstanceUrn(dataProcessInstanceGuid({ orchestrator: ref.orchestrator, cluster: ref.cluster, id: ref.id }));
}

/** The template (DataJob, or DataFlow for a flow instance) of a neutral instance. */
export function templateUrn(ref: InstanceRef, platformInstance?: string): string {
  const flow = dataFlowUrn(ref.orchestrator, ref.flow, ref.cluster, platformInstance);
  return ref.job === undefined ? flow : dataJobUrn(flow, ref.job);
}

/** `urn:li:dataPlatformInstance:(urn:li:dataPlatform:<p>,<instance>)`; an existing URN is returned as is. */
export function dataPlatformInstanceUrn(platform: string, instance: string): string {
  if (instance.startsWith('urn:li:dataPlatformInstance:')) return instance;
  return `urn:li:dataPlatformInstance:(${dataPlatformUrn(platform)},${encodeUrnPart(instance, 'platform instance')})`;
}

/** `urn:li:container:<guid>`. */
export function containerUrn(guid: string): string {
  if (guid.startsWith('urn:li:container:')) return guid;
  return `urn:li:container:${encodeUrnPart(guid, 'container guid')}`;
}

/** The entity type of a URN (its third `:` segment), as DataHub's `guess_entity_type`. */
export function entityTypeOfUrn(urn: string): string {
  const parts = urn.split(':');
  if (parts.length < 4 || parts[0] !== 'urn' || parts[1] !== 'li' || !parts[2]) {
    throw new RuntrailError('RUNTRAIL_INVALID_ID', `not a DataHub URN: ${JSON.stringify(urn)}`);
  }
  return parts[2];
}
