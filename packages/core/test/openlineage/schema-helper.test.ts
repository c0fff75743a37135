// The shared validator (test/helpers/openlineage-schema.ts) accepts the official examples and rejects what the
// spec rejects (reference/openlineage.md §1.4), including facets that break their own facet schema.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENLINEAGE_SPEC_DIR, validateOpenLineageEvent } from '../../../../test/helpers/openlineage-schema.js';
import { readGolden } from './expect-golden.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests below break events field by field, whatever their shape.
type Loose = any;

const valid = () => readGolden<Loose>('reference-9-1-child-start.json');

describe('validateOpenLineageEvent', () => {
  it('accepts the official full example event', () => {
    const example = JSON.parse(fs.readFileSync(path.join(OPENLINEAGE_SPEC_DIR, 'tests', 'example_full_event.json'), 'utf8'));
    expect(validateOpenLineageEvent(example)).toEqual([]);
  });

  it('accepts a RunEvent without eventType (optional in the schema)', () => {
    const ev = valid();
    delete ev.eventType;
    expect(validateOpenLineageEvent(ev)).toEqual([]);
  });

  it.each([
    [
      'a runId that is not a UUID',
      (ev: Loose) => {
        ev.run.runId = 'not-a-uuid';
      },
    ],
    [
      'a UUID without hyphens',
      (ev: Loose) => {
        ev.run.runId = '01a01f0adde87e278c1508b6fcd62d48';
      },
    ],
    [
      'eventType BOGUS',
      (ev: Loose) => {
        ev.eventType = 'BOGUS';
      },
    ],
    [
      'no producer',
      (ev: Loose) => {
        delete ev.producer;
      },
    ],
    [
      'a producer that is not a URI',
      (ev: Loose) => {
        ev.producer = 'not a uri';
      },
    ],
    [
      'an eventTime without timezone',
      (ev: Loose) => {
        ev.eventTime = '2026-08-20T12:00:00';
      },
    ],
    [
      'a facet without _producer',
      (ev: Loose) => {
        delete ev.run.facets.processing_engine._producer;
      },
    ],
    [
      'a job without name',
      (ev: Loose) => {
        delete ev.job.name;
      },
    ],
  ])('rejects %s (core schema)', (_name, breakIt) => {
    const ev = valid();
    breakIt(ev);
    expect(validateOpenLineageEvent(ev)).not.toEqual([]);
  });

  it.each([
    [
      'processing_engine without version',
      (ev: Loose) => {
        delete ev.run.facets.processing_engine.version;
      },
      'run.facets.processing_engine',
    ],
    [
      'parent.root without job',
      (ev: Loose) => {
        delete ev.run.facets.parent.root.job;
      },
      'run.facets.parent',
    ],
    [
      'a parent runId that is not a UUID',
      (ev: Loose) => {
        ev.run.facets.parent.run.runId = 'x';
      },
      'run.facets.parent',
    ],
    [
      'jobType without integration',
      (ev: Loose) => {
        delete ev.job.facets.jobType.integration;
      },
      'job.facets.jobType',
    ],
    [
      'a tag without value',
      (ev: Loose) => {
        delete ev.run.facets.tags.tags[0].value;
      },
      'run.facets.tags',
    ],
  ])('rejects %s through the facet schema', (_name, breakIt, where) => {
    const ev = valid();
    breakIt(ev);
    const errors = validateOpenLineageEvent(ev);
    expect(errors.some((e) => e.startsWith(where))).toBe(true);
  });

  it('validates an errorMessage facet against ErrorMessageRunFacet (programmingLanguage is required)', () => {
    const ev = readGolden<Loose>('reference-9-3-child-fail.json');
    expect(validateOpenLineageEvent(ev)).toEqual([]);
    delete ev.run.facets.errorMessage.programmingLanguage;
    expect(validateOpenLineageEvent(ev).some((e) => e.startsWith('run.facets.errorMessage'))).toBe(true);
  });

  it('checks a facet whose _schemaURL names an older version against the vendored schema of its key', () => {
    const ev = valid();
    ev.run.facets.processing_engine._schemaURL = 'https://openlineage.io/spec/facets/1-0-0/ProcessingEngineRunFacet.json';
    expect(validateOpenLineageEvent(ev)).toEqual([]);
    delete ev.run.facets.processing_engine.version;
    expect(validateOpenLineageEvent(ev).some((e) => e.startsWith('run.facets.processing_engine'))).toBe(true);
  });

  it('leaves a custom facet to the core schema (only _producer and _schemaURL are required)', () => {
    const ev = valid();
    ev.run.facets.runtrail_custom = { _producer: ev.producer, _schemaURL: 'https://example.com/schemas/1-0-0/Custom.json', anything: 1 };
    expect(validateOpenLineageEvent(ev)).toEqual([]);
    delete ev.run.facets.runtrail_custom._schemaURL;
    expect(validateOpenLineageEvent(ev)).not.toEqual([]);
  });

  it('validates every official facet example against its facet schema', () => {
    const dir = path.join(OPENLINEAGE_SPEC_DIR, 'tests');
    let checked = 0;
    for (const facetName of fs.readdirSync(dir).filter((f) => !f.endsWith('.json'))) {
      for (const file of fs.readdirSync(path.join(dir, facetName))) {
        const instance = JSON.parse(fs.readFileSync(path.join(dir, facetName, file), 'utf8')) as Record<string, unknown>;
        const ev = valid();
        // Put each example facet where a real event carries it: run, job, dataset, input or output facets.
        if (facetName.endsWith('RunFacet')) Object.assign(ev.run.facets, instance);
        else if (facetName.endsWith('JobFacet')) Object.assign(ev.job.facets, instance);
        else if (facetName.endsWith('InputDatasetFacet')) ev.inputs[0].inputFacets = instance;
        else if (facetName.endsWith('OutputDatasetFacet')) ev.outputs[0].outputFacets = instance;
        else ev.inputs[0].facets = instance;
        expect(validateOpenLineageEvent(ev), `${facetName}/${file}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
