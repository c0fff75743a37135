// Neutral RunEvent → OpenLineage 2-0-2 RunEvent (DESIGN.md §3–§4, reference/openlineage.md §8.1): one
// OpenLineage run per attempt with a deterministic UUIDv7, eventType per outcome, the standard facets, and a
// size cap that truncates without breaking the schema. Pure apart from a bounded START→COMPLETE dataset memory.
import { ConfigError } from '../errors.js';
import type { DatasetRef, InstanceRef, RunEvent, RunStatus } from '../model/run-event.js';
import { BoundedMap } from '../util/bounded.js';
import {
  DEFAULT_OPENLINEAGE_PRODUCER,
  errorMessageRunFacet,
  jobDependenciesRunFacet,
  jobTypeJobFacet,
  nominalTimeRunFacet,
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  parentRunFacet,
  processingEngineRunFacet,
  tagsRunFacet,
} from './facets.js';
import { openLineageDataset } from './naming.js';
import { shrinkToFit } from './shrink.js';
import { truncateUtf8 } from './truncate.js';
import type {
  OpenLineageBaseFacet,
  OpenLineageDataset,
  OpenLineageEventType,
  OpenLineageRunEvent,
  OpenLineageRunRef,
  OpenLineageTag,
} from './types.js';
import { isUuid, staticUuidV7 } from './uuid.js';

/** How an orchestrator appears in `jobType` and `processing_engine`. */
export interface OpenLineageEngineProfile {
  /** `processing_engine.name`, e.g. `Temporal`. */
  name: string;
  /** `processing_engine.version` (required by the schema). Default `unknown`. */
  version: string;
  /** `jobType.integration`, e.g. `TEMPORAL`. */
  integration: string;
  /** `jobType.jobType` of a flow instance, e.g. `WORKFLOW`. */
  flowJobType: string;
  /** `jobType.jobType` of a job instance, e.g. `ACTIVITY`. */
  jobJobType: string;
}

/** Options of `OpenLineageMapper`. */
export interface OpenLineageMapperOptions {
  /** Job namespace (`OPENLINEAGE_NAMESPACE` in the official integrations). Default `default`. */
  jobNamespace?: string;
  /** `producer` and every facet's `_producer`; must be a URI. Default runtrail's repository URL at its version. */
  producer?: string;
  /** Largest serialized event in bytes; bigger events are truncated to fit. Default 1 MiB (1048576), minimum 16 KiB. */
  maxEventBytes?: number;
  /**
   * Per-orchestrator overrides of the engine profile, keyed by `InstanceRef.orchestrator`. Built in: `temporal`
   * (Temporal, TEMPORAL, WORKFLOW/ACTIVITY) and `bullmq` (BullMQ, BULLMQ, QUEUE/JOB); others get
   * `{orchestrator, ORCHESTRATOR, FLOW/JOB}`. Set `version` to the SDK version in use.
   */
  engines?: Record<string, Partial<OpenLineageEngineProfile>>;
  /** `errorMessage.programmingLanguage`. Default `JavaScript`. */
  programmingLanguage?: string;
  /**
   * Runs whose START datasets are remembered for their COMPLETE: at least this many (the oldest forgotten first), at
   * most twice as many; 0 remembers none. Default 10000.
   */
  maxRememberedRuns?: number;
  /** `errorMessage.message` is cut (UTF-8-safe) to this many bytes. Default 8192. */
  maxErrorMessageBytes?: number;
  /** `errorMessage.stackTrace` is cut (UTF-8-safe) to this many bytes. Default 65536. */
  maxStackTraceBytes?: number;
}

/** Default `maxEventBytes`: 1 MiB. */
export const DEFAULT_OPENLINEAGE_MAX_EVENT_BYTES = 1024 * 1024;
const MIN_MAX_EVENT_BYTES = 16 * 1024;

const BUILTIN_ENGINES: Record<string, Omit<OpenLineageEngineProfile, 'version'>> = {
  temporal: { name: 'Temporal', integration: 'TEMPORAL', flowJobType: 'WORKFLOW', jobJobType: 'ACTIVITY' },
  bullmq: { name: 'BullMQ', integration: 'BULLMQ', flowJobType: 'QUEUE', jobJobType: 'JOB' },
};

/**
 * Terminal eventType per outcome (DESIGN.md §4): a retried attempt is a FAILed run of its own; cancellation and
 * termination ABORT; `skipped` ABORTs too, since COMPLETE would make Marquez treat the outputs as written.
 */
const TERMINAL_TYPE: Record<RunStatus, OpenLineageEventType> = {
  success: 'COMPLETE',
  failure: 'FAIL',
  retry: 'FAIL',
  timed_out: 'FAIL',
  cancelled: 'ABORT',
  terminated: 'ABORT',
  skipped: 'ABORT',
};

interface RememberedDatasets {
  inputs: OpenLineageDataset[];
  outputs: OpenLineageDataset[];
}

/** Maps neutral run events to OpenLineage RunEvents. One instance per process; `map` never throws for valid events. */
export class OpenLineageMapper {
  /** The job namespace in use. */
  readonly jobNamespace: string;
  /** The producer URI in use. */
  readonly producer: string;
  /** The size cap in bytes. */
  readonly maxEventBytes: number;
  /** Events that had to be truncated to fit `maxEventBytes`, since construction. */
  truncatedEvents = 0;

  readonly #engines: Record<string, Partial<OpenLineageEngineProfile>>;
  readonly #programmingLanguage: string;
  readonly #maxRememberedRuns: number;
  readonly #maxErrorMessageBytes: number;
  readonly #maxStackTraceBytes: number;
  readonly #remembered: BoundedMap<string, RememberedDatasets>;
  readonly #serialized = new WeakMap<OpenLineageRunEvent, string>();

  /** @throws ConfigError for an empty namespace, a producer that is not a URI or a cap below 16 KiB. */
  constructor(options: OpenLineageMapperOptions = {}) {
    this.jobNamespace = options.jobNamespace ?? 'default';
    this.producer = options.producer ?? DEFAULT_OPENLINEAGE_PRODUCER;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_OPENLINEAGE_MAX_EVENT_BYTES;
    this.#engines = options.engines ?? {};
    this.#programmingLanguage = options.programmingLanguage ?? 'JavaScript';
    this.#maxRememberedRuns = options.maxRememberedRuns ?? 10_000;
    this.#maxErrorMessageBytes = options.maxErrorMessageBytes ?? 8192;
    this.#maxStackTraceBytes = options.maxStackTraceBytes ?? 65_536;
    if (this.jobNamespace.trim() === '') throw new ConfigError('OpenLineage jobNamespace must not be empty');
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(this.producer)) {
      throw new ConfigError(`OpenLineage producer must be a URI, got ${JSON.stringify(this.producer)}`);
    }
    if (!Number.isInteger(this.maxEventBytes) || this.maxEventBytes < MIN_MAX_EVENT_BYTES) {
      throw new ConfigError(`OpenLineage maxEventBytes must be an integer ≥ ${MIN_MAX_EVENT_BYTES}, got ${this.maxEventBytes}`);
    }
    for (const [name, value, min] of [
      ['maxRememberedRuns', this.#maxRememberedRuns, 0],
      ['maxErrorMessageBytes', this.#maxErrorMessageBytes, 64],
      ['maxStackTraceBytes', this.#maxStackTraceBytes, 0],
    ] as const) {
      if (!Number.isInteger(value) || value < min) throw new ConfigError(`OpenLineage ${name} must be an integer ≥ ${min}, got ${value}`);
    }
    this.#remembered = new BoundedMap(Math.max(1, this.#maxRememberedRuns));
  }

  /**
   * The OpenLineage run id of `ref` at `attempt`: `ref.runUuid` (lower-cased) when it is a UUID, else
   * `staticUuidV7(ref.createdAt ?? 0, "{jobNamespace}.{id with '/' → '.'}.{attempt}")`. The data string is the
   * reference's recommended form (reference/openlineage.md §8.1: `{ns}.{temporalNamespace}.{workflowId}.
   * {runId}.{activityId}.{attempt}` for a Temporal activity id `ns/workflowId/runId/activityId`), so every
   * process seeing the same execution and attempt derives the same id, and attempts get distinct ids.
   */
  runId(ref: InstanceRef, attempt: number = ref.attempt ?? 1): string {
    if (typeof ref.runUuid === 'string' && isUuid(ref.runUuid)) return ref.runUuid.toLowerCase();
    // A missing or invalid creation time hashes as the epoch: still deterministic, only not time-ordered.
    const createdAt = Number.isFinite(ref.createdAt) ? (ref.createdAt as number) : 0;
    return staticUuidV7(createdAt, `${this.jobNamespace}.${String(ref.id).split('/').join('.')}.${attempt}`);
  }

  /** The OpenLineage job name of `ref` (DESIGN.md §3): `{flow}` for a flow instance, `{flow}.{job}` for a job instance. */
  jobName(ref: InstanceRef): string {
    return ref.job === undefined ? ref.flow : `${ref.flow}.${ref.job}`;
  }

  /** The OpenLineage eventType of a neutral event. */
  eventType(event: RunEvent): OpenLineageEventType {
    switch (event.kind) {
      case 'queued':
        return 'OTHER';
      case 'start':
        return 'START';
      case 'running':
        return 'RUNNING';
      default:
        return TERMINAL_TYPE[event.result?.status ?? 'success'] ?? 'COMPLETE';
    }
  }

  /** Maps one neutral event to one OpenLineage RunEvent, at most `maxEventBytes` when serialized. */
  map(event: RunEvent): OpenLineageRunEvent {
    const eventType = this.eventType(event);
    const runId = this.runId(event.instance, event.attempt);
    const producer = this.producer;
    const engine = this.#engine(event.instance.orchestrator);

    const runFacets: Record<string, OpenLineageBaseFacet> = {};
    if (event.parent !== undefined) {
      const parent = this.#runRef(event.parent);
      runFacets.parent = parentRunFacet(producer, parent, event.root !== undefined ? this.#runRef(event.root) : parent);
    }
    runFacets.processing_engine = processingEngineRunFacet(producer, engine.name, engine.version);
    if (Number.isFinite(event.nominalTime)) runFacets.nominalTime = nominalTimeRunFacet(producer, event.nominalTime as number);
    if (eventType === 'FAIL') {
      const error = event.result?.error;
      const message = String(error?.message || (error?.type ?? event.result?.native ?? event.result?.status ?? 'failed'));
      const stack = typeof error?.stack === 'string' ? truncateUtf8(error.stack, this.#maxStackTraceBytes) : undefined;
      runFacets.errorMessage = errorMessageRunFacet(
        producer,
        truncateUtf8(message, this.#maxErrorMessageBytes),
        this.#programmingLanguage,
        stack,
      );
    }
    runFacets.tags = tagsRunFacet(producer, this.#tags(event, runId));
    if (event.upstream !== undefined && event.upstream.length > 0) {
      runFacets.jobDependencies = jobDependenciesRunFacet(
        producer,
        event.upstream.map((u) => ({ ...this.#runRef(u), dependency_type: 'DIRECT_INVOCATION', sequence_trigger_rule: 'FINISH_TO_START' })),
      );
    }

    const ol: OpenLineageRunEvent = {
      eventType,
      // A clock value that is not a number would make toISOString throw: stamp it now instead.
      eventTime: new Date(Number.isFinite(event.time) ? event.time : Date.now()).toISOString(),
      producer,
      schemaURL: OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
      run: { runId, facets: runFacets },
      job: {
        namespace: this.jobNamespace,
        name: this.jobName(event.instance),
        facets: {
          jobType: jobTypeJobFacet(
            producer,
            event.type === 'STREAMING' ? 'STREAMING' : 'BATCH',
            engine.integration,
            event.instance.job === undefined ? engine.flowJobType : engine.jobJobType,
          ),
        },
      },
    };
    this.#addDatasets(ol, event, runId);

    let json = JSON.stringify(ol);
    if (Buffer.byteLength(json, 'utf8') > this.maxEventBytes) {
      json = shrinkToFit(ol, this.maxEventBytes);
      this.truncatedEvents++;
    }
    this.#serialized.set(ol, json);
    return ol;
  }

  /** JSON of an event this mapper produced (cached from `map`), else `JSON.stringify(event)`. */
  serialize(event: OpenLineageRunEvent): string {
    return this.#serialized.get(event) ?? JSON.stringify(event);
  }

  #runRef(ref: InstanceRef): OpenLineageRunRef {
    return { run: { runId: this.runId(ref) }, job: { namespace: this.jobNamespace, name: this.jobName(ref) } };
  }

  #engine(orchestrator: string): OpenLineageEngineProfile {
    const builtin = BUILTIN_ENGINES[orchestrator] ?? {
      name: orchestrator,
      integration: orchestrator.toUpperCase(),
      flowJobType: 'FLOW',
      jobJobType: 'JOB',
    };
    return { version: 'unknown', ...builtin, ...this.#engines[orchestrator] };
  }

  /**
   * Retry fields (OpenLineage has no standard retry facet yet, OpenLineage#4517; reference §3.3 says to use
   * tags) and the event's context, all with source `INTEGRATION`.
   */
  #tags(event: RunEvent, runId: string): OpenLineageTag[] {
    const tags: OpenLineageTag[] = [{ key: 'runtrail.attempt', value: String(event.attempt), source: 'INTEGRATION' }];
    if (event.maxAttempts !== undefined && event.maxAttempts > 0) {
      tags.push({ key: 'runtrail.maxAttempts', value: String(event.maxAttempts), source: 'INTEGRATION' });
    }
    const firstAttemptRunId = event.attempt === 1 ? runId : this.runId(event.instance, 1);
    tags.push({ key: 'runtrail.firstAttemptRunId', value: firstAttemptRunId, source: 'INTEGRATION' });
    if (event.result !== undefined) {
      tags.push({ key: 'runtrail.result', value: event.result.status, source: 'INTEGRATION' });
      if (event.result.native !== undefined) tags.push({ key: 'runtrail.native', value: event.result.native, source: 'INTEGRATION' });
    }
    if (event.progress !== undefined) {
      const { current, total, message } = event.progress;
      if (current !== undefined) tags.push({ key: 'runtrail.progress.current', value: String(current), source: 'INTEGRATION' });
      if (total !== undefined) tags.push({ key: 'runtrail.progress.total', value: String(total), source: 'INTEGRATION' });
      if (message !== undefined) tags.push({ key: 'runtrail.progress.message', value: message, source: 'INTEGRATION' });
    }
    if (event.url !== undefined) tags.push({ key: 'runtrail.url', value: event.url, source: 'INTEGRATION' });
    for (const [key, value] of Object.entries(event.properties ?? {})) tags.push({ key, value: String(value), source: 'INTEGRATION' });
    return tags;
  }

  /**
   * Inputs and outputs go on START and are repeated on COMPLETE (consumers such as Marquez read lineage from
   * COMPLETE, reference §8.1, OpenLineage#1726), both always present there; other events carry only what the
   * neutral event names. A COMPLETE whose neutral event names none repeats what this process saw on START.
   */
  #addDatasets(ol: OpenLineageRunEvent, event: RunEvent, runId: string): void {
    const inputs = (event.inputs ?? []).map(toDataset);
    const outputs = (event.outputs ?? []).map(toDataset);
    if (ol.eventType === 'START') {
      this.#remember(runId, { inputs, outputs });
    } else if (event.kind === 'end') {
      const seen = this.#remembered.get(runId);
      this.#remembered.delete(runId);
      if (ol.eventType === 'COMPLETE' && seen !== undefined) {
        mergeDatasets(inputs, seen.inputs);
        mergeDatasets(outputs, seen.outputs);
      }
    }
    if (ol.eventType === 'START' || ol.eventType === 'COMPLETE') {
      ol.inputs = inputs;
      ol.outputs = outputs;
      return;
    }
    if (inputs.length > 0) ol.inputs = inputs;
    if (outputs.length > 0) ol.outputs = outputs;
  }

  #remember(runId: string, datasets: RememberedDatasets): void {
    if (this.#maxRememberedRuns === 0 || (datasets.inputs.length === 0 && datasets.outputs.length === 0)) return;
    this.#remembered.set(runId, datasets);
  }
}

function toDataset(ref: DatasetRef): OpenLineageDataset {
  return openLineageDataset(ref);
}

/** Appends to `into` the datasets of `from` it does not name yet (by namespace + name). */
function mergeDatasets(into: OpenLineageDataset[], from: OpenLineageDataset[]): void {
  const known = new Set(into.map((d) => `${d.namespace}\n${d.name}`));
  for (const d of from) if (!known.has(`${d.namespace}\n${d.name}`)) into.push(d);
}
