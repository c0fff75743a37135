// The shared OpenLineage validator for every test that produces events: the official 2-0-2 core schema and
// every facet schema (shared/spec/openlineage, vendored from OpenLineage@8f02abf), with Ajv 2020 + formats.
// Each facet present is also validated against its own facet schema, found by the facet's `_schemaURL`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Both packages are CommonJS: depending on the loader the class is the default export or its `.default`.
const Ajv = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const applyFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the vendored schemas live: `shared/` sits beside the repository (CI clones it there too). */
export const OPENLINEAGE_SPEC_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'spec', 'openlineage');

const CORE_ID = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

/** Where a facet sits in an event; standard facet keys are only unique within one slot kind (`tags`). */
type FacetSlot = 'run' | 'job' | 'dataset' | 'input' | 'output';

interface FacetValidator {
  /** The facet key the schema file's root names, e.g. `parent`. */
  key: string;
  /** Validates `{ <key>: facet }`. */
  validate: ValidateFunction;
}

interface Compiled {
  core: ValidateFunction;
  /** Facet schema `$id` (no fragment) → validator. */
  byId: Map<string, FacetValidator>;
  /** `<slot>:<key>` → validator, for facets whose `_schemaURL` names a version not vendored here. */
  byKey: Map<string, FacetValidator>;
}

function slotOf(fileName: string): FacetSlot | undefined {
  if (fileName.endsWith('RunFacet.json')) return 'run';
  if (fileName.endsWith('JobFacet.json')) return 'job';
  if (fileName.endsWith('InputDatasetFacet.json')) return 'input';
  if (fileName.endsWith('OutputDatasetFacet.json')) return 'output';
  if (fileName.endsWith('DatasetFacet.json')) return 'dataset';
  return undefined; // LineageFacet.json defines facets for several slots: matched by $id only
}

let compiled: Compiled | undefined;

function load(): Compiled {
  if (compiled) return compiled;
  const corePath = path.join(OPENLINEAGE_SPEC_DIR, 'OpenLineage.json');
  if (!fs.existsSync(corePath)) {
    throw new Error(
      `OpenLineage schemas not found at ${OPENLINEAGE_SPEC_DIR}: the shared/ folder must sit beside the repository ` +
        '(<repo>/../shared/spec/openlineage/OpenLineage.json).',
    );
  }
  // strict: false — the official schemas use the non-standard `example` and `documentation` keywords (spec README).
  const ajv = new Ajv({ strict: false, allErrors: true });
  applyFormats(ajv);
  ajv.addSchema(JSON.parse(fs.readFileSync(corePath, 'utf8')));
  const facetDir = path.join(OPENLINEAGE_SPEC_DIR, 'facets');
  const facetFiles = fs
    .readdirSync(facetDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      file: f,
      schema: JSON.parse(fs.readFileSync(path.join(facetDir, f), 'utf8')) as { $id: string; properties?: Record<string, unknown> },
    }));
  // Register every file under its own $id before compiling, so no $ref is ever fetched.
  for (const { schema } of facetFiles) ajv.addSchema(schema);
  const byId = new Map<string, FacetValidator>();
  const byKey = new Map<string, FacetValidator>();
  for (const { file, schema } of facetFiles) {
    const key = Object.keys(schema.properties ?? {})[0];
    if (key === undefined) continue; // BaseSubsetDatasetFacet: definitions only
    const entry = { key, validate: ajv.getSchema(schema.$id)! };
    byId.set(schema.$id, entry);
    const slot = slotOf(file);
    if (slot !== undefined) byKey.set(`${slot}:${key}`, entry);
  }
  compiled = { core: ajv.getSchema(CORE_ID)!, byId, byKey };
  return compiled;
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map(
    (e) => `${where}${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}

type FacetMap = Record<string, { _schemaURL?: unknown } & Record<string, unknown>> | undefined;

function facetErrors(facets: FacetMap, slot: FacetSlot, where: string, known: Compiled): string[] {
  const errors: string[] = [];
  for (const [key, facet] of Object.entries(facets ?? {})) {
    const url = typeof facet?._schemaURL === 'string' ? facet._schemaURL.split('#')[0]! : '';
    // The vendored version named by _schemaURL, else the vendored schema of this standard key (older/newer
    // versions are checked against the current one); a custom facet has neither and only meets the core schema.
    const entry = known.byId.get(url) ?? known.byKey.get(`${slot}:${key}`);
    if (entry === undefined) continue;
    // The facet file's root names its usual key; validate under that key whatever key the event used.
    if (!entry.validate({ [entry.key]: facet })) errors.push(...describe(entry.validate.errors, `${where}.${key}`));
  }
  // Facets forwarded under `parent` (ParentRunFacet 1-2-0: parent/root run and job facets) are facets too.
  const parent = facets?.parent as { run?: { facets?: FacetMap }; job?: { facets?: FacetMap }; root?: typeof parent } | undefined;
  for (const [ref, name] of [
    [parent, 'parent'],
    [parent?.root, 'parent.root'],
  ] as const) {
    if (ref === undefined) continue;
    errors.push(...facetErrors(ref.run?.facets, 'run', `${where}.${name}.run.facets`, known));
    errors.push(...facetErrors(ref.job?.facets, 'job', `${where}.${name}.job.facets`, known));
  }
  return errors;
}

/**
 * Errors of an OpenLineage event against the core schema and, for every standard facet it carries (run, job,
 * dataset, input and output facets, and facets forwarded under `parent`), against that facet's schema.
 * Empty when valid.
 */
export function validateOpenLineageEvent(event: unknown): string[] {
  const compiled = load();
  const { core } = compiled;
  const errors = core(event) ? [] : describe(core.errors, 'event');
  if (typeof event !== 'object' || event === null) return errors;
  const ev = event as {
    run?: { facets?: FacetMap };
    job?: { facets?: FacetMap };
    inputs?: Array<{ facets?: FacetMap; inputFacets?: FacetMap }>;
    outputs?: Array<{ facets?: FacetMap; outputFacets?: FacetMap }>;
  };
  errors.push(...facetErrors(ev.run?.facets, 'run', 'run.facets', compiled));
  errors.push(...facetErrors(ev.job?.facets, 'job', 'job.facets', compiled));
  (ev.inputs ?? []).forEach((d, i) => {
    errors.push(...facetErrors(d.facets, 'dataset', `inputs[${i}].facets`, compiled));
    errors.push(...facetErrors(d.inputFacets, 'input', `inputs[${i}].inputFacets`, compiled));
  });
  (ev.outputs ?? []).forEach((d, i) => {
    errors.push(...facetErrors(d.facets, 'dataset', `outputs[${i}].facets`, compiled));
    errors.push(...facetErrors(d.outputFacets, 'output', `outputs[${i}].outputFacets`, compiled));
  });
  return errors;
}

/** Throws with every error when `event` is not a valid OpenLineage event (see `validateOpenLineageEvent`). */
export function assertValidOpenLineageEvent(event: unknown): void {
  const errors = validateOpenLineageEvent(event);
  if (errors.length > 0) {
    throw new Error(`invalid OpenLineage event:\n  ${errors.join('\n  ')}\n${JSON.stringify(event, null, 2).slice(0, 4000)}`);
  }
}
