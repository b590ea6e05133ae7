import { describe, expect, it } from 'vitest';
import { loadGraphValue } from './load.ts';
import { INVALID_CASES, minimalDoc, placeholderNode, randomDoc, sampleDoc } from './test-fixtures.test-util.ts';
import { MAX_EDGES, MAX_NODES, MAX_PIXELS, validateGraph } from './validate.ts';

describe('validateGraph', () => {
  it('accepts valid documents', () => {
    expect(validateGraph(minimalDoc())).toEqual([]);
    expect(validateGraph(sampleDoc())).toEqual([]);
    expect(validateGraph({ ...minimalDoc(), nodes: [placeholderNode()] })).toEqual([]);
    for (let seed = 1000; seed < 1100; seed++) expect(validateGraph(randomDoc(seed))).toEqual([]);
  });

  it('accepts a template right at the pixel limit', () => {
    expect(validateGraph({ ...minimalDoc(), template: { height: 8192, width: MAX_PIXELS / 8192 } })).toEqual([]);
  });

  it.each(INVALID_CASES.map((c) => [c.name, c] as const))('reports %s at its exact place', (_, c) => {
    const diagnostics = validateGraph(c.doc());
    expect(diagnostics.length).toBeGreaterThan(0);
    const [first] = diagnostics;
    expect(first.severity).toBe('error');
    expect(first.code).toBe(c.code);
    expect(first.where).toEqual(c.where);
    expect(first.message).toMatch(c.message);
  });

  it.each(INVALID_CASES.filter((c) => !['wrong-format', 'bad-version'].includes(c.code)).map((c) => [c.name, c] as const))(
    'the loader reports %s the same way, with the file name',
    (_, c) => {
      const result = loadGraphValue(c.doc(), { file: 'g.lggan.json' });
      expect(result.ok).toBe(false);
      expect(result.diagnostics[0]).toEqual({ severity: 'error', code: c.code, message: expect.stringMatching(c.message), where: { file: 'g.lggan.json', ...c.where } });
    },
  );

  it('collects every error, not just the first', () => {
    const doc = JSON.parse(JSON.stringify(sampleDoc()));
    doc.colour = 1;
    doc.nodes[0].id = 'bad id';
    doc.nodes[3].id = 'enc1';
    doc.edges[2].to.node = 'ghost';
    doc.template.width = 'wide';
    const codes = validateGraph(doc).map((d) => `${d.code} ${d.where.pointer}`);
    expect(codes).toEqual([
      'unknown-field /colour',
      'wrong-type /template/width',
      'invalid-value /nodes/0/id',
      'duplicate-id /nodes/3/id',
      'missing-node /edges/0/from/node',
      'missing-node /edges/2/to/node',
      'missing-node /edges/3/from/node',
      'missing-node /edges/3/to/node', // 'fuse' was renamed
    ]);
  });

  it('stops listing after 100 errors and says how many more there were', () => {
    const doc = minimalDoc();
    for (let i = 0; i < 150; i++) doc.nodes.push({ id: `bad id ${i}`, type: 'a/b', typeVersion: 1, params: {}, position: { x: 0, y: 0 } });
    const diagnostics = validateGraph(doc, { file: 'big.json' });
    expect(diagnostics).toHaveLength(101);
    expect(diagnostics[100]).toMatchObject({ code: 'too-many-errors', message: expect.stringMatching(/^50 more error\(s\) not listed; only the first 100 are shown$/), where: { file: 'big.json' } });
  });

  it('refuses a document over a size limit without walking its sections', () => {
    const doc = minimalDoc();
    const node = { id: 'n', type: 'a/b', typeVersion: 1, params: {}, position: { x: 0, y: 0 } };
    doc.nodes = Array.from({ length: MAX_NODES + 1 }, () => node); // duplicate ids: not reported, not looked at
    doc.edges = Array.from({ length: MAX_EDGES + 1 }, () => ({ from: { node: 'x', port: 'y' }, to: { node: 'x', port: 'y' } }));
    expect(validateGraph(doc)).toEqual([
      { severity: 'error', code: 'too-large', message: 'the graph has 50,001 nodes; at most 50,000 are allowed', where: { pointer: '/nodes' } },
      { severity: 'error', code: 'too-large', message: 'the graph has 200,001 edges; at most 200,000 are allowed', where: { pointer: '/edges' } },
    ]);
  });

  it('caps warnings like errors', () => {
    const doc = minimalDoc();
    for (let i = 0; i < 150; i++) doc.nodes.push({ id: `n${i}`, type: 'future/thing', typeVersion: 1, params: {}, position: { x: 0, y: 0 } });
    const loaded = loadGraphValue(doc, { registry: { get: () => undefined } });
    expect(loaded.ok).toBe(true);
    expect(loaded.diagnostics).toHaveLength(101);
    expect(loaded.diagnostics[100]).toMatchObject({ severity: 'warning', code: 'too-many-warnings', message: expect.stringMatching(/^\d+ more warning\(s\) not listed; only the first 100 are shown$/) });
  });

  it('escapes JSON pointer tokens (RFC 6901)', () => {
    const doc = JSON.parse(JSON.stringify(minimalDoc()));
    doc.extra = { 'a/b~c': 1 };
    doc['x/y~'] = 1;
    expect(validateGraph(doc)[0].where.pointer).toBe('/x~1y~0');
  });

  describe('already-parsed input with non-JSON values', () => {
    it('refuses NaN, undefined, functions and class instances in params and extra', () => {
      const doc = sampleDoc() as unknown as { nodes: { params: Record<string, unknown>; extra?: Record<string, unknown> }[]; extra: Record<string, unknown> };
      doc.nodes[1].params.kernel = Number.NaN;
      doc.nodes[2].params.nested = { list: [1, undefined] };
      doc.nodes[3].extra = { when: new Date(0) };
      doc.extra.fn = () => 1;
      const diagnostics = validateGraph(doc);
      expect(diagnostics.map((d) => [d.code, d.where.pointer, d.where.param])).toEqual([
        ['not-json', '/nodes/1/params/kernel', 'kernel'],
        ['not-json', '/nodes/2/params/nested/list/1', 'nested'],
        ['not-json', '/nodes/3/extra/when', undefined],
        ['not-json', '/extra/fn', undefined],
      ]);
      expect(diagnostics[0].message).toMatch(/expected a JSON value .*, got the non-finite number NaN/);
      expect(diagnostics[2].message).toMatch(/got a Date/);
    });

    it('refuses cycles and very deep nesting without overflowing the stack', () => {
      const doc = sampleDoc();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      doc.extra = cyclic;
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      doc.nodes[0].params.deep = deep as number;
      const diagnostics = validateGraph(doc);
      expect(diagnostics.map((d) => d.code)).toEqual(['too-deep', 'too-deep']);
      expect((diagnostics[0].where.pointer ?? '').startsWith('/nodes/0/params/deep/0/0/0/')).toBe(true);
      expect((diagnostics[1].where.pointer ?? '').startsWith('/extra/self/self/')).toBe(true);
    });
  });
});
