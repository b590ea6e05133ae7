/**
 * The litegraph view's modes without a browser: litegraph's LGraph runs in Node, so the Mode menu's
 * choice, the graph hook the host listens to, the conversion back to a document and the per-node
 * drawing can be checked here (e2e/modes.spec.ts drives the real menu and canvas).
 */
import * as litegraph from 'litegraph.js';
import type { LGraphNode } from 'litegraph.js';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { toggleNodeMode } from '../editor/edits.ts';
import { fromLitegraph, toLitegraph } from '../../interop/litegraph/convert.ts';
import { META_KEY } from '../../interop/litegraph/format.ts';
import { registerLgganNodes, type LitegraphLib } from '../../interop/litegraph/register.ts';
import { readFileSync } from 'node:fs';
import { loadDocOrThrow } from '../load-doc.test-util.ts';
import { BYPASS_COLORS, drawModes, modeChoiceLabel, modeMenu, setNodeModes, type ModeGraphHooks, type ModedNode } from './node-modes.ts';

const registry = createRegistry();
registerLgganNodes(litegraph as unknown as LitegraphLib, registry);
const doc = loadDocOrThrow(JSON.parse(readFileSync(new URL('../../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8')), registry);

function graphOf(d = doc) {
  const graph = new litegraph.LGraph() as InstanceType<typeof litegraph.LGraph> & ModeGraphHooks;
  graph.configure(toLitegraph(d, registry) as never);
  const nodes = (graph as unknown as { _nodes: LGraphNode[] })._nodes;
  const node = (id: string) => nodes.find((n) => (n.properties[META_KEY] as { id: string }).id === id)!;
  return { graph, nodes, node };
}
const backToDoc = (graph: InstanceType<typeof litegraph.LGraph>) => {
  const result = fromLitegraph(JSON.parse(JSON.stringify(graph.serialize())), registry, { name: doc.meta.name });
  if (!result.ok) throw new Error('does not convert back');
  return result.doc;
};

describe('modes in the litegraph view', () => {
  it('sets a mode on litegraph nodes, tells the graph once, and converts back as the document mode', () => {
    const { graph, node } = graphOf();
    let told = 0;
    graph.onLgganModeChanged = () => told++;
    expect(setNodeModes([node('res1'), node('res2')], 'bypass')).toBe(true);
    expect(told).toBe(1);
    expect(node('res1').mode).toBe(4); // ComfyUI's bypass
    expect(setNodeModes([node('res1')], 'bypass')).toBe(false); // no change, no edit
    expect(told).toBe(1);
    setNodeModes([node('res2')], 'mute');
    expect(node('res2').mode).toBe(2); // litegraph's Never
    const back = backToDoc(graph);
    expect(back.nodes.find((n) => n.id === 'res1')!.mode).toBe('bypass');
    expect(back.nodes.find((n) => n.id === 'res2')!.mode).toBe('mute');
    setNodeModes([node('res1'), node('res2')], undefined);
    expect(backToDoc(graph).nodes.every((n) => n.mode === undefined)).toBe(true);
  });

  it('labels litegraph modes with the three the document has', () => {
    expect([0, 4, 2].map(modeChoiceLabel)).toEqual(['Always', 'Bypass', 'Never (mute)']);
    expect(modeChoiceLabel(3)).toBe('Always'); // On Trigger means nothing here
  });

  it('offers Always, Bypass and Never in the Mode menu and applies the choice to the selection it is part of', () => {
    const { graph, node } = graphOf();
    let told = 0;
    graph.onLgganModeChanged = () => told++;
    const menus: { entries: { content: string }[]; options: { callback(entry: unknown): void } }[] = [];
    const Menu = function (this: unknown, entries: { content: string }[], options: { callback(entry: unknown): void }) {
      menus.push({ entries, options });
    } as unknown as new () => unknown;
    let selected: LGraphNode[] = [node('res1'), node('res2')];
    const open = modeMenu(() => Menu as never, () => selected);
    open(null, null, {} as MouseEvent, null, node('res1'));
    expect(menus[0].entries.map((e) => e.content)).toEqual(['Always ✓', 'Bypass', 'Never (mute)']);
    menus[0].options.callback(menus[0].entries[1]);
    expect([node('res1').mode, node('res2').mode]).toEqual([4, 4]);
    expect(told).toBe(1);
    selected = [node('res2')]; // the node clicked is not in the selection: only it changes
    open(null, null, {} as MouseEvent, null, node('res1'));
    expect(menus[1].entries.map((e) => e.content)).toEqual(['Always', 'Bypass ✓', 'Never (mute)']);
    menus[1].options.callback(menus[1].entries[2]);
    expect([node('res1').mode, node('res2').mode]).toEqual([2, 4]);
  });

  it('draws a bypassed node in the bypass colours and a muted one dimmed, for that draw only', () => {
    const { node } = graphOf(toggleNodeMode(doc, ['res1'], 'bypass'));
    const seen: { alpha: number; color?: string; bgcolor?: string }[] = [];
    const canvas = {
      editor_alpha: 1,
      drawNode(this: { editor_alpha: number }, n: LGraphNode, _ctx: CanvasRenderingContext2D) {
        seen.push({ alpha: this.editor_alpha, color: n.color, bgcolor: n.bgcolor });
      },
    };
    drawModes(canvas);
    const ctx = {} as CanvasRenderingContext2D;
    const res1 = node('res1') as ModedNode;
    const own = { color: res1.color, bgcolor: res1.bgcolor }; // its category's colours
    expect(own.bgcolor).toBeDefined();
    res1.lgganMode = 'bypass';
    canvas.drawNode(res1, ctx);
    res1.lgganMode = 'mute';
    canvas.drawNode(res1, ctx);
    res1.lgganMode = 'left-out';
    canvas.drawNode(res1, ctx);
    res1.lgganMode = undefined;
    canvas.drawNode(res1, ctx);
    expect(seen).toEqual([
      { alpha: 1, ...BYPASS_COLORS },
      { alpha: 0.45, ...own },
      { alpha: 0.65, ...own },
      { alpha: 1, ...own },
    ]);
    expect(canvas.editor_alpha).toBe(1);
    expect({ color: res1.color, bgcolor: res1.bgcolor }).toEqual(own); // nothing of the look is saved with the graph
  });
});
