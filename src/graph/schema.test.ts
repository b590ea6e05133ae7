/** The published JSON Schema states the validator's structural rules wherever JSON Schema can. */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT, GRAPH_VERSION } from './document.ts';
import { saveGraph } from './save.ts';
import { INVALID_CASES, minimalDoc, placeholderNode, randomDoc, sampleDoc } from './test-fixtures.test-util.ts';
import { MAX_COMMENTS, MAX_EDGES, MAX_GROUPS, MAX_NODES, validateGraph } from './validate.ts';

const schema = JSON.parse(readFileSync(new URL('../../public/schema/graph-v2.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** What a file would hold: the document as JSON text, parsed back. */
const asFile = (doc: unknown) => JSON.parse(JSON.stringify(doc));

describe('public/schema/graph-v2.schema.json', () => {
  it('is a draft 2020-12 schema for the current format and version', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.format.const).toBe(GRAPH_FORMAT);
    expect(schema.properties.version.const).toBe(GRAPH_VERSION);
  });

  it('states the document size limits', () => {
    expect(schema.properties.nodes.maxItems).toBe(MAX_NODES);
    expect(schema.properties.edges.maxItems).toBe(MAX_EDGES);
    expect(schema.properties.groups.maxItems).toBe(MAX_GROUPS);
    expect(schema.properties.comments.maxItems).toBe(MAX_COMMENTS);
  });

  it('accepts every valid test document', () => {
    const docs = [minimalDoc(), sampleDoc(), { ...minimalDoc(), nodes: [placeholderNode()] }];
    for (let seed = 1; seed <= 200; seed++) docs.push(randomDoc(seed));
    for (const doc of docs) {
      expect(validateGraph(doc)).toEqual([]);
      const ok = validate(JSON.parse(saveGraph(doc)));
      expect(validate.errors ?? [], doc.meta.name).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it.each(INVALID_CASES.filter((c) => c.schema).map((c) => [c.name, c] as const))('rejects %s, as the validator does', (_, c) => {
    const doc = asFile(c.doc());
    expect(validateGraph(doc).length).toBeGreaterThan(0);
    expect(validate(doc)).toBe(false);
  });

  it.each(INVALID_CASES.filter((c) => !c.schema).map((c) => [c.name, c] as const))('leaves %s to the validator (not expressible)', (_, c) => {
    const doc = asFile(c.doc());
    expect(validateGraph(doc).length).toBeGreaterThan(0);
    expect(validate(doc)).toBe(true);
  });

  it('refuses "__proto__" as a template name, like the validator', () => {
    const doc = JSON.parse(saveGraph(minimalDoc()).replace('"template": {}', '"template": { "__proto__": 1 }'));
    expect(Object.keys(doc.template)).toEqual(['__proto__']);
    expect(validateGraph(doc)[0]).toMatchObject({ code: 'invalid-value', where: { pointer: '/template/__proto__' } });
    expect(validate(doc)).toBe(false);
  });
});
