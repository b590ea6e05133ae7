import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffGraphs } from './diff.ts';
import type { GraphDocument } from './document.ts';

const shipped: GraphDocument = JSON.parse(readFileSync(new URL('../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8'));
const copy = (): GraphDocument => structuredClone(shipped);
const node = (doc: GraphDocument, id: string) => doc.nodes.find((n) => n.id === id)!;

/** Renames a node everywhere it is referenced (edges, groups), as an id edit in an editor would. */
function rename(doc: GraphDocument, from: string, to: string): void {
  node(doc, from).id = to;
  for (const e of doc.edges) {
    if (e.from.node === from) e.from.node = to;
    if (e.to.node === from) e.to.node = to;
  }
  for (const g of doc.groups) g.nodes = g.nodes.map((id) => (id === from ? to : id));
}

describe('diffGraphs', () => {
  it('finds nothing between a graph and itself', () => {
    const d = diffGraphs(shipped, copy());
    expect(d.equal).toBe(true);
    expect(d).toMatchObject({ template: [], init: [], nodes: { added: [], removed: [], changed: [] }, wires: { added: [], removed: [] } });
  });

  it('ignores layout and cosmetic fields, node order and edge order', () => {
    const b = copy();
    b.meta = { name: 'another name', description: 'another description' };
    for (const n of b.nodes) {
      n.position = { x: n.position.x + 100, y: -n.position.y };
      n.title = `renamed ${n.id}`;
      n.extra = { color: '#f00', collapsed: true };
    }
    b.nodes.reverse();
    b.edges.reverse();
    b.groups = [{ id: 'g', title: 'a group', nodes: ['enc', 'down'], color: '#0f0' }];
    b.comments = [{ id: 'c', text: 'a note', position: { x: 1, y: 2 } }];
    b.extra = { anything: 1 };
    expect(diffGraphs(shipped, b).equal).toBe(true);
  });

  it('reports a param change with both raw values, template expressions kept as written', () => {
    const b = copy();
    node(b, 'down').params.out_channels = 'ngf*4';
    node(b, 'd1_act').params.slope = 0.1;
    const d = diffGraphs(shipped, b);
    expect(d.equal).toBe(false);
    expect(d.nodes.changed).toEqual([
      { before: 'd1_act', after: 'd1_act', type: 'core/activation', matchedBy: 'id', params: [{ name: 'slope', before: 0.2, after: 0.1 }], fields: [] },
      { before: 'down', after: 'down', type: 'core/conv2d', matchedBy: 'id', params: [{ name: 'out_channels', before: 'ngf*2', after: 'ngf*4' }], fields: [] },
    ]);
    expect(d.nodes.added).toEqual([]);
    expect(d.wires).toEqual({ added: [], removed: [] });
  });

  it('treats a param left out and one spelled at its default as equal when told the defaults', () => {
    const b = copy();
    node(b, 'up').params.kernel = 3;
    expect(diffGraphs(shipped, b).nodes.changed.map((c) => c.params)).toEqual([[{ name: 'kernel', after: 3 }]]);
    const defaults = (type: string) => (type === 'core/conv-transpose2d' ? { kernel: 3 } : undefined);
    expect(diffGraphs(shipped, b, { paramDefaults: defaults }).equal).toBe(true);
  });

  it('keeps odd param names from a file as plain data ("__proto__", "constructor")', () => {
    const a = copy();
    const b = copy();
    // As JSON.parse makes them: own, enumerable properties.
    const set = (doc: GraphDocument, name: string, value: unknown) => Object.defineProperty(node(doc, 'enc').params, name, { value, enumerable: true, writable: true, configurable: true });
    set(a, '__proto__', { polluted: 1 });
    set(b, '__proto__', { polluted: 2 });
    set(b, 'constructor', 'x');
    const d = diffGraphs(a, b);
    expect(d.nodes.changed.map((c) => c.params)).toEqual([
      [
        { name: '__proto__', before: { polluted: 1 }, after: { polluted: 2 } },
        { name: 'constructor', after: 'x' },
      ],
    ]);
  });

  it('reports nodes added and removed with their wires', () => {
    const b = copy();
    // Drop res2 (res1 now feeds up) and add a dropout-free extra activation after tanh.
    b.nodes = b.nodes.filter((n) => n.id !== 'res2');
    b.edges = b.edges.filter((e) => e.to.node !== 'res2' && e.from.node !== 'res2');
    b.edges.push({ from: { node: 'res1', port: 'y' }, to: { node: 'up', port: 'x' } });
    b.nodes.push({ id: 'extra', type: 'core/activation', typeVersion: 1, params: { function: 'relu' }, position: { x: 0, y: 0 } });
    b.edges.push({ from: { node: 'tanh', port: 'y' }, to: { node: 'extra', port: 'x' } });
    const d = diffGraphs(shipped, b);
    expect(d.nodes.removed).toEqual([{ id: 'res2', type: 'core/residual-block' }]);
    expect(d.nodes.added).toEqual([{ id: 'extra', type: 'core/activation' }]);
    expect(d.nodes.changed).toEqual([]);
    expect(d.wires.removed).toEqual([
      { from: { node: 'res1', port: 'y' }, to: { node: 'res2', port: 'x' } },
      { from: { node: 'res2', port: 'y' }, to: { node: 'up', port: 'x' } },
    ]);
    expect(d.wires.added).toEqual([
      { from: { node: 'res1', port: 'y' }, to: { node: 'up', port: 'x' } },
      { from: { node: 'tanh', port: 'y' }, to: { node: 'extra', port: 'x' } },
    ]);
  });

  it('reports a rewired input as one wire removed and one added', () => {
    const b = copy();
    const e = b.edges.find((x) => x.to.node === 'd_in' && x.to.port === 'in0')!;
    e.from = { node: 'enc_act', port: 'y' };
    const d = diffGraphs(shipped, b);
    expect(d.nodes).toEqual({ added: [], removed: [], changed: [] });
    expect(d.wires).toEqual({
      removed: [{ from: { node: 'labels', port: 'semantic' }, to: { node: 'd_in', port: 'in0' } }],
      added: [{ from: { node: 'enc_act', port: 'y' }, to: { node: 'd_in', port: 'in0' } }],
    });
  });

  it('matches a node copied under another id by its content: a rename, no wire changes', () => {
    const b = copy();
    rename(b, 'down', 'downsample');
    const d = diffGraphs(shipped, b);
    expect(d.nodes.added).toEqual([]);
    expect(d.nodes.removed).toEqual([]);
    expect(d.nodes.changed).toEqual([{ before: 'down', after: 'downsample', type: 'core/conv2d', matchedBy: 'content', params: [], fields: [] }]);
    expect(d.wires).toEqual({ added: [], removed: [] });
    expect(d.equal).toBe(false);
  });

  it('matches a whole renamed chain, anchored only at its ends', () => {
    const b = copy();
    for (const id of ['enc', 'enc_norm', 'enc_act', 'down', 'down_norm', 'down_act']) rename(b, id, `${id}_v2`);
    const d = diffGraphs(shipped, b);
    expect(d.nodes.added).toEqual([]);
    expect(d.nodes.removed).toEqual([]);
    expect(d.nodes.changed.map((c) => `${c.before}→${c.after}`)).toEqual(['down→down_v2', 'down_act→down_act_v2', 'down_norm→down_norm_v2', 'enc→enc_v2', 'enc_act→enc_act_v2', 'enc_norm→enc_norm_v2']);
    expect(d.wires).toEqual({ added: [], removed: [] });
  });

  it('does not pair a renamed node whose params also changed: that is a remove and an add', () => {
    const b = copy();
    rename(b, 'down', 'downsample');
    node(b, 'downsample').params.stride = 1;
    const d = diffGraphs(shipped, b);
    expect(d.nodes.removed).toEqual([{ id: 'down', type: 'core/conv2d' }]);
    expect(d.nodes.added).toEqual([{ id: 'downsample', type: 'core/conv2d' }]);
    expect(d.wires.removed).toHaveLength(2);
    expect(d.wires.added).toHaveLength(2);
  });

  it('treats the same id with another type as a remove and an add', () => {
    const b = copy();
    node(b, 'up_norm').type = 'core/batch-norm';
    const d = diffGraphs(shipped, b);
    expect(d.nodes.removed).toEqual([{ id: 'up_norm', type: 'core/instance-norm' }]);
    expect(d.nodes.added).toEqual([{ id: 'up_norm', type: 'core/batch-norm' }]);
    expect(d.wires.removed).toEqual([
      { from: { node: 'up', port: 'y' }, to: { node: 'up_norm', port: 'x' } },
      { from: { node: 'up_norm', port: 'y' }, to: { node: 'up_act', port: 'x' } },
    ]);
    expect(d.wires.added).toEqual(d.wires.removed);
  });

  it('compares non-cosmetic node fields generically: network, typeVersion and a bypass/mute mode', () => {
    const a = copy();
    const b = copy();
    const withMode = (doc: GraphDocument, id: string) => node(doc, id) as unknown as Record<string, unknown>;
    node(b, 'd3').network = 'G';
    node(b, 'tanh').typeVersion = 2;
    withMode(a, 'd1').mode = 'mute';
    withMode(b, 'd1').mode = 'bypass';
    withMode(b, 'd2').mode = 'bypass';
    const d = diffGraphs(a, b);
    expect(d.nodes.changed.map((c) => [c.after, c.fields])).toEqual([
      ['d1', [{ name: 'mode', before: 'mute', after: 'bypass' }]],
      ['d2', [{ name: 'mode', after: 'bypass' }]],
      ['d3', [{ name: 'network', before: 'D', after: 'G' }]],
      ['tanh', [{ name: 'typeVersion', before: 1, after: 2 }]],
    ]);
  });

  it('reports template and init changes, an absent init being the default one', () => {
    const b = copy();
    b.template.ngf = 16;
    b.template.extra_name = 3;
    const a = copy();
    delete a.init;
    b.init = { scheme: 'xavier-normal', gain: 0.02, seed: 7 };
    const d = diffGraphs(a, b);
    expect(d.template).toEqual([
      { name: 'extra_name', after: 3 },
      { name: 'ngf', before: 8, after: 16 },
    ]);
    expect(d.init).toEqual([{ name: 'seed', before: 0, after: 7 }]);
  });

  it('gives the same answer whatever order the documents list nodes and edges in', () => {
    const b = copy();
    rename(b, 'res1', 'res_a');
    node(b, 'up').params.out_channels = 'ngf*2';
    b.edges = b.edges.filter((e) => e.to.node !== 'd_in');
    const shuffled = structuredClone(b);
    shuffled.nodes.reverse();
    shuffled.edges.reverse();
    expect(diffGraphs(shipped, shuffled)).toEqual(diffGraphs(shipped, b));
  });
});
