import { describe, expect, it } from 'vitest';
import cityscapes from '../../../graphs/lggan-cityscapes-tiny.json';
import pix2pix from '../../../graphs/tiny-pix2pix.json';
import dayton from '../../../graphs/lggan-crossview-dayton-tiny.json';
import { createRegistry } from '../../../nodes/index.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { arrangeLayout } from './arrange.ts';
import { addNode, setParam } from './edits.ts';
import { nodeSize, nodeViews, portSignature } from './node-view.ts';
import { CATEGORY_ORDER, paletteSections } from './palette.ts';
import { checkWire } from './wiring.ts';
import { frameRect } from './frames.ts';
import type { Rect } from './minimap.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';

const registry = createRegistry();

const load = (json: unknown): GraphDocument => loadDocOrThrow(json, registry);
const resolve = (doc: GraphDocument) => resolveGraph(doc, registry, { batch: 1 });

describe('wire checks', () => {
  const pix = load(pix2pix);
  const city = load(cityscapes);

  it('accepts a wire that fits and returns the graph with it', () => {
    const { doc } = addNode(pix, registry, 'core/instance-norm', { x: 0, y: 0 });
    const r = checkWire(doc, resolve(doc), registry, { node: 'down', port: 'y' }, { node: 'instance-norm', port: 'x' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.ir.nodes.get('instance-norm')!.outputs.y.shape.map((d) => d.value)).toEqual([1, 16, 16, 16]);
  });

  it('refuses a kind that does not fit, naming both ends and what was expected', () => {
    const r = checkWire(city, resolve(city), registry, { node: 'g_adv', port: 'loss' }, { node: 'fusion', port: 'global' });
    expect(r).toEqual({ ok: false, reason: "'fusion'.global expects image (B×H×W×3 global image I_global), got loss from 'g_adv'.loss" });
  });

  it('refuses a shape the target rejects, with the inferred shapes in the reason', () => {
    const r = checkWire(pix, resolve(pix), registry, { node: 'down', port: 'y' }, { node: 'd_in', port: 'in1' });
    expect(r).toEqual({ ok: false, reason: "'d_in'.in1: port 'in1' is H/2×W/2×16 but port 'in0' is H×W×num_classes: spatial sizes must agree" });
  });

  it('refuses cycles, self-loops and unknown ports', () => {
    const ir = resolve(pix);
    const cycle = checkWire(pix, ir, registry, { node: 'tanh', port: 'y' }, { node: 'enc', port: 'x' });
    expect(cycle.ok).toBe(false);
    if (!cycle.ok) expect(cycle.reason).toMatch(/^this wire would close a cycle: 'enc' → 'enc_norm' → .* → 'tanh' → 'enc'$/);
    expect(checkWire(pix, ir, registry, { node: 'enc', port: 'y' }, { node: 'enc', port: 'x' })).toEqual({ ok: false, reason: "a node cannot feed itself ('enc')" });
    expect(checkWire(pix, ir, registry, { node: 'enc', port: 'nope' }, { node: 'down', port: 'x' })).toEqual({ ok: false, reason: "'enc' has no output 'nope'" });
    expect(checkWire(pix, ir, registry, { node: 'enc', port: 'y' }, { node: 'down', port: 'nope' })).toEqual({ ok: false, reason: "'down' has no input 'nope'" });
  });

  it('a wire into a node with other inputs still open is judged on kind alone', () => {
    const { doc } = addNode(pix, registry, 'core/add', { x: 0, y: 0 });
    const r = checkWire(doc, resolve(doc), registry, { node: 'down', port: 'y' }, { node: 'add', port: 'a' });
    expect(r.ok).toBe(true);
  });
});

describe('node views', () => {
  it('show inferred output shapes, costs and sizes that depend on ports only', () => {
    const doc = load(pix2pix);
    const views = nodeViews(doc, resolve(doc));
    const down = views.get('down')!;
    expect(down.category).toBe('conv');
    expect(down.outputs).toEqual([expect.objectContaining({ name: 'y', shape: 'H/2×W/2×16' })]);
    expect(down.inputs[0]).toMatchObject({ name: 'x', shape: 'H×W×8' });
    // The same shapes in numbers at the template size, on inputs as on outputs; the batch only with it.
    const { height, width } = doc.template as { height: number; width: number };
    expect(down.inputs[0]).toMatchObject({ dims: `${height}×${width}×8`, dimsWithBatch: `1×${height}×${width}×8` });
    expect(down.outputs[0]).toMatchObject({ dims: `${height / 2}×${width / 2}×16`, dimsWithBatch: `1×${height / 2}×${width / 2}×16` });
    expect(down.params).toBe(3 * 3 * 8 * 16 + 16);
    expect(down.severity).toBeUndefined();
    const size = nodeSize(down);
    // A param change that keeps the ports keeps the box (no layout jumps while editing).
    const edited = setParam(doc, 'down', 'out_channels', 32);
    const after = nodeViews(edited, resolve(edited)).get('down')!;
    expect(after.outputs[0].shape).toBe('H/2×W/2×32');
    expect(nodeSize(after)).toEqual(size);
    expect(portSignature(after)).toBe(portSignature(down));
  });

  it('carry errors to the node and the port they concern', () => {
    const doc = setParam(load(pix2pix), 'down', 'kernel', 99);
    const views = nodeViews(doc, resolve(doc));
    const down = views.get('down')!;
    expect(down.severity).toBe('error');
    expect(down.problems.some((d) => d.where.param === 'kernel')).toBe(true);
    // Ports stay drawable (from the edges) so the wires can still be seen.
    expect(down.inputs.map((p) => p.name)).toEqual(['x']);
    const { doc: open } = addNode(load(pix2pix), registry, 'core/add', { x: 0, y: 0 });
    const add = nodeViews(open, resolve(open)).get('add')!;
    expect(add.inputs.map((p) => p.problem?.severity)).toEqual(['error', 'error']);
    expect(add.inputs[0].problem?.message).toMatch(/input 'a' is not connected/);
  });
});

describe('palette', () => {
  it('lists every registered type once, by category in reading order', () => {
    const sections = paletteSections(registry);
    expect(sections.flatMap((s) => s.items).length).toBe(registry.list().length);
    const order = sections.map((s) => CATEGORY_ORDER.indexOf(s.category));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('search matches all words in title, type or doc', () => {
    const hits = paletteSections(registry, 'conv transpose').flatMap((s) => s.items.map((d) => d.type));
    expect(hits).toContain('core/conv-transpose2d');
    expect(hits).not.toContain('core/add');
    expect(paletteSections(registry, 'zzzz-nothing')).toEqual([]);
  });
});

describe('auto-arrange', () => {
  it('lays every node out left to right along the data flow without overlaps', async () => {
    const doc = load(cityscapes);
    const views = nodeViews(doc, resolve(doc));
    const size = (id: string) => nodeSize(views.get(id)!);
    const pos = await arrangeLayout(doc, size, { x: 0, y: 0 });
    expect([...pos.keys()].sort()).toEqual(doc.nodes.map((n) => n.id).sort());
    for (const e of doc.edges) expect(pos.get(e.from.node)!.x).toBeLessThan(pos.get(e.to.node)!.x);
    const boxes = doc.nodes.map((n) => ({ ...pos.get(n.id)!, ...size(n.id) }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${doc.nodes[i].id} overlaps ${doc.nodes[j].id}`).toBe(false);
      }
  });
});

describe('auto-arrange and group frames', () => {
  const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  for (const [name, json] of [
    ['lggan-cityscapes-tiny', cityscapes],
    ['lggan-crossview-dayton-tiny', dayton],
  ] as const) {
    it(`leaves no frame over a node that is not its member (${name})`, async () => {
      const doc = load(json);
      expect(doc.groups.length).toBeGreaterThan(0);
      const views = nodeViews(doc, resolve(doc));
      const size = (id: string) => nodeSize(views.get(id)!);
      const pos = await arrangeLayout(doc, size);
      const boxOf = (id: string): Rect => ({ ...pos.get(id)!, ...size(id) });
      for (const g of doc.groups) {
        const frame = frameRect(g.nodes.map(boxOf))!;
        for (const n of doc.nodes) if (!g.nodes.includes(n.id)) expect(overlap(frame, boxOf(n.id)), `frame '${g.id}' over '${n.id}'`).toBe(false);
      }
      // Still left to right along the data flow.
      for (const e of doc.edges) expect(pos.get(e.from.node)!.x).toBeLessThan(pos.get(e.to.node)!.x);
    });
  }
});

describe('architecture choices as badges', () => {
  const badges = (doc: GraphDocument) =>
    Object.fromEntries([...nodeViews(doc, resolve(doc))].filter(([, v]) => v.badges.length > 0).map(([id, v]) => [id, v.badges.map((b) => b.text)]));

  it('the default graph and its SAU variant differ on the trunk and fusion cards; class counts are resolved values', () => {
    const city = load(cityscapes);
    expect(badges(city)).toEqual({
      trunk: ['transposed'],
      masks: ['one-hot', '35 classes'],
      classifier: ['35 classes'],
      fusion: ['attention', 'transposed'],
    });
    const sau = setParam(setParam(city, 'trunk', 'upsampling', 'sau'), 'fusion', 'upsampling', 'sau-label-gated');
    expect(badges(sau)).toMatchObject({ trunk: ['sau'], fusion: ['attention', 'sau-label-gated'] });
    // Choices other than the type's default are marked; a template-expression default is no choice.
    const changed = (doc: GraphDocument, id: string) => nodeViews(doc, resolve(doc)).get(id)!.badges.map((b) => b.changed);
    expect(changed(city, 'fusion')).toEqual([false, false]);
    expect(changed(sau, 'fusion')).toEqual([false, true]);
    expect(changed(city, 'masks')).toEqual([false, false]);
    // Fixed fusion has no upsampling branch, so only its mode shows.
    expect(badges(setParam(city, 'fusion', 'mode', 'fixed')).fusion).toEqual(['fixed']);
    // A param that does not resolve shows no badge (its problem is at the field).
    expect(badges(setParam(city, 'masks', 'classes', 'no_such_name')).masks).toEqual(['one-hot']);
  });

  it('which class count shows follows the mask mode', () => {
    const city = load(cityscapes);
    expect(badges(setParam(setParam(city, 'masks', 'mode', 'grouped'), 'masks', 'separate', 20)).masks).toEqual(['grouped', '20 separate']);
  });
});
