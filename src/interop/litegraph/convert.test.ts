/**
 * Interchange with litegraph/ComfyUI JSON: round trips over every shipped graph and over seeded
 * random documents (placeholders, odd params, groups, comments, extreme numbers), through plain
 * JSON and through a real headless LGraph; a ComfyUI-shaped fixture; positioned errors for bad input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as litegraph from 'litegraph.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { formatDiagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { loadGraph } from '../../graph/load.ts';
import { saveGraph } from '../../graph/save.ts';
import { randomDoc, sampleDoc, placeholderNode } from '../../graph/test-fixtures.test-util.ts';
import { detectGraphFormat, formatGraph, fromLitegraph, loadAnyGraph, toLitegraph } from './convert.ts';
import { registerLgganNodes, type LitegraphLib } from './register.ts';

const registry = createRegistry();
const graphsDir = new URL('../../../graphs/', import.meta.url);
const shipped: [string, GraphDocument][] = readdirSync(graphsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const loaded = loadGraph(readFileSync(new URL(f, graphsDir), 'utf8'), { registry });
    if (!loaded.ok) throw new Error(`${f} does not load`);
    return [f, loaded.doc];
  });
const RANDOM_SEEDS = Array.from({ length: 150 }, (_, i) => i + 1);
const fixture = () => JSON.parse(readFileSync(new URL('./fixtures/comfy-workflow.json', import.meta.url), 'utf8'));

/** Our → litegraph (as JSON text, like a file) → our; a file without our record takes the document's name, as opening it by name would. */
function viaJson(doc: GraphDocument): GraphDocument {
  const back = fromLitegraph(JSON.parse(JSON.stringify(toLitegraph(doc, registry))), registry, { name: doc.meta.name });
  if (!back.ok) throw new Error(back.diagnostics.map(formatDiagnostic).join('\n'));
  return back.doc;
}

/** Our → litegraph → LGraph.configure → serialize() → our; `stringify` also passes it through JSON text. */
function viaLGraph(doc: GraphDocument, stringify: boolean): GraphDocument {
  const graph = new litegraph.LGraph();
  graph.configure(JSON.parse(JSON.stringify(toLitegraph(doc, registry))));
  const serialized = graph.serialize();
  // As the litegraph view does: the document keeps the file it was opened from, not the canvas's serialization.
  const source = doc.extra.litegraphSource as Record<string, unknown> | undefined;
  const back = fromLitegraph(stringify ? JSON.parse(JSON.stringify(serialized)) : serialized, registry, { name: doc.meta.name, ...(source ? { source } : {}) });
  if (!back.ok) throw new Error(back.diagnostics.map(formatDiagnostic).join('\n'));
  return back.doc;
}

beforeAll(() => {
  registerLgganNodes(litegraph as unknown as LitegraphLib, registry);
});

describe('ours → litegraph → ours', () => {
  it.each(shipped)('%s comes back byte for byte', (_, doc) => {
    expect(saveGraph(viaJson(doc))).toBe(saveGraph(doc));
  });

  it('keeps random documents exactly (placeholders, odd keys, extreme numbers, groups, comments)', () => {
    for (const seed of RANDOM_SEEDS) {
      const doc = randomDoc(seed);
      expect(saveGraph(viaJson(doc)), `seed ${seed}`).toBe(saveGraph(doc));
    }
  });

  it('keeps the sample document and a placeholder with odd params', () => {
    const doc = sampleDoc();
    doc.nodes.push(placeholderNode());
    doc.nodes[1].title = 'Conv 2D'; // equal to the type's title: litegraph would drop it
    expect(saveGraph(viaJson(doc))).toBe(saveGraph(doc));
  });

  it('writes real litegraph JSON: a headless LGraph configures and serializes it losslessly', () => {
    for (const [name, doc] of shipped) {
      expect(saveGraph(viaLGraph(doc, true)), name).toBe(saveGraph(doc));
      expect(saveGraph(viaLGraph(doc, false)), name).toBe(saveGraph(doc));
    }
    for (const seed of RANDOM_SEEDS.slice(0, 60)) {
      const doc = randomDoc(seed);
      expect(saveGraph(viaLGraph(doc, true)), `seed ${seed}`).toBe(saveGraph(doc));
    }
  });

  it('maps the document onto litegraph structures', () => {
    const doc = shipped.find(([f]) => f === 'tiny-pix2pix.json')![1];
    const lite = toLitegraph(doc, registry);
    expect(lite.nodes).toHaveLength(doc.nodes.length + doc.comments.length);
    expect(lite.links).toHaveLength(doc.edges.length);
    expect(lite.groups.map((g) => g.title)).toEqual(doc.groups.map((g) => g.title));
    const enc = lite.nodes.find((n) => (n.properties.lggan as { id: string }).id === 'enc')!;
    expect(enc.type).toBe('core/conv2d');
    expect(enc.properties.out_channels).toBe('ngf');
    expect(enc.widgets_values![0]).toBe('ngf');
    expect(enc.inputs[0]).toMatchObject({ name: 'x', type: expect.stringMatching(/^feature,/) });
    // Every link tuple is consistent with the slots it names.
    for (const [id, origin, originSlot, target, targetSlot] of lite.links) {
      const from = lite.nodes.find((n) => n.id === origin)!;
      const to = lite.nodes.find((n) => n.id === target)!;
      expect(from.outputs[originSlot].links).toContain(id);
      expect(to.inputs[targetSlot].link).toBe(id);
    }
    const note = lite.nodes.find((n) => n.type === 'Note')!;
    expect(note.widgets_values).toEqual([doc.comments[0].text]);
  });

  it('gives whole-number ids their own number and the others free ones', () => {
    const doc = sampleDoc();
    doc.nodes[0].id = '3';
    doc.edges = doc.edges.map((e) => ({ from: { ...e.from, node: e.from.node === 'label' ? '3' : e.from.node }, to: e.to }));
    const lite = toLitegraph(doc, registry);
    expect(lite.nodes.map((n) => n.id)).toEqual([3, 1, 2, 4, 5, 6]);
    expect(lite.last_node_id).toBe(6);
  });
});

describe('node modes: bypass is litegraph/ComfyUI mode 4, mute is 2 ("never")', () => {
  const withModes = (): GraphDocument => {
    const doc = structuredClone(shipped.find(([f]) => f === 'lggan-cityscapes-tiny.json')![1]);
    doc.nodes.find((n) => n.id === 'fusion')!.mode = 'bypass';
    doc.nodes.find((n) => n.id === 'trunk')!.mode = 'mute';
    return doc;
  };
  const liteModes = (doc: GraphDocument) =>
    Object.fromEntries(toLitegraph(doc, registry).nodes.map((n) => [(n.properties.lggan as { id: string }).id, n.mode]));

  it('writes 4 and 2 for bypass and mute, 0 for active nodes', () => {
    const modes = liteModes(withModes());
    expect(modes.fusion).toBe(4);
    expect(modes.trunk).toBe(2);
    expect(modes.encoder).toBe(0);
  });

  it('comes back exactly through JSON and through a real LGraph', () => {
    const doc = withModes();
    expect(saveGraph(viaJson(doc))).toBe(saveGraph(doc));
    expect(saveGraph(viaLGraph(doc, true))).toBe(saveGraph(doc));
  });

  it('reads modes set on the litegraph side; other litegraph modes stay foreign', () => {
    const lite = toLitegraph(shipped.find(([f]) => f === 'lggan-cityscapes-tiny.json')![1], registry);
    const byId = (id: string) => lite.nodes.find((n) => (n.properties.lggan as { id: string }).id === id)!;
    byId('classifier').mode = 2;
    byId('fusion').mode = 4;
    byId('masks').mode = 3; // litegraph's "on trigger": not ours, kept as it was
    const back = fromLitegraph(JSON.parse(JSON.stringify(lite)), registry);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const node = (id: string) => back.doc.nodes.find((n) => n.id === id)!;
    expect(node('classifier').mode).toBe('mute');
    expect(node('fusion').mode).toBe('bypass');
    expect(node('masks').mode).toBeUndefined();
    expect(node('masks').extra).toEqual({ litegraph: { mode: 3 } });
    expect(liteModes(back.doc)).toMatchObject({ classifier: 2, fusion: 4, masks: 3, encoder: 0 });
  });
});

describe('litegraph → ours → litegraph → ours', () => {
  it('reads a ComfyUI-shaped workflow', () => {
    const result = fromLitegraph(fixture(), registry, { file: 'comfy.json', name: 'comfy' });
    expect(result.ok, result.diagnostics.map(formatDiagnostic).join('\n')).toBe(true);
    if (!result.ok) return;
    const { doc } = result;
    expect(doc.meta.name).toBe('comfy');
    expect(doc.nodes.map((n) => [n.id, n.type])).toEqual([
      ['4', 'core/semantic-input'],
      ['7', 'core/conv2d'],
      ['9', 'core/activation'],
      ['12', 'core/output'],
      ['15', 'foreign/KSampler'],
    ]);
    const [labels, conv, act, out, sampler] = doc.nodes;
    expect(labels.title).toBe('Labels');
    expect(labels.params).toEqual({}); // every widget shows its default
    expect(conv.title).toBeUndefined();
    expect(conv.params).toEqual({ out_channels: 32, padding_mode: 'reflect' }); // widgets_values carry the params
    expect(conv.extra).toEqual({
      litegraph: {
        size: [240, 200],
        inputs: { x: { label: 'features in' } },
        properties: { 'Node name for S&R': 'core/conv2d' },
      },
    });
    expect(labels.extra?.litegraph).toMatchObject({ size: [315, 180] });
    expect(act.params).toEqual({ function: 'leaky-relu' });
    // ComfyUI's bypass (mode 4) is the node's own mode, not a foreign field.
    expect(act.mode).toBe('bypass');
    expect(act.extra?.litegraph).toMatchObject({ flags: { collapsed: true } });
    expect(act.extra?.litegraph).not.toHaveProperty('mode');
    expect(out).toMatchObject({ title: 'Final', params: { name: 'final', role: 'image' } });
    expect(sampler.params).toEqual({ 'Node name for S&R': 'KSampler' });
    expect(sampler.extra?.litegraph).toMatchObject({ type: 'KSampler', widgets_values: [156680208700286, 'randomize', 20, 8, 'euler', 'normal', 1] });
    expect(doc.edges).toEqual([
      { from: { node: '4', port: 'semantic' }, to: { node: '7', port: 'x' } },
      { from: { node: '7', port: 'y' }, to: { node: '9', port: 'x' } },
      { from: { node: '9', port: 'y' }, to: { node: '12', port: 'value' } },
    ]);
    expect(doc.comments).toEqual([{ id: 'c20', text: 'Generator stem: conv → leaky ReLU.', position: { x: 10, y: 300 }, size: { width: 400, height: 120 }, extra: { litegraph: { properties: { text: '' } } } }]);
    expect(doc.groups).toEqual([{ id: 'group1', title: 'Generator', nodes: ['4', '7', '9', '12'], color: '#3f789e', extra: { litegraph: { font_size: 24 } } }]);
    expect(doc.extra).toEqual({ litegraph: { extra: { ds: { scale: 1.1, offset: [12.5, -40] } } }, litegraphSource: fixture() });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unknown-node-type']);
    expect(result.diagnostics[0].where).toMatchObject({ file: 'comfy.json', node: '15', pointer: '/nodes/4/type' });
  });

  it('loses nothing on a second round trip, and keeps the ComfyUI fields', () => {
    const first = fromLitegraph(fixture(), registry, { name: 'comfy' });
    if (!first.ok) throw new Error('fixture does not load');
    const lite = toLitegraph(first.doc, registry);
    expect(saveGraph(viaJson(first.doc))).toBe(saveGraph(first.doc));
    expect(saveGraph(viaLGraph(first.doc, true))).toBe(saveGraph(first.doc));
    const sampler = lite.nodes.find((n) => n.id === 15)!;
    expect(sampler).toMatchObject({ type: 'KSampler', size: [315, 262], widgets_values: [156680208700286, 'randomize', 20, 8, 'euler', 'normal', 1] });
    expect(sampler.inputs).toEqual([{ name: 'model', type: 'MODEL', link: null }]);
    expect(lite.nodes.find((n) => n.id === 9)).toMatchObject({ mode: 4, flags: { collapsed: true } });
    expect(lite.groups[0]).toEqual({ title: 'Generator', bounding: expect.any(Array), color: '#3f789e', font_size: 24 });
    expect(lite.extra.ds).toEqual({ scale: 1.1, offset: [12.5, -40] });
    expect(lite.nodes.find((n) => n.id === 7)!.inputs[0]).toMatchObject({ name: 'x', label: 'features in', link: expect.any(Number) });
  });

  it('takes edits made on the litegraph side: moved, renamed, re-valued, regrouped', () => {
    const doc = shipped.find(([f]) => f === 'tiny-pix2pix.json')![1];
    const lite = toLitegraph(doc, registry);
    const enc = lite.nodes.find((n) => (n.properties.lggan as { id: string }).id === 'enc')!;
    enc.pos = [1000.5, -20];
    enc.title = 'Stem';
    enc.widgets_values![1] = 5; // kernel
    lite.groups[0].bounding = [-5000, -5000, 10, 10]; // moved away from its members: litegraph membership is geometric
    const back = fromLitegraph(lite, registry);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const node = back.doc.nodes.find((n) => n.id === 'enc')!;
    expect(node).toMatchObject({ title: 'Stem', position: { x: 1000.5, y: -20 }, params: { out_channels: 'ngf', kernel: 5, padding_mode: 'reflect' } });
    expect(back.doc.groups[0]).toMatchObject({ id: doc.groups[0].id, nodes: [] });
    expect(back.doc.groups[1]).toEqual(doc.groups[1]);
  });

  it('gives nodes added in litegraph (no meta) fresh ids and no title when they show the type title', () => {
    const doc = shipped.find(([f]) => f === 'tiny-pix2pix.json')![1];
    const lite = toLitegraph(doc, registry);
    lite.nodes.push({ id: 99, type: 'core/add', pos: [0, 0], size: [160, 46], flags: {}, order: 99, mode: 0, inputs: [], outputs: [], title: 'Add', properties: {}, widgets_values: [] });
    const copy = structuredClone(lite.nodes[1]);
    copy.id = 100; // a copy-paste carries its original's meta
    copy.inputs = copy.inputs.map((s) => ({ ...s, link: null }));
    copy.outputs = copy.outputs.map((s) => ({ ...s, links: null }));
    lite.nodes.push(copy);
    const back = fromLitegraph(lite, registry);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const added = back.doc.nodes.find((n) => n.id === '99')!;
    expect(added).toMatchObject({ type: 'core/add', typeVersion: 1, params: {} });
    expect(added.title).toBeUndefined();
    expect(back.doc.nodes.map((n) => n.id)).toContain('100');
    expect(back.doc.nodes.filter((n) => n.id === doc.nodes[1].id)).toHaveLength(1);
  });
});

describe('colours in litegraph input', () => {
  it('a colour that is not one is left out, with a warning at its place in the litegraph JSON', () => {
    const json = fixture();
    json.nodes[1].color = 'red;background:url(http://127.0.0.2/x)';
    json.nodes[1].bgcolor = '#335';
    json.groups = [{ title: 'g', bounding: [0, 0, 100, 100], color: '</style><style>*{}' }];
    const result = fromLitegraph(json, registry, { file: 'w.json' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const warnings = result.diagnostics.filter((d) => d.code === 'invalid-color').map((d) => d.where.pointer);
    expect(warnings).toEqual(['/nodes/1/color', '/groups/0/color']);
    expect(result.doc.groups[0].color).toBeUndefined();
    const node = result.doc.nodes.find((n) => n.id === String(json.nodes[1].id))!;
    expect((node.extra?.litegraph as Record<string, unknown>).color).toBeUndefined();
    expect((node.extra?.litegraph as Record<string, unknown>).bgcolor).toBe('#335');
  });
});

describe('bad litegraph input gives positioned errors', () => {
  const errorsOf = (json: unknown) => {
    const result = fromLitegraph(json, registry, { file: 'w.json' });
    expect(result.ok).toBe(false);
    return result.diagnostics.filter((d) => d.severity === 'error');
  };

  it('a link to a node that is not there', () => {
    const json = fixture();
    json.links[1][3] = 77;
    const [e] = errorsOf(json);
    expect(e).toMatchObject({ code: 'dangling-link', where: { file: 'w.json', pointer: '/links/1/3' } });
    expect(e.message).toBe('link 12 ends at node 77, which is not in the graph');
  });

  it('a link to a slot the node does not have', () => {
    const json = fixture();
    json.links[0][2] = 3;
    const [e] = errorsOf(json);
    expect(e).toMatchObject({ code: 'unknown-slot', where: { pointer: '/links/0/2', node: '4' } });
    expect(e.message).toBe('link 9 starts at output slot 3 of node 4 (core/semantic-input), which has 1 output (0: semantic)');
  });

  it('a link tuple of the wrong length', () => {
    const json = fixture();
    json.links[2] = [13, 9, 0, 12, 0];
    const [e] = errorsOf(json);
    expect(e).toMatchObject({ code: 'bad-link', where: { pointer: '/links/2' } });
    expect(e.message).toMatch(/link #2 must be \[id, origin_id, origin_slot, target_id, target_slot, type\], got an array of 5/);
  });

  it('duplicate node ids, links into a note, self-loops, two links into one input', () => {
    const dup = fixture();
    dup.nodes[2].id = 7;
    expect(errorsOf(dup)[0]).toMatchObject({ code: 'duplicate-id', where: { pointer: '/nodes/2/id' } });
    const note = fixture();
    note.links[2][3] = 20;
    expect(errorsOf(note)[0].message).toBe('link 13 ends at node 20 (note); notes have no ports');
    const loop = fixture();
    loop.links[1] = [12, 7, 0, 7, 0, 'feature'];
    expect(errorsOf(loop).map((e) => e.code)).toContain('self-loop');
    const twice = fixture();
    twice.links.push([14, 4, 0, 7, 0, 'semantic']);
    const e = errorsOf(twice)[0];
    expect(e).toMatchObject({ code: 'multiple-inputs', where: { pointer: '/links/3', node: '7', port: 'x' } });
  });

  it('broken structure: not an object, nodes not an array, a slot that is not an object, a bad pos', () => {
    expect(errorsOf(42)[0].message).toBe('a litegraph graph must be a JSON object, got the number 42');
    expect(errorsOf({ nodes: {}, links: [] })[0]).toMatchObject({ where: { pointer: '/nodes' } });
    const slot = fixture();
    slot.nodes[1].inputs[0] = 'x';
    expect(errorsOf(slot)[0]).toMatchObject({ code: 'bad-slot', where: { pointer: '/nodes/1/inputs/0' } });
    const pos = fixture();
    pos.nodes[3].pos = ['a', 1];
    expect(errorsOf(pos)[0]).toMatchObject({ code: 'bad-position', where: { pointer: '/nodes/3/pos', node: '12' } });
  });
});

describe('format detection and loading either format', () => {
  it('detects ours, litegraph and neither', () => {
    expect(detectGraphFormat(shipped[0][1])).toBe('lggan');
    expect(detectGraphFormat(fixture())).toBe('litegraph');
    expect(detectGraphFormat({ nodes: [] })).toBeNull();
    expect(detectGraphFormat([])).toBeNull();
  });

  it('loads text of either format, with positions for syntax errors and unknown formats', () => {
    const doc = shipped.find(([f]) => f === 'tiny-pix2pix.json')![1];
    const ours = loadAnyGraph(saveGraph(doc), registry, { file: 'a.lggan.json' });
    expect(ours).toMatchObject({ ok: true, format: 'lggan' });
    const lite = loadAnyGraph(formatGraph(doc, 'litegraph', registry), registry, { file: 'a.json' });
    expect(lite.ok && saveGraph(lite.doc)).toBe(saveGraph(doc));
    const comfy = loadAnyGraph(JSON.stringify(fixture()), registry, { file: 'dir/my-workflow.json' });
    expect(comfy.ok && comfy.doc.meta.name).toBe('my-workflow');
    const syntax = loadAnyGraph('{"nodes": [\n  1,\n]}', registry, { file: 'x.json' });
    expect(syntax.diagnostics[0]).toMatchObject({ code: 'json-syntax', where: { file: 'x.json', line: 3, column: 1 } });
    const unknown = loadAnyGraph('{"hello": 1}', registry, { file: 'x.json' });
    expect(unknown.diagnostics[0]).toMatchObject({ code: 'unknown-format', where: { file: 'x.json', pointer: '' } });
  });
});
