// Neutral RunEvent → DataHub MCPs (reference/datahub.md §3, DESIGN.md §4): a start writes the instance's
// properties, relationships, iolets and a STARTED run event; an end writes COMPLETE with result, attempt and
// duration. Templates (DataFlow/DataJob) are written once per process and never with empty ownership or tags,
// which would wipe what users edited in the UI. Pure apart from bounded "already sent" memories.
import { ConfigError } from '../errors.js';
import type { DatasetRef, InstanceRef, RunEvent, RunStatus } from '../model/run-event.js';
import { BoundedMap, BoundedSet } from '../util/bounded.js';
import {
  dataFlowInfo,
  dataJobInfo,
  dataJobInputOutput,
  dataProcessInstanceInput,
  dataProcessInstanceOutput,
  dataProcessInstanceProperties,
  dataProcessInstanceRelationships,
  datasetKey,
  fabricOf,
  operationAspect,
  runEventComplete,
  runEventStarted,
  statusAspect,
} from './aspects.js';
import type { DataHubMcp } from './types.js';
import {
  containerUrn,
  dataFlowUrn,
  dataPlatformInstanceUrn,
  dataPlatformUrn,
  datasetUrnFromRef,
  entityTypeOfUrn,
  instanceUrn,
  templateUrn,
} from './urn.js';

/** How runs relate to their DataFlow/DataJob templates. */
export type DataHubTemplateMode =
  /** Emit each template's aspects once per process and link runs to it (default). */
  | 'emit'
  /** Link runs to the template (`parentTemplate`) but never write template aspects (templates managed elsewhere). */
  | 'link'
  /** Standalone runs: no `parentTemplate`, no template aspects. */
  | 'none';

/** Options of `DataHubMapper`. */
export interface DataHubMapperOptions {
  /** Template handling. Default `emit`. */
  templates?: DataHubTemplateMode;
  /** DataHub platform instance of the orchestrator (e.g. one Temporal cluster of several): prefixes flow ids and adds `dataPlatformInstance`. Default none. */
  platformInstance?: string;
  /** A `subTypes` type name per instance, e.g. `(ref) => ref.job ? 'Activity' : 'Workflow Run'`. Default none. */
  subType?: (ref: InstanceRef) => string | undefined;
  /** Container URN (or guid) every instance belongs to. Default none. */
  container?: string;
  /** Also write `inputEdges`/`outputEdges` (with the time the link was observed). Default `true`. */
  edges?: boolean;
  /** Write a `datasetKey` on each input/output dataset so it exists in DataHub. Default `true`. */
  materializeDatasets?: boolean;
  /** Write an `operation` on each output dataset of a successful run. Default `true`. */
  operations?: boolean;
  /**
   * Templates and datasets remembered as already written, and runs' start properties: at least this many of each
   * (the least recently used forgotten first), at most twice as many. Default 10 000.
   */
  maxRemembered?: number;
}

type ResultType = 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'UP_FOR_RETRY';

/** DESIGN.md §4: DataHub's four result types; the native word says which of several it was. */
const RESULT_TYPE: Record<RunStatus, ResultType> = {
  success: 'SUCCESS',
  retry: 'UP_FOR_RETRY',
  failure: 'FAILURE',
  cancelled: 'SKIPPED',
  skipped: 'SKIPPED',
  timed_out: 'FAILURE',
  terminated: 'FAILURE',
};

/** Statuses whose DataHub result type hides them, so `nativeResultType` carries the status itself. */
const NATIVE_IS_STATUS: ReadonlySet<RunStatus> = new Set(['cancelled', 'timed_out', 'terminated', 'skipped']);

/** Maps neutral run events to DataHub MCPs, in the order DataHub's SDK emits them. */
export class DataHubMapper {
  readonly #templates: DataHubTemplateMode;
  readonly #platformInstance: string | undefined;
  readonly #subType: ((ref: InstanceRef) => string | undefined) | undefined;
  readonly #container: string | undefined;
  readonly #edges: boolean;
  readonly #materialize: boolean;
  readonly #operations: boolean;
  readonly #sentTemplates: BoundedSet;
  readonly #sentDatasets: BoundedSet;
  /** Per template: the datasets its runs read and wrote so far, to grow dataJobInputOutput as a union. */
  readonly #templateIo: BoundedMap<string, { inputs: Set<string>; outputs: Set<string> }>;
  /** Per instance: the properties its start carried, so an end that re-writes properties keeps them. */
  readonly #startProperties: BoundedMap<string, Record<string, string>>;

  /** @throws ConfigError when `maxRemembered` is not an integer ≥ 1. */
  constructor(options: DataHubMapperOptions = {}) {
    this.#templates = options.templates ?? 'emit';
    this.#platformInstance = options.platformInstance;
    this.#subType = options.subType;
    this.#container = options.container === undefined ? undefined : containerUrn(options.container);
    this.#edges = options.edges ?? true;
    this.#materialize = options.materializeDatasets ?? true;
    this.#operations = options.operations ?? true;
    const max = options.maxRemembered ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new ConfigError(`DataHub maxRemembered must be an integer ≥ 1, got ${max}`);
    this.#sentTemplates = new BoundedSet(max);
    this.#sentDatasets = new BoundedSet(max);
    this.#templateIo = new BoundedMap(max);
    this.#startProperties = new BoundedMap(max);
  }

  /** The DPI URN of an instance (guid of orchestrator, cluster, id). */
  instanceUrn(ref: InstanceRef): string {
    return instanceUrn(ref);
  }

  /** The template URN of an instance: its DataJob, or its DataFlow for a flow instance. */
  templateUrn(ref: InstanceRef): string {
    return templateUrn(ref, this.#platformInstance);
  }

  /** MCPs for one neutral event; `queued` and `running` have no DataHub counterpart and map to none. */
  map(event: RunEvent): DataHubMcp[] {
    if (event.kind === 'start') return this.#start(event);
    if (event.kind === 'end') return this.#end(event);
    return [];
  }

  #start(event: RunEvent): DataHubMcp[] {
    const ref = event.instance;
    const urn = instanceUrn(ref);
    const out: DataHubMcp[] = [...this.#templateMcps(ref)];
    const properties = this.#properties(event);
    this.#startProperties.set(urn, properties);
    out.push(propertiesMcp(urn, event, properties, ref.createdAt ?? event.time));
    out.push(
      mcp(
        urn,
        'dataProcessInstanceRelationships',
        dataProcessInstanceRelationships({
          parentTemplate: this.#templates === 'none' ? undefined : this.templateUrn(ref),
          parentInstance: event.parent ? instanceUrn(event.parent) : undefined,
          upstreamInstances: (event.upstream ?? []).map(instanceUrn),
        }),
      ),
    );
    if (this.#platformInstance !== undefined) {
      out.push(
        mcp(urn, 'dataPlatformInstance', {
          platform: dataPlatformUrn(ref.orchestrator),
          instance: dataPlatformInstanceUrn(ref.orchestrator, this.#platformInstance),
        }),
      );
    }
    const subType = this.#subType?.(ref);
    if (subType) out.push(mcp(urn, 'subTypes', { typeNames: [subType] }));
    if (this.#container) out.push(mcp(urn, 'container', { container: this.#container }));
    out.push(...this.#iolets(urn, event));
    out.push(mcp(urn, 'dataProcessInstanceRunEvent', runEventStarted(event.time, event.attempt)));
    return out;
  }

  #end(event: RunEvent): DataHubMcp[] {
    const ref = event.instance;
    const urn = instanceUrn(ref);
    const status = event.result?.status ?? 'success';
    const out: DataHubMcp[] = [];
    // An end may bring what the start could not know: datasets declared during the run, the error, final
    // properties. Properties are a full upsert, so the start's are merged back in.
    const error = event.result?.error;
    if (error || event.properties || event.url) {
      const started = this.#startProperties.get(urn) ?? {};
      const properties = { ...started, ...this.#properties(event) };
      if (error) {
        properties.error = error.message;
        if (error.type) properties.errorType = error.type;
      }
      out.push(propertiesMcp(urn, event, properties, ref.createdAt ?? event.startTime ?? event.time));
    }
    out.push(...this.#iolets(urn, event));
    if (status === 'success' && (event.inputs?.length || event.outputs?.length)) out.push(...this.#templateIoMcps(ref, event));
    out.push(
      mcp(
        urn,
        'dataProcessInstanceRunEvent',
        runEventComplete({
          timestampMillis: event.time,
          attempt: event.attempt,
          resultType: RESULT_TYPE[status],
          nativeResultType: event.result?.native ?? (NATIVE_IS_STATUS.has(status) ? status : ref.orchestrator),
          durationMillis: event.startTime !== undefined && event.startTime > 0 ? Math.max(0, event.time - event.startTime) : undefined,
        }),
      ),
    );
    if (status === 'success' && this.#operations) {
      for (const ds of event.outputs ?? []) {
        out.push(
          mcp(
            datasetUrnFromRef(ds),
            'operation',
            operationAspect({ timestampMillis: event.time, operationType: 'UPDATE', customProperties: { dataProcessInstance: urn } }),
          ),
        );
      }
    }
    return out;
  }

  /** Template aspects the first time this process sees a template (with its flow's, for a job). */
  #templateMcps(ref: InstanceRef): DataHubMcp[] {
    if (this.#templates !== 'emit') return [];
    const out: DataHubMcp[] = [];
    const flow = dataFlowUrn(ref.orchestrator, ref.flow, ref.cluster, this.#platformInstance);
    const env = fabricOf(ref.cluster);
    if (!this.#sentTemplates.has(flow)) {
      this.#sentTemplates.add(flow);
      out.push(mcp(flow, 'dataFlowInfo', dataFlowInfo(ref.flow, env)), mcp(flow, 'status', statusAspect()));
      if (this.#platformInstance !== undefined) out.push(mcp(flow, 'dataPlatformInstance', this.#platformInstanceAspect(ref)));
    }
    if (ref.job !== undefined) {
      const job = this.templateUrn(ref);
      if (!this.#sentTemplates.has(job)) {
        this.#sentTemplates.add(job);
        out.push(mcp(job, 'dataJobInfo', dataJobInfo(ref.job, env)), mcp(job, 'status', statusAspect()));
        if (this.#platformInstance !== undefined) out.push(mcp(job, 'dataPlatformInstance', this.#platformInstanceAspect(ref)));
      }
    }
    return out;
  }

  /** dataJobInputOutput when a successful run adds datasets the template did not list yet (a growing union). */
  #templateIoMcps(ref: InstanceRef, event: RunEvent): DataHubMcp[] {
    if (this.#templates !== 'emit' || ref.job === undefined) return [];
    const job = this.templateUrn(ref);
    let io = this.#templateIo.get(job);
    if (!io) {
      io = { inputs: new Set(), outputs: new Set() };
      this.#templateIo.set(job, io);
    }
    const before = io.inputs.size + io.outputs.size;
    for (const ds of event.inputs ?? []) io.inputs.add(datasetUrnFromRef(ds));
    for (const ds of event.outputs ?? []) io.outputs.add(datasetUrnFromRef(ds));
    if (io.inputs.size + io.outputs.size === before) return [];
    return [mcp(job, 'dataJobInputOutput', dataJobInputOutput([...io.inputs], [...io.outputs]))];
  }

  #iolets(urn: string, event: RunEvent): DataHubMcp[] {
    const inputs = (event.inputs ?? []).map(datasetUrnFromRef);
    const outputs = (event.outputs ?? []).map(datasetUrnFromRef);
    const out: DataHubMcp[] = [];
    const at = this.#edges ? event.time : undefined;
    if (inputs.length > 0) out.push(mcp(urn, 'dataProcessInstanceInput', dataProcessInstanceInput(inputs, at)));
    if (outputs.length > 0) out.push(mcp(urn, 'dataProcessInstanceOutput', dataProcessInstanceOutput(outputs, at)));
    if (this.#materialize) {
      for (const ds of [...(event.inputs ?? []), ...(event.outputs ?? [])]) {
        const dsUrn = datasetUrnFromRef(ds);
        if (this.#sentDatasets.has(dsUrn)) continue;
        this.#sentDatasets.add(dsUrn);
        out.push(mcp(dsUrn, 'datasetKey', datasetKeyOf(ds)));
      }
    }
    return out;
  }

  #properties(event: RunEvent): Record<string, string> {
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.properties ?? {})) props[k] = String(v);
    for (const [k, v] of Object.entries(event.metrics ?? {})) props[`metric.${k}`] = String(v);
    return props;
  }

  #platformInstanceAspect(ref: InstanceRef): Record<string, unknown> {
    return {
      platform: dataPlatformUrn(ref.orchestrator),
      instance: dataPlatformInstanceUrn(ref.orchestrator, this.#platformInstance as string),
    };
  }
}

function datasetKeyOf(ds: DatasetRef): Record<string, unknown> {
  const name = ds.platformInstance ? `${ds.platformInstance}.${ds.name}` : ds.name;
  return datasetKey(dataPlatformUrn(ds.platform), name, (ds.env ?? 'PROD').toUpperCase());
}

/** `dataProcessInstanceProperties` of an instance: its id as name, `created` fixed at its first start. */
function propertiesMcp(urn: string, event: RunEvent, properties: Record<string, string>, createdMillis: number): DataHubMcp {
  return mcp(
    urn,
    'dataProcessInstanceProperties',
    dataProcessInstanceProperties({
      customProperties: properties,
      externalUrl: event.url,
      name: event.instance.id,
      type: event.type ?? 'BATCH_AD_HOC',
      createdMillis,
    }),
  );
}

function mcp(entityUrn: string, aspectName: string, aspect: Record<string, unknown>): DataHubMcp {
  return { entityType: entityTypeOfUrn(entityUrn), entityUrn, changeType: 'UPSERT', aspectName, aspect };
}
