import { describe, expect, it } from 'vitest';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import { createRegistry } from '../../../nodes/index.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';
import { socketOffset } from './node-view.ts';
import { paletteSections } from './palette.ts';
import { addPicked, moveHighlight, quickAddItems, quickAddPosition } from './quick-add.ts';
import { endFits, type WireEnd } from './wiring.ts';

const registry = createRegistry();
const template = { num_classes: 4, height: 16, width: 16, ngf: 4, batch: 1 };
const types = (items: ReturnType<typeof quickAddItems>) => items.map((i) => i.def.type);

describe('quick-add search', () => {
  it('without a dragged wire is the palette search, types named in their title first, each part in the palette order', () => {
    const palette = paletteSections(registry, 'norm').flatMap((s) => s.items);
    const named = palette.filter((d) => d.title.toLowerCase().includes('norm')).map((d) => d.type);
    expect(named).toEqual(['core/batch-norm', 'core/instance-norm', 'lggan/spade-norm']);
    const rest = palette.filter((d) => !d.title.toLowerCase().includes('norm')).map((d) => d.type);
    expect(rest.length).toBeGreaterThan(0);
    expect(types(quickAddItems(registry, 'norm', template))).toEqual([...named, ...rest]);
    expect(quickAddItems(registry, 'norm', template).every((i) => i.port === undefined)).toBe(true);
    expect(types(quickAddItems(registry, 'UP', template))[0]).toBe('core/upsample');
  });

  it('for a wire dragged from an output keeps the types with an input that takes its kind, exact kind first', () => {
    const loss = quickAddItems(registry, '', template, { side: 'output', kind: 'loss' });
    expect(loss.map((i) => [i.def.type, i.port])).toEqual([['lggan/trainer', { name: 'g_loss_0', index: 0, side: 'input' }]]);

    const semantic = quickAddItems(registry, '', template, { side: 'output', kind: 'semantic' });
    const spade = semantic.find((i) => i.def.type === 'lggan/spade-norm');
    // spade-norm's x (feature) would take a semantic map too; its semantic input is the better fit
    expect(spade?.port).toEqual({ name: 'semantic', index: 1, side: 'input' });
    expect(types(semantic)).toContain('core/conv2d'); // a feature port takes any spatial map
    expect(types(semantic)).not.toContain('core/linear'); // vector input
    expect(types(semantic)).not.toContain('core/semantic-input'); // no inputs at all
  });

  it('for a wire dragged from an input keeps the types with an output of a kind it accepts', () => {
    const masks = quickAddItems(registry, '', template, { side: 'input', kind: 'mask' });
    expect(masks.map((i) => [i.def.type, i.port])).toEqual([['lggan/class-masks', { name: 'masks', index: 0, side: 'output' }]]);
  });

  it('applies the typed words and the wire together', () => {
    const spade = types(quickAddItems(registry, 'spade', template, { side: 'output', kind: 'semantic' }));
    const words = types(quickAddItems(registry, 'spade', template));
    expect(spade).toEqual(expect.arrayContaining(['lggan/spade-norm', 'lggan/spade-resblock']));
    expect(spade.every((t) => words.includes(t))).toBe(true);
    expect(words.filter((t) => !spade.includes(t)).length).toBeGreaterThan(0); // the losses take no semantic map
    expect(quickAddItems(registry, 'trainer', template, { side: 'output', kind: 'semantic' })).toEqual([]);
  });
});

describe('quick-add placement and keys', () => {
  it('puts the wired socket on the drop point, and a plain pick just below and right of the point', () => {
    const at = { x: 300, y: 200 };
    const p = quickAddPosition(at, { name: 'semantic', index: 1, side: 'input' });
    const socket = socketOffset('input', 1);
    expect({ x: p.x + socket.x, y: p.y + socket.y }).toEqual(at);
    const q = quickAddPosition(at, { name: 'y', index: 0, side: 'output' });
    expect(q.x + socketOffset('output', 0).x).toBe(at.x);
    expect(quickAddPosition(at)).toEqual({ x: 280, y: 180 });
  });

  it('arrow keys wrap around the list', () => {
    expect(moveHighlight(0, -1, 3)).toBe(2);
    expect(moveHighlight(2, 1, 3)).toBe(0);
    expect(moveHighlight(0, 1, 0)).toBe(-1);
  });
});

describe('endFits', () => {
  it('joins an output to an input whose kind accepts it, in either order, never two ends of one side', () => {
    expect(endFits({ side: 'output', kind: 'semantic' }, { side: 'input', kind: 'feature' })).toBe(true);
    expect(endFits({ side: 'input', kind: 'feature' }, { side: 'output', kind: 'semantic' })).toBe(true);
    expect(endFits({ side: 'output', kind: 'feature' }, { side: 'input', kind: 'semantic' })).toBe(false);
    expect(endFits({ side: 'output', kind: 'feature' }, { side: 'output', kind: 'feature' })).toBe(false);
  });
});

describe('the pick', () => {
  const doc = loadDocOrThrow(pix2pix, registry);
  const item = (type: string, dragged: WireEnd) => quickAddItems(registry, '', { ...doc.template, batch: 1 }, dragged).find((i) => i.def.type === type)!;

  it('adds the node with the dragged output wired into its fitting input, that socket on the drop point', () => {
    const dragged = { node: 'labels', port: 'semantic', side: 'output', kind: 'semantic' } as const;
    const r = addPicked(doc, registry, 1, item('lggan/spade-norm', dragged), { x: 500, y: 400 }, dragged);
    expect(r.refused).toBeUndefined();
    const node = r.doc.nodes.find((n) => n.id === r.id)!;
    expect(node.type).toBe('lggan/spade-norm');
    const socket = socketOffset('input', 1);
    expect({ x: node.position.x + socket.x, y: node.position.y + socket.y }).toEqual({ x: 500, y: 400 });
    expect(r.doc.edges).toContainEqual({ from: { node: 'labels', port: 'semantic' }, to: { node: r.id, port: 'semantic' } });
    expect(r.doc.edges.length).toBe(doc.edges.length + 1);
  });

  it('for a wire dragged from an input, feeds that input from the new node (replacing what fed it)', () => {
    const dragged = { node: 'enc', port: 'x', side: 'input', kind: 'feature' } as const;
    const r = addPicked(doc, registry, 1, item('core/activation', dragged), { x: 0, y: 0 }, dragged);
    expect(r.doc.edges.filter((e) => e.to.node === 'enc' && e.to.port === 'x')).toEqual([{ from: { node: r.id, port: 'y' }, to: { node: 'enc', port: 'x' } }]);
  });

  it('adds the node alone, with the reason checkWire gives, when the wire would not fit its shapes', () => {
    const dragged = { node: 'enc', port: 'y', side: 'output', kind: 'feature' } as const;
    const r = addPicked(doc, registry, 1, item('core/linear', dragged), { x: 0, y: 0 }, dragged);
    expect(r.refused).toMatch(/\.x: /);
    expect(r.doc.nodes.length).toBe(doc.nodes.length + 1);
    expect(r.doc.edges).toEqual(doc.edges);
  });
});
