/**
 * Compare marks in the litegraph view, without a browser: litegraph's LGraph runs in Node, so which
 * nodes and links a real comparison marks, and what the wrapped canvas draws for them (through a
 * recording 2D context), are checked here; e2e/compare.spec.ts looks at the pixels.
 */
import * as litegraph from 'litegraph.js';
import type { LGraphNode } from 'litegraph.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../nodes/index.ts';
import { diffEvaluated } from '../../compiler/diff.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { toLitegraph } from '../../interop/litegraph/convert.ts';
import { META_KEY } from '../../interop/litegraph/format.ts';
import { registerLgganNodes, type LitegraphLib } from '../../interop/litegraph/register.ts';
import { compareView } from '../compare/compare-view.ts';
import { loadDocOrThrow } from '../load-doc.test-util.ts';
import { DIFF_COLORS, drawCompareMarks, drawNodeMark, markGraph, NO_MARKS, RING, type MarkedLink, type MarkedNode } from './compare-marks.ts';

const registry = createRegistry();
registerLgganNodes(litegraph as unknown as LitegraphLib, registry);
const open = loadDocOrThrow(JSON.parse(readFileSync(new URL('../../../graphs/tiny-pix2pix.json', import.meta.url), 'utf8')), registry);

/** The open graph less res2 (res1 wired straight to up) and with d1's kernel 3: res2 and its wires are added in the open graph, d1 changed. */
function reference(): GraphDocument {
  const doc = structuredClone(open);
  doc.nodes = doc.nodes.filter((n) => n.id !== 'res2');
  doc.edges = doc.edges.filter((e) => e.from.node !== 'res2' && e.to.node !== 'res2');
  doc.edges.push({ from: { node: 'res1', port: 'y' }, to: { node: 'up', port: 'x' } });
  doc.nodes.find((n) => n.id === 'd1')!.params.kernel = 3;
  return doc;
}

const ourId = (n: LGraphNode) => (n.properties?.[META_KEY] as { id?: string } | undefined)?.id;

function litegraphOf(doc: GraphDocument) {
  const graph = new litegraph.LGraph();
  graph.configure(toLitegraph(doc, registry) as never);
  const nodes = (graph as unknown as { _nodes: LGraphNode[] })._nodes;
  const links = graph.links as unknown as Record<string, MarkedLink>;
  const linkText = (l: MarkedLink) => {
    const from = nodes.find((n) => n.id === l.origin_id)!;
    const to = nodes.find((n) => n.id === l.target_id)!;
    return `${ourId(from)}.${(from.outputs[l.origin_slot] as { name: string }).name} → ${ourId(to)}.${(to.inputs[l.target_slot] as { name: string }).name}`;
  };
  return { graph, nodes, links, linkText };
}

/** A 2D context that records what is drawn. */
function recordingContext() {
  const calls: string[] = [];
  const ctx = {
    strokeStyle: '',
    fillStyle: '',
    lineWidth: 1,
    font: '',
    textAlign: 'left',
    textBaseline: 'alphabetic',
    save: () => calls.push('save'),
    restore: () => calls.push('restore'),
    beginPath: () => {},
    rect: (x: number, y: number, w: number, h: number) => calls.push(`rect ${x} ${y} ${w} ${h}`),
    stroke: () => calls.push(`stroke ${ctx.strokeStyle} ${ctx.lineWidth}`),
    fillRect: () => calls.push(`fillRect ${ctx.fillStyle}`),
    fillText: (text: string) => calls.push(`text ${text} ${ctx.fillStyle}`),
    measureText: (text: string) => ({ width: text.length * 6 }),
    setLineDash: (dash: number[]) => calls.push(`dash ${dash.join(',')}`),
  };
  return { ctx, calls };
}

describe('compare marks in the litegraph view', () => {
  it('marks the nodes and links a comparison names: added and changed nodes, added wires; clears them again', () => {
    const view = compareView(diffEvaluated(reference(), open, registry));
    const { graph, nodes, links, linkText } = litegraphOf(open);
    markGraph(nodes, links, view, ourId);

    const marked = Object.fromEntries(nodes.flatMap((n) => ((n as MarkedNode).lgganDiff ? [[ourId(n), (n as MarkedNode).lgganDiff]] : [])));
    expect(marked).toEqual({ res2: 'added', d1: 'changed' });
    const added = Object.values(links).filter((l) => l.lgganAdded).map(linkText);
    expect(added.sort()).toEqual(['res1.y → res2.x', 'res2.y → up.x']);
    expect(Object.values(links).filter((l) => l.lgganAdded === false)).toHaveLength(Object.keys(links).length - 2);
    // Nothing of the marks is serialised: a saved graph never carries them.
    expect(JSON.stringify(graph.serialize())).not.toMatch(/lggan(Diff|Added)|2f9e44|e8a317/i);

    markGraph(nodes, links, NO_MARKS, ourId);
    expect(nodes.some((n) => (n as MarkedNode).lgganDiff)).toBe(false);
    expect(Object.values(links).some((l) => l.lgganAdded)).toBe(false);
  });

  it('draws a ring round title and body in the mark colour, and the tag above the title', () => {
    const { ctx, calls } = recordingContext();
    drawNodeMark(ctx as never, 'changed', { width: 140, height: 60, titleHeight: 30 });
    expect(calls).toEqual([
      'save',
      `rect ${-RING.gap} ${-30 - RING.gap} ${140 + 2 * RING.gap} ${60 + 30 + 2 * RING.gap}`,
      `stroke ${DIFF_COLORS.changed} ${RING.width}`,
      `fillRect ${DIFF_COLORS.changed}`,
      'text changed #ffffff',
      'restore',
    ]);
  });

  it('wraps the canvas: marked nodes get their ring after the node, added links the added colour, dashed and wider', () => {
    const drawn: string[] = [];
    const canvas = {
      connections_width: 4,
      drawNode: (node: LGraphNode, _ctx: CanvasRenderingContext2D) => void drawn.push(`node ${node.id}`),
      renderLink(_ctx: unknown, _a: unknown, _b: unknown, link: MarkedLink | null, _s: boolean, _f: number, color: string | null) {
        drawn.push(`link ${link?.origin_id} ${color} width ${this.connections_width}`);
      },
    };
    drawCompareMarks(canvas, () => 30, () => 80);
    const { ctx, calls } = recordingContext();
    const node = (id: number, mark?: 'added') => ({ id, size: [100, 50], flags: {}, lgganDiff: mark }) as unknown as LGraphNode;
    canvas.drawNode(node(1), ctx as never);
    expect(calls).toEqual([]);
    canvas.drawNode(node(2, 'added'), ctx as never);
    expect(drawn).toEqual(['node 1', 'node 2']);
    expect(calls).toContain(`stroke ${DIFF_COLORS.added} ${RING.width}`);
    expect(calls).toContain('text added #ffffff');

    calls.length = 0;
    const link = (id: number, added: boolean): MarkedLink => ({ origin_id: id, origin_slot: 0, target_id: 9, target_slot: 0, lgganAdded: added });
    canvas.renderLink(ctx as never, [0, 0], [1, 1], link(3, false), false, 0, null);
    canvas.renderLink(ctx as never, [0, 0], [1, 1], link(4, true), false, 0, null);
    canvas.renderLink(ctx as never, [0, 0], [1, 1], link(5, true), true, 1, 'white'); // litegraph's own colour wins
    expect(drawn.slice(2)).toEqual(['link 3 null width 4', `link 4 ${DIFF_COLORS.added} width 6`, 'link 5 white width 4']);
    expect(calls).toEqual(['save', 'dash 10,6', 'restore']);
    expect(canvas.connections_width).toBe(4);
  });
});
