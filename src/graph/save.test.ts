import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../nodes/registry.ts';
import type { GraphDocument } from './document.ts';
import { loadGraph } from './load.ts';
import { saveGraph } from './save.ts';
import { fakeDef, minimalDoc, placeholderNode, randomDoc, sampleDoc } from './test-fixtures.test-util.ts';
import { validateGraph } from './validate.ts';

function roundTrip(doc: GraphDocument): void {
  const text = saveGraph(doc);
  const loaded = loadGraph(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  expect(loaded.diagnostics).toEqual([]);
  expect(loaded.doc).toEqual(doc);
  expect(saveGraph(loaded.doc)).toBe(text);
}

describe('saveGraph', () => {
  it('writes 2-space JSON with a trailing newline', () => {
    const text = saveGraph(minimalDoc());
    expect(text).toBe(
      '{\n  "format": "lggan-studio.graph",\n  "version": 2,\n  "meta": {\n    "name": "empty"\n  },\n  "template": {},\n' +
        '  "nodes": [],\n  "edges": [],\n  "groups": [],\n  "comments": [],\n  "extra": {}\n}\n',
    );
  });

  it('orders known fields canonically whatever order they were built in', () => {
    const doc = sampleDoc();
    const shuffled = {
      extra: doc.extra,
      comments: doc.comments.map((c) => ({ size: c.size, position: { y: c.position.y, x: c.position.x }, text: c.text, id: c.id })),
      groups: doc.groups.map((g) => ({ color: g.color, nodes: g.nodes, title: g.title, id: g.id })),
      edges: doc.edges.map((e) => ({ to: { port: e.to.port, node: e.to.node }, from: { port: e.from.port, node: e.from.node } })),
      nodes: doc.nodes.map((n) => ({ ...(n.extra ? { extra: n.extra } : {}), position: n.position, params: n.params, typeVersion: n.typeVersion, type: n.type, id: n.id, ...(n.network ? { network: n.network } : {}), ...(n.title ? { title: n.title } : {}) })),
      init: { seed: 7, gain: 0.02, scheme: 'xavier-normal' },
      template: doc.template,
      meta: { tags: doc.meta.tags, author: doc.meta.author, description: doc.meta.description, name: doc.meta.name },
      version: 2,
      format: 'lggan-studio.graph',
    } as unknown as GraphDocument;
    expect(saveGraph(shuffled)).toBe(saveGraph(doc));
    const text = saveGraph(doc);
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual(['format', 'version', 'meta', 'template', 'init', 'nodes', 'edges', 'groups', 'comments', 'extra']);
    expect(Object.keys(JSON.parse(text).nodes[1])).toEqual(['id', 'type', 'typeVersion', 'title', 'params', 'position']);
  });

  it('keeps the loaded key order inside params, extra, template and unknown meta fields', () => {
    const doc = minimalDoc();
    doc.template = { zeta: 1, alpha: 2 };
    (doc.meta as unknown as Record<string, unknown>)['x-tool'] = { z: 1, a: 2 };
    doc.meta.author = 'me';
    doc.nodes.push({ id: 'n', type: 'a/b', typeVersion: 1, params: { z: 1, a: { y: 1, b: 2 } }, position: { x: 0, y: 0 }, extra: { z: 0, a: 0 } });
    doc.extra = { z: 0, a: 0 };
    const out = JSON.parse(saveGraph(doc));
    expect(Object.keys(out.template)).toEqual(['zeta', 'alpha']);
    expect(Object.keys(out.meta)).toEqual(['name', 'author', 'x-tool']);
    expect(Object.keys(out.meta['x-tool'])).toEqual(['z', 'a']);
    expect(Object.keys(out.nodes[0].params)).toEqual(['z', 'a']);
    expect(Object.keys(out.nodes[0].params.a)).toEqual(['y', 'b']);
    expect(Object.keys(out.nodes[0].extra)).toEqual(['z', 'a']);
    expect(Object.keys(out.extra)).toEqual(['z', 'a']);
  });

  it('prints numbers as JSON.stringify does', () => {
    const doc = minimalDoc();
    doc.template = { a: 1e21, b: 0.1, c: 5e-324, d: 1.5 };
    expect(saveGraph(doc)).toContain('"a": 1e+21,\n    "b": 0.1,\n    "c": 5e-324,\n    "d": 1.5');
  });

  it('does not modify the document', () => {
    const doc = sampleDoc();
    const before = structuredClone(doc);
    saveGraph(doc);
    expect(doc).toEqual(before);
  });
});

describe('round trips: save → load → save is byte-identical and load(save(doc)) equals doc', () => {
  it.each([
    ['minimal', minimalDoc()],
    ['sample', sampleDoc()],
    ['with a placeholder node', { ...minimalDoc(), nodes: [placeholderNode()] }],
    ['without init', { ...sampleDoc(), init: undefined }],
  ])('%s', (_, doc) => {
    if (doc.init === undefined) delete doc.init;
    roundTrip(doc);
  });

  it('holds for 400 random documents', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const doc = randomDoc(seed);
      expect(validateGraph(doc), `seed ${seed}`).toEqual([]);
      roundTrip(doc);
    }
  });

  it('is canonical: loading a saved file with odd formatting and saving again gives the canonical text', () => {
    const doc = sampleDoc();
    const canonical = saveGraph(doc);
    const compact = JSON.stringify(JSON.parse(canonical));
    const loaded = loadGraph(compact);
    expect(loaded.ok && saveGraph(loaded.doc)).toBe(canonical);
  });
});

describe('placeholder nodes (unknown types)', () => {
  it('survive load → save byte for byte, odd params included', () => {
    const doc = sampleDoc();
    doc.nodes.splice(2, 0, placeholderNode());
    const text = saveGraph(doc);
    const nodeText = JSON.stringify(placeholderNode(), null, 2).replace(/\n/g, '\n    ');
    expect(text).toContain(nodeText);
    const registry = new NodeRegistry(doc.nodes.filter((n) => n.id !== 'mystery').map((n) => fakeDef(n.type, 1)).filter((d, i, all) => all.findIndex((x) => x.type === d.type) === i));
    const loaded = loadGraph(text, { registry });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.diagnostics.map((d) => [d.code, d.where.node])).toEqual([['unknown-node-type', 'mystery']]);
    expect(loaded.doc.nodes[2]).toEqual(placeholderNode());
    expect(saveGraph(loaded.doc)).toBe(text);
  });

  it('survive a hand-written file in canonical form exactly', () => {
    const text = `{
  "format": "lggan-studio.graph",
  "version": 2,
  "meta": {
    "name": "x"
  },
  "template": {},
  "nodes": [
    {
      "id": "p",
      "type": "vendor/thing",
      "typeVersion": 42,
      "title": "Thing",
      "network": "Aux",
      "params": {
        "mode": "fancy",
        "weights": [
          0.25,
          -1e-7,
          1e+300
        ],
        "nested": {
          "b": {},
          "a": [],
          "\\u0000\\n": "\\"quoted\\" \\\\ back"
        }
      },
      "position": {
        "x": 1.5,
        "y": -2
      },
      "extra": {
        "vendor": {
          "z": 1,
          "a": null
        }
      }
    }
  ],
  "edges": [],
  "groups": [],
  "comments": [],
  "extra": {}
}
`;
    const loaded = loadGraph(text);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(saveGraph(loaded.doc)).toBe(text);
  });
});
