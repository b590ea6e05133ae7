/**
 * Bypass and mute in the litegraph view. litegraph.js 0.7.18's Mode menu offers its execution modes
 * (Always, On Event, Never, On Trigger); a document knows three: active, bypass (ComfyUI's mode 4)
 * and mute (litegraph's Never). The menu here offers those three, sets the choice on the node (or on
 * every selected node) and tells the graph, whose host makes it one document edit. The modes are
 * drawn per node, without HTML: bypassed nodes in the bypass colour, muted ones dimmed, nodes a
 * mute or bypass left out half-dimmed (the Rete card's look).
 */
import type { LGraphNode } from 'litegraph.js';
import type { NodeMode } from '../../graph/document.ts';
import { liteMode, NOTE_TYPE, ourMode } from '../../interop/litegraph/format.ts';

/** The Mode menu's entries, in order; `mode` undefined is active ("Always"). */
export const MODE_CHOICES: readonly { label: string; mode: NodeMode | undefined }[] = [
  { label: 'Always', mode: undefined },
  { label: 'Bypass', mode: 'bypass' },
  { label: 'Never (mute)', mode: 'mute' },
];

/** The menu label of a litegraph mode number (litegraph's own others show as Always: the document drops them). */
export function modeChoiceLabel(liteModeNumber: number): string {
  const mode = ourMode(liteModeNumber);
  return MODE_CHOICES.find((c) => c.mode === mode)!.label;
}

/** A graph that wants to hear of mode changes made in its canvas (the host's). */
export interface ModeGraphHooks {
  onLgganModeChanged?(): void;
}

/**
 * Gives `nodes` the mode (comments have none) and tells their graph once when any changed.
 * Returns whether one did.
 */
export function setNodeModes(nodes: readonly LGraphNode[], mode: NodeMode | undefined): boolean {
  const value = liteMode(mode);
  const graphs = new Set<ModeGraphHooks>();
  for (const node of nodes) {
    if (node.type === NOTE_TYPE || node.mode === value) continue;
    (node as { mode: number }).mode = value; // litegraph's typings know only its own four modes
    if (node.graph) graphs.add(node.graph as unknown as ModeGraphHooks);
  }
  for (const graph of graphs) graph.onLgganModeChanged?.();
  return graphs.size > 0;
}

type Menu = new (values: unknown[], options: Record<string, unknown>, window?: Window) => unknown;

/**
 * Makes litegraph's node menu "Mode" entry offer MODE_CHOICES. `contextMenu` is the (text-only)
 * ContextMenu to build it with; `selectedOf` gives the canvas's selected nodes, to which the choice
 * applies when the node is one of several selected (as litegraph's own Mode menu does).
 */
export function modeMenu(contextMenu: () => Menu, selectedOf: () => readonly LGraphNode[]) {
  return function onMenuNodeMode(_value: unknown, _options: unknown, e: MouseEvent, menu: unknown, node: LGraphNode | null): boolean {
    if (!node) return false;
    const current = ourMode(node.mode);
    const entries = MODE_CHOICES.map((choice) => ({ content: choice.mode === current ? `${choice.label} ✓` : choice.label, choice }));
    const Ctor = contextMenu();
    new Ctor(entries, {
      event: e,
      parentMenu: menu,
      node,
      callback(entry: (typeof entries)[number]) {
        const selected = selectedOf();
        setNodeModes(selected.length > 1 && selected.includes(node) ? selected : [node], entry.choice.mode);
      },
    });
    return false;
  };
}

/** How a node draws for its mode: the fraction of opacity it keeps, and the colours it takes. */
export interface ModeLook {
  alpha: number;
  color?: string;
  bgcolor?: string;
}

/** The app's --bypass (light theme) for the title, and a body that mixes it into litegraph's grey. */
export const BYPASS_COLORS = { color: '#8a3fd1', bgcolor: '#4e3864' } as const;

export function modeLook(mode: NodeMode | 'left-out' | undefined): ModeLook {
  if (mode === 'bypass') return { alpha: 1, ...BYPASS_COLORS };
  if (mode === 'mute') return { alpha: 0.45 };
  if (mode === 'left-out') return { alpha: 0.65 };
  return { alpha: 1 };
}

/** What a litegraph node carries for drawing its mode: our mode, or left out because of another's. */
export type ModedNode = LGraphNode & { lgganMode?: NodeMode | 'left-out' };

interface DrawingCanvas {
  editor_alpha: number;
  drawNode(node: LGraphNode, ctx: CanvasRenderingContext2D): void;
}

/**
 * Draws every node of `canvas` with its mode's look: the opacity through litegraph's editor_alpha
 * (which it applies to the node's shape, text and slots) and the colours set for that one draw and
 * put back after it, so that they never reach the saved graph.
 */
export function drawModes(canvas: DrawingCanvas): void {
  const draw = canvas.drawNode;
  canvas.drawNode = function (this: DrawingCanvas, node: LGraphNode, ctx: CanvasRenderingContext2D) {
    const look = modeLook((node as ModedNode).lgganMode);
    if (look.alpha === 1 && !look.color) return draw.call(this, node, ctx);
    const kept = { alpha: this.editor_alpha, color: node.color, bgcolor: node.bgcolor };
    this.editor_alpha = kept.alpha * look.alpha;
    if (look.color) node.color = look.color;
    if (look.bgcolor) node.bgcolor = look.bgcolor;
    try {
      draw.call(this, node, ctx);
    } finally {
      this.editor_alpha = kept.alpha;
      restore(node, 'color', kept.color);
      restore(node, 'bgcolor', kept.bgcolor);
    }
  };
}

function restore(node: LGraphNode, key: 'color' | 'bgcolor', value: string | undefined): void {
  if (value === undefined) delete (node as Partial<LGraphNode>)[key];
  else node[key] = value;
}
