import { describe, expect, it } from 'vitest';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../../nodes/index.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { validateGraph } from '../../graph/validate.ts';
import * as edits from './edits.ts';
import { History } from './history.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';

const registry = createRegistry();

const load = (json: unknown): GraphDocument => loadDocOrThrow(json, registry);

const errorsOf = (doc: GraphDocument) => resolveGraph(doc, registry, { batch: 1 }).diagnostics.filter((d) => d.severity === 'error');
const frozen = (doc: GraphDocument) => structuredClone(doc);

function empty(): GraphDocument {
  return { format: 'lggan-studio.graph', version: 2, meta: { name: 'empty' }, template: { num_classes: 4, height: 16, width: 16, ngf: 4 }, nodes: [], edges: [], groups: [], comments: [], extra: {} };
}

describe('document edits', () => {
  it('builds a valid small generator from an empty graph, without touching the input documents', () => {
    let doc = empty();
    const snapshots: GraphDocument[] = [];
    const step = (next: GraphDocument) => {
      snapshots.push(frozen(doc));
      const before = frozen(doc);
      const prev = doc;
      doc = next;
      expect(prev).toEqual(before); // never mutated
    };
    let r = edits.addNode(doc, registry, 'core/semantic-input', { x: 0, y: 0 });
    step(r.doc);
    const input = r.id;
    r = edits.addNode(doc, registry, 'core/conv2d', { x: 300.4, y: 10.6 });
    step(r.doc);
    const conv = r.id;
    expect(doc.nodes.find((n) => n.id === conv)!.position).toEqual({ x: 300, y: 11 });
    r = edits.addNode(doc, registry, 'core/output', { x: 600, y: 0 });
    step(r.doc);
    const out = r.id;
    step(edits.connect(doc, { node: input, port: 'semantic' }, { node: conv, port: 'x' }));
    step(edits.connect(doc, { node: conv, port: 'y' }, { node: out, port: 'value' }));
    step(edits.setParam(doc, conv, 'out_channels', 'ngf*2'));
    expect(errorsOf(doc)).toEqual([]);
    expect(validateGraph(JSON.parse(saveGraph(doc))).filter((d) => d.severity === 'error')).toEqual([]);
    const ir = resolveGraph(doc, registry, { batch: 1 });
    expect(ir.nodes.get(conv)!.outputs.y.shape.map((d) => d.value)).toEqual([1, 16, 16, 8]);
  });

  it('gives new nodes unique ids and rejects unknown types', () => {
    let doc = empty();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = edits.addNode(doc, registry, 'core/conv2d', { x: 0, y: 0 });
      doc = r.doc;
      ids.push(r.id);
    }
    expect(ids).toEqual(['conv2d', 'conv2d_2', 'conv2d_3']);
    expect(() => edits.addNode(doc, registry, 'core/nope', { x: 0, y: 0 })).toThrow("unknown node type 'core/nope'");
  });

  it('connect replaces the edge already feeding an input and ignores a duplicate', () => {
    const doc = load(pix2pix);
    const next = edits.connect(doc, { node: 'enc_act', port: 'y' }, { node: 'res1', port: 'x' });
    expect(next.edges.filter((e) => e.to.node === 'res1' && e.to.port === 'x')).toEqual([{ from: { node: 'enc_act', port: 'y' }, to: { node: 'res1', port: 'x' } }]);
    expect(next.edges.length).toBe(doc.edges.length);
    expect(edits.connect(doc, doc.edges[0].from, doc.edges[0].to)).toBe(doc);
    expect(() => edits.connect(doc, { node: 'ghost', port: 'y' }, { node: 'res1', port: 'x' })).toThrow("no node 'ghost'");
  });

  it('removing nodes drops their edges and empties their groups', () => {
    const doc = { ...load(pix2pix), groups: [{ id: 'g', title: 'G', nodes: ['down', 'down_norm'] }, { id: 'h', title: 'H', nodes: ['res1', 'res2'] }] };
    const next = edits.removeNodes(doc, ['down', 'down_norm', 'res1']);
    expect(next.nodes.map((n) => n.id)).not.toContain('down');
    expect(next.edges.some((e) => ['down', 'down_norm', 'res1'].includes(e.from.node) || ['down', 'down_norm', 'res1'].includes(e.to.node))).toBe(false);
    expect(next.edges.length).toBe(doc.edges.length - 5);
    expect(next.groups).toEqual([{ id: 'h', title: 'H', nodes: ['res2'] }]);
    expect(errorsOf(next).map((d) => d.code)).toContain('missing-input');
  });

  it('setParam sets and resets (undefined restores the default)', () => {
    const doc = load(pix2pix);
    const set = edits.setParam(doc, 'enc', 'kernel', 5);
    expect(set.nodes.find((n) => n.id === 'enc')!.params.kernel).toBe(5);
    const reset = edits.setParam(set, 'enc', 'kernel', undefined);
    expect('kernel' in reset.nodes.find((n) => n.id === 'enc')!.params).toBe(false);
    expect(() => edits.setParam(doc, 'nope', 'kernel', 1)).toThrow("no node 'nope'");
    expect(edits.setNodeField(doc, 'enc', 'title', '  Stem ').nodes.find((n) => n.id === 'enc')!.title).toBe('Stem');
    expect(edits.setNodeField(edits.setNodeField(doc, 'enc', 'title', 'x'), 'enc', 'title', '').nodes.find((n) => n.id === 'enc')!.title).toBeUndefined();
  });

  it('moves nodes and comments, and refuses unknown ids', () => {
    let doc = load(pix2pix);
    const c = edits.addComment(doc, 'note', { x: 5, y: 5 });
    doc = c.doc;
    const next = edits.moveNodes(doc, new Map([['enc', { x: 10.2, y: 20.7 }], [c.id, { x: 1, y: 2 }]]));
    expect(next.nodes.find((n) => n.id === 'enc')!.position).toEqual({ x: 10, y: 21 });
    expect(next.comments.find((x) => x.id === c.id)!.position).toEqual({ x: 1, y: 2 });
    expect(next.nodes.find((n) => n.id === 'down')).toBe(doc.nodes.find((n) => n.id === 'down'));
    expect(() => edits.moveNodes(doc, new Map([['ghost', { x: 0, y: 0 }]]))).toThrow("cannot move 'ghost'");
    // A drag that ends where it started changes nothing (and so records no undo step).
    expect(edits.moveNodes(next, new Map([['enc', { x: 10, y: 21 }]]))).toBe(next);
  });

  it('duplicates a selection with its inner edges and fresh ids', () => {
    const doc = load(pix2pix);
    const { doc: next, ids } = edits.duplicate(doc, ['down', 'down_norm', 'down_act']);
    expect(ids).toEqual(['down_2', 'down_norm_2', 'down_act_2']);
    const inner = next.edges.filter((e) => ids.includes(e.from.node) && ids.includes(e.to.node));
    expect(inner).toEqual([
      { from: { node: 'down_2', port: 'y' }, to: { node: 'down_norm_2', port: 'x' } },
      { from: { node: 'down_norm_2', port: 'y' }, to: { node: 'down_act_2', port: 'x' } },
    ]);
    // Edges from outside the selection are not copied.
    expect(next.edges.filter((e) => e.to.node === 'down_2')).toEqual([]);
    const orig = doc.nodes.find((n) => n.id === 'down')!;
    expect(next.nodes.find((n) => n.id === 'down_2')!.position).toEqual({ x: orig.position.x + 40, y: orig.position.y + 40 });
    expect(next.nodes.find((n) => n.id === 'down_2')!.params).toEqual(orig.params);
    expect(next.nodes.find((n) => n.id === 'down_2')!.params).not.toBe(orig.params);
  });

  it('pastes a fragment from another graph, keeping existing template values', () => {
    const source = load(pix2pix);
    const fragment = edits.extractSubgraph(source, ['enc', 'enc_norm']);
    expect(fragment.nodes.map((n) => n.id)).toEqual(['enc', 'enc_norm']);
    const target = empty();
    const { doc, ids } = edits.paste(target, fragment, { x: 100, y: 200 });
    expect(ids).toEqual(['enc', 'enc_norm']);
    expect(Math.min(...doc.nodes.map((n) => n.position.x))).toBe(100);
    expect(Math.min(...doc.nodes.map((n) => n.position.y))).toBe(200);
    expect(doc.template.ngf).toBe(4); // target's value wins
    expect(doc.template.ndf).toBe(8); // taken over from the fragment
    expect(doc.edges).toEqual([{ from: { node: 'enc', port: 'y' }, to: { node: 'enc_norm', port: 'x' } }]);
    // A second paste does not collide.
    expect(edits.paste(doc, fragment, { x: 0, y: 0 }).ids).toEqual(['enc_2', 'enc_norm_2']);
  });

  it('groups and comments', () => {
    let doc = load(pix2pix);
    const g = edits.addGroup(doc, ['enc', 'enc_norm'], ' Stem ');
    doc = g.doc;
    expect(doc.groups.at(-1)).toEqual({ id: 'group', title: 'Stem', nodes: ['enc', 'enc_norm'] });
    doc = edits.updateGroup(doc, g.id, { title: 'Encoder' });
    expect(doc.groups.at(-1)!.title).toBe('Encoder');
    expect(() => edits.addGroup(doc, [], 'x')).toThrow('at least one node');
    expect(edits.removeGroup(doc, g.id).groups.some((x) => x.id === g.id)).toBe(false);
    const c = edits.addComment(doc, 'hello', { x: 0, y: 0 });
    expect(edits.setCommentText(c.doc, c.id, 'bye').comments.at(-1)!.text).toBe('bye');
    expect(edits.removeComments(c.doc, [c.id]).comments).toEqual(doc.comments);
    expect(validateGraph(JSON.parse(saveGraph(c.doc))).filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('bypass and mute toggles', () => {
  const doc = () => load(pix2pix);
  const modes = (d: GraphDocument) => Object.fromEntries(d.nodes.filter((n) => n.mode).map((n) => [n.id, n.mode]));

  it('sets the mode on every given node, and clears it when all of them have it already', () => {
    const before = doc();
    const snapshot = frozen(before);
    const bypassed = edits.toggleNodeMode(before, ['res1', 'res2'], 'bypass');
    expect(before).toEqual(snapshot); // never mutated
    expect(modes(bypassed)).toEqual({ res1: 'bypass', res2: 'bypass' });
    expect(errorsOf(bypassed)).toEqual([]);
    expect(modes(edits.toggleNodeMode(bypassed, ['res1', 'res2'], 'bypass'))).toEqual({});
    // mixed selection: all take the mode; mute replaces bypass
    expect(modes(edits.toggleNodeMode(bypassed, ['res2', 'up_norm'], 'bypass'))).toEqual({ res1: 'bypass', res2: 'bypass', up_norm: 'bypass' });
    expect(modes(edits.toggleNodeMode(bypassed, ['res2'], 'mute'))).toEqual({ res1: 'bypass', res2: 'mute' });
    expect(validateGraph(JSON.parse(saveGraph(bypassed)))).toEqual([]);
  });

  it('is one undo step, and refuses unknown nodes', () => {
    const history = new History();
    const before = doc();
    const after = edits.toggleNodeMode(before, ['res1', 'res2'], 'bypass');
    history.record(before, 'Bypass 2 nodes');
    expect(modes(after)).toEqual({ res1: 'bypass', res2: 'bypass' });
    expect(modes(history.undo(after)!)).toEqual({});
    expect(history.canUndo).toBe(false);
    expect(() => edits.toggleNodeMode(doc(), ['ghost'], 'mute')).toThrow(/no node 'ghost'/);
  });

  it('bypassing a node that passes nothing through is reported on that node', () => {
    const errors = errorsOf(edits.toggleNodeMode(doc(), ['enc'], 'bypass'));
    expect(errors.map((d) => [d.code, d.where.node])).toEqual([['cannot-bypass', 'enc']]);
  });
});

describe('history', () => {
  it('undoes and redoes bulk edits as single steps, and a new edit clears redo', () => {
    const h = new History();
    const a = load(pix2pix);
    const b = edits.removeNodes(a, ['res1', 'res2', 'up']);
    h.record(a, 'Delete 3 nodes');
    const c = edits.setParam(b, 'enc', 'kernel', 3);
    h.record(b, 'Set kernel');
    expect(h.undoLabel).toBe('Set kernel');
    expect(h.undo(c)).toBe(b);
    expect(h.undo(b)).toBe(a);
    expect(h.undo(a)).toBeUndefined();
    expect(h.canRedo).toBe(true);
    expect(h.redoLabel).toBe('Delete 3 nodes');
    expect(h.redo(a)).toBe(b);
    h.record(b, 'Move');
    expect(h.canRedo).toBe(false);
  });

  it('keeps at most `limit` steps', () => {
    const h = new History(2);
    const a = empty();
    h.record(a, '1');
    h.record(a, '2');
    h.record(a, '3');
    expect(h.undo(a)).toBe(a);
    expect(h.undo(a)).toBe(a);
    expect(h.canUndo).toBe(false);
  });
});
