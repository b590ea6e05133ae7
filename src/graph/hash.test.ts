import { describe, expect, it } from 'vitest';
import { DEFAULT_INIT, type GraphDocument } from './document.ts';
import { canonicalJson, graphContent, graphHash } from './hash.ts';
import { randomDoc, sampleDoc } from './test-fixtures.test-util.ts';

function edit(change: (doc: GraphDocument) => void): GraphDocument {
  const doc = sampleDoc();
  change(doc);
  return doc;
}

describe('canonicalJson', () => {
  it('sorts keys recursively and writes no whitespace', () => {
    expect(canonicalJson({ b: [{ z: 1, a: null }], a: 'x', c: undefined })).toBe('{"a":"x","b":[{"a":null,"z":1}]}');
  });
});

describe('graphHash', () => {
  const base = graphHash(sampleDoc());

  it('is 64 hex digits and stable', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(graphHash(sampleDoc())).toBe(base);
  });

  it.each<[string, (doc: GraphDocument) => void]>([
    ['moving a node', (d) => (d.nodes[1].position = { x: -5, y: 99 })],
    ['renaming a node title', (d) => (d.nodes[1].title = 'Renamed')],
    ['changing meta', (d) => (d.meta = { name: 'other', author: 'someone else' })],
    ['changing groups and comments', (d) => ((d.groups = []), (d.comments = []))],
    ['changing extra', (d) => ((d.extra = { x: 1 }), (d.nodes[3].extra = { color: 'red' }))],
    ['reordering nodes and edges', (d) => (d.nodes.reverse(), d.edges.reverse())],
  ])('ignores %s', (_, change) => {
    expect(graphHash(edit(change))).toBe(base);
  });

  it('treats an absent init as the default one', () => {
    expect(graphHash(edit((d) => (d.init = { ...DEFAULT_INIT })))).toBe(graphHash(edit((d) => delete d.init)));
  });

  it('ignores key order everywhere', () => {
    const doc = sampleDoc();
    const reordered = JSON.parse(JSON.stringify(doc), function (this: unknown, _key, value) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).reverse());
    }) as GraphDocument;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(doc));
    expect(graphHash(reordered)).toBe(base);
  });

  it.each<[string, (doc: GraphDocument) => void]>([
    ['a param', (d) => (d.nodes[1].params.kernel = 5)],
    ['a nested param', (d) => (d.nodes[3].params.opts = { a: [1] })],
    ['a template value', (d) => (d.template.ngf = 32)],
    ['init', (d) => (d.init!.gain = 0.03)],
    ['a node type version', (d) => (d.nodes[0].typeVersion = 2)],
    ['a node network', (d) => (d.nodes[1].network = 'D')],
    ['a node id', (d) => (d.nodes[4].id = 'D.patch2')],
    ['the wiring', (d) => (d.edges[3].from.port = 'z')],
    ['a node bypassed', (d) => (d.nodes[1].mode = 'bypass')],
    ['a node muted', (d) => (d.nodes[1].mode = 'mute')],
    ['an added edge', (d) => d.edges.push({ from: { node: 'enc2', port: 'y' }, to: { node: 'D.patch', port: 'x' } })],
  ])('changes with %s', (_, change) => {
    expect(graphHash(edit(change))).not.toBe(base);
  });

  it('covers only the content fields', () => {
    const content = JSON.parse(graphContent(sampleDoc()));
    expect(Object.keys(content)).toEqual(['edges', 'format', 'init', 'nodes', 'template', 'version']);
    expect(content.nodes.map((n: { id: string }) => n.id)).toEqual(['D.patch', 'enc1', 'enc2', 'fuse', 'label']);
    expect(Object.keys(content.nodes[0])).toEqual(['id', 'network', 'params', 'type', 'typeVersion']);
    expect(Object.keys(content.nodes[1])).toEqual(['id', 'params', 'type', 'typeVersion']);
  });

  it('tells bypass from mute, and a graph without modes keeps its format-v1 hash', () => {
    expect(graphHash(edit((d) => (d.nodes[1].mode = 'bypass')))).not.toBe(graphHash(edit((d) => (d.nodes[1].mode = 'mute'))));
    // Format v2 only added the mode: the hashed content still says version 1, so checkpoints made
    // for a v1 file match the migrated graph.
    expect(JSON.parse(graphContent(sampleDoc())).version).toBe(1);
    expect(graphHash({ ...sampleDoc(), version: 1 } as unknown as GraphDocument)).toBe(base);
  });

  it('differs between random documents', () => {
    const hashes = new Set(Array.from({ length: 50 }, (_, i) => graphHash(randomDoc(i + 1))));
    expect(hashes.size).toBe(50);
  });
});
