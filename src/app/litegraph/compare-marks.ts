/**
 * The Compare tab's marks (compare/compare-view.ts) in the litegraph view, as the Rete canvas
 * shows them: an added node ringed green, a changed one amber, each with a small "added" /
 * "changed" tag above its title, and added wires drawn green and dashed. Everything is drawn on
 * the canvas (fixed words only, no HTML) and for the one draw: litegraph nodes and links carry a
 * mark of ours that their serialisation never writes, so the marks never reach a saved graph.
 */
import type { LGraphNode } from 'litegraph.js';
import type { NodeMark } from '../compare/compare-view.ts';
import { edgeKey } from '../editor/edits.ts';

/** The app's --diff-added and --diff-changed (the Rete cards' ring colours). */
export const DIFF_COLORS: Readonly<Record<NodeMark, string>> = { added: '#2f9e44', changed: '#e8a317' };

export interface CompareMarkSet {
  nodes: ReadonlyMap<string, NodeMark>;
  /** Added wires, by edgeKey. */
  wires: ReadonlySet<string>;
}

export const NO_MARKS: CompareMarkSet = { nodes: new Map(), wires: new Set() };

export type MarkedNode = LGraphNode & { lgganDiff?: NodeMark };

/** The part of a litegraph link the marks need (LLink's fields, and our mark). */
export interface MarkedLink {
  origin_id: number | string;
  origin_slot: number;
  target_id: number | string;
  target_slot: number;
  lgganAdded?: boolean;
}

/**
 * Marks the nodes and links of a litegraph graph as `marks` says; `ourId` names a litegraph node
 * by our node id (undefined: not one of ours, e.g. a note). Marks left from before are cleared.
 */
export function markGraph(nodes: readonly LGraphNode[], links: Readonly<Record<string, MarkedLink | undefined>>, marks: CompareMarkSet, ourId: (node: LGraphNode) => string | undefined): void {
  const byLiteId = new Map<string, LGraphNode>();
  for (const node of nodes) {
    byLiteId.set(String(node.id), node);
    const id = ourId(node);
    (node as MarkedNode).lgganDiff = id === undefined ? undefined : marks.nodes.get(id);
  }
  const portName = (node: LGraphNode | undefined, side: 'inputs' | 'outputs', slot: number) => (node?.[side]?.[slot] as { name?: string } | undefined)?.name;
  for (const link of Object.values(links)) {
    if (!link) continue;
    const from = byLiteId.get(String(link.origin_id));
    const to = byLiteId.get(String(link.target_id));
    const fromId = from && ourId(from);
    const toId = to && ourId(to);
    const fromPort = portName(from, 'outputs', link.origin_slot);
    const toPort = portName(to, 'inputs', link.target_slot);
    link.lgganAdded =
      fromId !== undefined && toId !== undefined && fromPort !== undefined && toPort !== undefined && marks.wires.has(edgeKey({ from: { node: fromId, port: fromPort }, to: { node: toId, port: toPort } }));
  }
}

/** What drawing a node's mark needs of the canvas: a 2D context's drawing calls. */
type Ctx = Pick<CanvasRenderingContext2D, 'save' | 'restore' | 'beginPath' | 'rect' | 'stroke' | 'fillRect' | 'fillText' | 'measureText'> & {
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  lineWidth: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
};

/** How far the ring stands off the node's box, its width, and the tag's height. */
export const RING = { gap: 5, width: 3, tagHeight: 15 } as const;

/**
 * Draws a node's mark in node coordinates (litegraph draws a node translated to its position, the
 * title bar above y = 0): a ring round the title and body, and the tag above the title's right end.
 */
export function drawNodeMark(ctx: Ctx, mark: NodeMark, box: { width: number; height: number; titleHeight: number }): void {
  const color = DIFF_COLORS[mark];
  const top = -box.titleHeight - RING.gap;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = RING.width;
  ctx.beginPath();
  ctx.rect(-RING.gap, top, box.width + 2 * RING.gap, box.height + box.titleHeight + 2 * RING.gap);
  ctx.stroke();
  ctx.font = 'bold 11px sans-serif';
  const tagWidth = ctx.measureText(mark).width + 10;
  const tagTop = top - RING.tagHeight;
  ctx.fillStyle = color;
  ctx.fillRect(box.width + RING.gap - tagWidth, tagTop, tagWidth, RING.tagHeight);
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(mark, box.width + RING.gap - tagWidth / 2, tagTop + RING.tagHeight / 2 + 0.5);
  ctx.restore();
}

interface MarkingCanvas {
  connections_width: number;
  drawNode(node: LGraphNode, ctx: CanvasRenderingContext2D): void;
  renderLink(ctx: CanvasRenderingContext2D, a: unknown, b: unknown, link: MarkedLink | null, skipBorder: boolean, flow: number, color: string | null, ...rest: unknown[]): void;
}

/**
 * Makes `canvas` draw the marks markGraph set: a marked node's ring and tag after the node, and an
 * added link in the added colour, wider and dashed (only where litegraph picks the colour itself:
 * a highlighted or flowing link keeps its own).
 */
export function drawCompareMarks(canvas: MarkingCanvas, titleHeight: () => number, collapsedWidth: () => number): void {
  const drawNode = canvas.drawNode;
  canvas.drawNode = function (this: MarkingCanvas, node: LGraphNode, ctx: CanvasRenderingContext2D) {
    drawNode.call(this, node, ctx);
    const mark = (node as MarkedNode).lgganDiff;
    if (!mark) return;
    const collapsed = Boolean((node.flags as { collapsed?: boolean } | undefined)?.collapsed);
    const width = collapsed ? ((node as { _collapsed_width?: number })._collapsed_width ?? collapsedWidth()) : node.size[0];
    drawNodeMark(ctx, mark, { width, height: collapsed ? 0 : node.size[1], titleHeight: titleHeight() });
  };
  const renderLink = canvas.renderLink;
  canvas.renderLink = function (this: MarkingCanvas, ctx, a, b, link, skipBorder, flow, color, ...rest) {
    if (!link?.lgganAdded || color) return renderLink.call(this, ctx, a, b, link, skipBorder, flow, color, ...rest);
    const width = this.connections_width;
    ctx.save();
    ctx.setLineDash([10, 6]);
    this.connections_width = width + 2;
    try {
      renderLink.call(this, ctx, a, b, link, skipBorder, flow, DIFF_COLORS.added, ...rest);
    } finally {
      this.connections_width = width;
      ctx.restore();
    }
  };
}
