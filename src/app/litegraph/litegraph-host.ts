/**
 * Runs a graph document in a litegraph.js canvas: loads it (toLitegraph → LGraph.configure),
 * notices edits (nodes added or removed, wiring, params, moves), turns the graph back into a
 * document (serialize → fromLitegraph) and reports it when it changed. Wiring goes through the
 * compiler's checks; refused edits and the compiler's diagnostics show on the canvas.
 */
import * as litegraph from 'litegraph.js';
import type { LGraphNode } from 'litegraph.js';
import type { NodeRegistry } from '../../../nodes/registry.ts';
import { resolveGraph } from '../../compiler/resolve.ts';
import { formatDiagnostic, type Diagnostic } from '../../graph/diagnostics.ts';
import type { GraphDocument } from '../../graph/document.ts';
import { saveGraph } from '../../graph/save.ts';
import { fromLitegraph, sourceOf, toLitegraph } from '../../interop/litegraph/convert.ts';
import { keepCanvasDropped } from '../../interop/litegraph/view-sync.ts';
import { META_KEY, NOTE_TYPE } from '../../interop/litegraph/format.ts';
import { spreadForLitegraph } from '../../interop/litegraph/spread.ts';
import { packDefOf, registerLgganNodes, type LitegraphLib, type LgganGraphHooks } from '../../interop/litegraph/register.ts';
import { drawCompareMarks, markGraph, NO_MARKS, type CompareMarkSet, type MarkedLink } from './compare-marks.ts';
import { connectionProblem, kindRefusal } from './connection-check.ts';
import { drawableColors, installLitegraphSinks } from './litegraph-sinks.ts';
import { drawModes, type ModeGraphHooks, type ModedNode } from './node-modes.ts';
import { DECORATION_COLORS, decorateNode, problemsByNode } from './node-problems.ts';

const { LGraph, LGraphCanvas, LiteGraph } = litegraph;

export interface HostCallbacks {
  onchange(doc: GraphDocument): void;
  /** A refused edit or a graph that cannot be converted; null clears it. */
  onmessage(message: string | null): void;
  /** The nodes selected in the canvas (by a click, a box or Ctrl+A), by our node ids. */
  onselect?(ids: string[]): void;
}

/**
 * Keys the app handles the same way in both views: clipboard (graph JSON on the system
 * clipboard, where litegraph would keep its own copy in localStorage) and delete (litegraph's
 * would also rewire around the deleted node, which the Rete view never does).
 */
function leftToApp(e: KeyboardEvent): boolean {
  const mod = e.ctrlKey || e.metaKey;
  return e.type === 'keydown' && ((mod && ['c', 'x', 'v'].includes(e.key.toLowerCase())) || (!mod && (e.key === 'Delete' || e.key === 'Backspace')));
}

type Graph = InstanceType<typeof LGraph> & LgganGraphHooks & ModeGraphHooks & { onNodeRemoved?: (node: LGraphNode) => void; onNodeConnectionChange?: () => void };
const nodesOf = (graph: Graph) => (graph as unknown as { _nodes: LGraphNode[] })._nodes;
const isValidConnection = (a: unknown, b: unknown) => (LiteGraph as unknown as { isValidConnection(a: unknown, b: unknown): boolean }).isValidConnection(a, b);
type Canvas = InstanceType<typeof LGraphCanvas> & {
  connecting_node: LGraphNode | null;
  connecting_output: { name: string; type: string } | null;
  connecting_slot: number;
  graph_mouse: [number, number];
  isOverNodeInput(node: LGraphNode, x: number, y: number): number;
  onNodeMoved?: (node: LGraphNode) => void;
  onSelectionChange?: (selected: Record<string, LGraphNode>) => void;
  selected_nodes: Record<string, LGraphNode>;
  _key_callback: (e: KeyboardEvent) => void;
};

/** Items of `next` in the order `previous` had them, new ones after, in their own order. */
function inOrder<T extends { id: string }>(previous: readonly T[], next: readonly T[]): T[] {
  const rank = new Map(previous.map((item, i) => [item.id, i]));
  const known = next.filter((item) => rank.has(item.id)).sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  return [...known, ...next.filter((item) => !rank.has(item.id))];
}

/**
 * litegraph moves a node it brings to the front to the end of its list: a click must not reorder
 * the document, so nodes and comments keep the order the last document had.
 */
function keepOrder(previous: GraphDocument, next: GraphDocument): GraphDocument {
  return { ...next, nodes: inOrder(previous.nodes, next.nodes), comments: inOrder(previous.comments, next.comments) };
}

export class LitegraphHost {
  readonly graph: Graph;
  readonly canvas: Canvas;
  private doc: GraphDocument;
  private text = '';
  private loading = false;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private extraDiagnostics: readonly Diagnostic[] = [];
  /** The Compare tab's marks, drawn on the nodes and links they name. */
  private marks: CompareMarkSet = NO_MARKS;
  /** The document last given to load(), before spreadForLitegraph: given again, nothing is reloaded. */
  private sourceText: string | undefined;
  /** Our ids of the selected nodes; kept across loads (configure() clears litegraph's selection). */
  private selectedIds: readonly string[] = [];
  private selecting = false;
  private readonly removeListeners: () => void;

  constructor(
    element: HTMLCanvasElement,
    private readonly registry: NodeRegistry,
    doc: GraphDocument,
    private readonly callbacks: HostCallbacks,
  ) {
    registerLgganNodes(litegraph as unknown as LitegraphLib, registry);
    installLitegraphSinks();
    this.graph = new LGraph() as Graph;
    this.canvas = new LGraphCanvas(element, this.graph) as Canvas;
    (this.canvas as unknown as { show_info: boolean }).show_info = false; // litegraph's frame statistics overlay
    drawModes(this.canvas as unknown as Parameters<typeof drawModes>[0]);
    drawCompareMarks(this.canvas as unknown as Parameters<typeof drawCompareMarks>[0], () => LiteGraph.NODE_TITLE_HEIGHT, () => LiteGraph.NODE_COLLAPSED_WIDTH);
    this.doc = doc;
    this.hook();
    const removeKeyFilter = this.filterKeys(element);
    const onPointerUp = (e: PointerEvent) => this.beforePointerUp(e);
    const onUp = () => this.schedule();
    window.addEventListener('pointerup', onPointerUp, true);
    element.addEventListener('pointerup', onUp);
    this.removeListeners = () => {
      window.removeEventListener('pointerup', onPointerUp, true);
      element.removeEventListener('pointerup', onUp);
      removeKeyFilter();
    };
    this.load(doc);
  }

  /** Shows `doc` unless it is what the canvas already holds (e.g. the document it just reported). */
  load(doc: GraphDocument): void {
    const text = saveGraph(doc);
    if (text === this.text || text === this.sourceText) return;
    // Nodes that would overlap here (litegraph's are taller) are shown moved down; the document
    // takes those places only with the next edit made in this view.
    const shown = spreadForLitegraph(doc, this.registry);
    this.loading = true;
    try {
      this.graph.configure(drawableColors(toLitegraph(shown, this.registry)));
      // A file written back from its source carries our ids only where it must: give every node one.
      this.seedIds(shown);
    } finally {
      this.loading = false;
    }
    this.doc = shown;
    this.text = shown === doc ? text : saveGraph(shown);
    this.sourceText = text;
    this.decorate();
    this.select(this.selectedIds, true);
  }

  /** Selects our nodes in the canvas, as the app's selection says; reports nothing back. */
  select(ids: readonly string[], force = false): void {
    const same = ids.length === this.selectedIds.length && ids.every((id) => this.selectedIds.includes(id));
    this.selectedIds = [...ids];
    if (same && !force) return;
    const nodes = ids.flatMap((id) => this.nodeOf(id) ?? []);
    this.selecting = true;
    try {
      if (nodes.length) this.canvas.selectNodes(nodes);
      else this.canvas.deselectAllNodes();
    } finally {
      this.selecting = false;
    }
  }

  /** Pans so that a node is in the middle of the view (the problems list's "show node"). */
  centerOn(nodeId: string): void {
    const node = this.nodeOf(nodeId);
    if (node) this.canvas.centerOnNode(node);
  }

  /** The graph point in the middle of the view, where the palette and paste put new nodes. */
  viewCenter(): { x: number; y: number } {
    const element = this.canvas.canvas as HTMLCanvasElement;
    const rect = element.getBoundingClientRect();
    return this.toGraph(rect.left + rect.width / 2, rect.top + rect.height / 2);
  }

  /** A page point (CSS pixels) in graph coordinates. */
  toGraph(clientX: number, clientY: number): { x: number; y: number } {
    const ds = this.canvas.ds as unknown as { scale: number; offset: [number, number] };
    const element = this.canvas.canvas as HTMLCanvasElement;
    const rect = element.getBoundingClientRect();
    const ratio = element.width / (rect.width || 1);
    return { x: ((clientX - rect.left) * ratio) / ds.scale - ds.offset[0], y: ((clientY - rect.top) * ratio) / ds.scale - ds.offset[1] };
  }

  /** Zooms about the middle of the view. */
  zoomBy(factor: number): void {
    const ds = this.canvas.ds as unknown as { scale: number; changeScale(scale: number, center: [number, number]): void };
    const element = this.canvas.canvas as HTMLCanvasElement;
    ds.changeScale(ds.scale * factor, [element.width / 2, element.height / 2]);
    this.canvas.setDirty(true, true);
  }

  /** Diagnostics from the host (e.g. a training run) shown with the compiler's. */
  setDiagnostics(diagnostics: readonly Diagnostic[]): void {
    this.extraDiagnostics = diagnostics;
    this.decorate();
  }

  /** Shows the Compare tab's marks (added / changed nodes, added wires); NO_MARKS clears them. */
  setCompareMarks(marks: CompareMarkSet): void {
    this.marks = marks;
    this.applyMarks();
    this.canvas.setDirty(true, true);
  }

  /** The mark a node is drawn with now (for tests): 'added', 'changed' or undefined. */
  compareMarkOf(nodeId: string): string | undefined {
    return (this.nodeOf(nodeId) as { lgganDiff?: string } | undefined)?.lgganDiff;
  }

  /**
   * Zooms and pans so that every node is in view, between 0.6 (below it litegraph stops drawing
   * titles and widget text) and 1:1; a graph too wide for 0.6 shows its top-left part.
   */
  fitView(margin = 30): void {
    const nodes = nodesOf(this.graph);
    if (nodes.length === 0) return;
    const left = Math.min(...nodes.map((n) => n.pos[0]));
    const top = Math.min(...nodes.map((n) => n.pos[1] - LiteGraph.NODE_TITLE_HEIGHT));
    const right = Math.max(...nodes.map((n) => n.pos[0] + n.size[0]));
    const bottom = Math.max(...nodes.map((n) => n.pos[1] + n.size[1]));
    const element = this.canvas.canvas as HTMLCanvasElement;
    const scale = Math.max(0.6, Math.min(1, (element.width - 2 * margin) / (right - left), (element.height - 2 * margin) / (bottom - top)));
    const ds = this.canvas.ds as unknown as { scale: number; offset: [number, number] };
    ds.scale = scale;
    ds.offset = [margin / scale - left, margin / scale - top];
    this.canvas.setDirty(true, true);
  }

  /** Where a node's slot is on the page (CSS pixels), for pointer-driven tests and tours. */
  slotOnPage(nodeId: string, side: 'input' | 'output', port: string): { x: number; y: number } | null {
    const node = nodesOf(this.graph).find((n) => this.ourId(n) === nodeId);
    if (!node) return null;
    const slots = (side === 'input' ? node.inputs : node.outputs) as unknown as { name: string }[];
    const index = slots.findIndex((s) => s.name === port);
    if (index < 0) return null;
    const at = node.getConnectionPos(side === 'input', index) as unknown as [number, number];
    return this.graphToPage(at[0], at[1]);
  }

  /** Where a node's title bar is on the page (CSS pixels). */
  titleOnPage(nodeId: string): { x: number; y: number } | null {
    const node = nodesOf(this.graph).find((n) => this.ourId(n) === nodeId);
    return node ? this.graphToPage(node.pos[0] + node.size[0] / 2, node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT / 2) : null;
  }

  /** The litegraph node showing one of our nodes. */
  nodeOf(nodeId: string): LGraphNode | undefined {
    return nodesOf(this.graph).find((n) => this.ourId(n) === nodeId);
  }

  private graphToPage(x: number, y: number): { x: number; y: number } {
    const ds = this.canvas.ds as unknown as { scale: number; offset: [number, number] };
    const element = this.canvas.canvas as HTMLCanvasElement;
    const rect = element.getBoundingClientRect();
    const ratio = rect.width / element.width;
    return { x: rect.left + (x + ds.offset[0]) * ds.scale * ratio, y: rect.top + (y + ds.offset[1]) * ds.scale * ratio };
  }

  get document(): GraphDocument {
    return this.doc;
  }

  destroy(): void {
    if (this.pending) clearTimeout(this.pending);
    this.removeListeners();
    this.canvas.stopRendering();
    this.graph.stop();
  }

  /** The document the canvas shows now; reported when it differs from the last one. */
  sync(): GraphDocument | null {
    this.pending = null;
    const json = JSON.parse(JSON.stringify(this.graph.serialize()));
    for (const node of json.nodes) if (DECORATION_COLORS.includes(node.boxcolor)) delete node.boxcolor;
    // A document opened from a litegraph/ComfyUI file keeps that file, not the canvas's serialization of it.
    const result = fromLitegraph(json, this.registry, { name: this.doc.meta.name, source: sourceOf(this.doc) ?? null });
    if (!result.ok) {
      this.callbacks.onmessage(formatDiagnostic(result.diagnostics.find((d) => d.severity === 'error')!));
      return null;
    }
    this.seedIds(result.doc);
    const doc = keepOrder(this.doc, keepCanvasDropped(this.doc, result.doc));
    const text = saveGraph(doc);
    if (text === this.text) return this.doc;
    this.doc = doc;
    this.text = text;
    this.sourceText = undefined; // the canvas no longer shows that document: loading it again must reload
    this.decorate();
    this.callbacks.onchange(doc);
    return doc;
  }

  private schedule(): void {
    if (this.loading || this.pending) return;
    this.pending = setTimeout(() => this.sync(), 0);
  }

  private hook(): void {
    const g = this.graph;
    g.onNodeAdded = () => this.schedule();
    g.onNodeRemoved = () => this.schedule();
    g.onNodeConnectionChange = () => this.schedule();
    g.onLgganParamChanged = () => this.schedule();
    g.onLgganModeChanged = () => this.schedule();
    g.onLgganRejected = (_node, message) => this.callbacks.onmessage(message);
    g.lgganCheckConnection = (source, sourceSlot, target, targetSlot) => {
      const from = this.ourId(source);
      const to = this.ourId(target);
      if (from === undefined || to === undefined) return null;
      const problem = connectionProblem(this.doc, this.registry, { node: from, port: source.outputs[sourceSlot].name }, { node: to, port: target.inputs[targetSlot].name });
      if (problem === null) this.callbacks.onmessage(null);
      return problem;
    };
    this.canvas.onNodeMoved = () => this.schedule();
    this.canvas.onSelectionChange = (selected) => {
      if (this.selecting) return;
      const ids = Object.values(selected).flatMap((n) => this.ourId(n) ?? []);
      this.selectedIds = ids;
      this.callbacks.onselect?.(ids);
    };
  }

  /**
   * litegraph listens for keydown on its canvas and keyup on the whole document (capture phase):
   * this puts a filter in front of the first, and returns what removes both (litegraph's own
   * unbindEvents misses the capture flag, so a closed view would leave its keyup listener behind).
   */
  private filterKeys(element: HTMLCanvasElement): () => void {
    const original = this.canvas._key_callback;
    const filtered = (e: KeyboardEvent) => {
      if (!leftToApp(e)) original(e);
    };
    element.removeEventListener('keydown', original, true);
    element.addEventListener('keydown', filtered, true);
    return () => {
      element.removeEventListener('keydown', filtered, true);
      element.ownerDocument.removeEventListener('keyup', original, true);
    };
  }

  /** Litegraph refuses wrong kinds before asking us: say why when a dragged link is dropped on such an input. */
  private beforePointerUp(e: PointerEvent): void {
    const c = this.canvas;
    if (!c.connecting_node || !c.connecting_output || e.target !== c.canvas) return;
    const [x, y] = c.graph_mouse;
    const node = this.graph.getNodeOnPos(x, y) as LGraphNode | null;
    if (!node) return;
    const slot = c.isOverNodeInput(node, x, y);
    if (slot < 0) return;
    const input = node.inputs[slot] as unknown as { name: string; type: string };
    const output = c.connecting_output;
    if (isValidConnection(output.type, input.type)) return;
    const port = packDefOf(node)?.inputs;
    const doc = Array.isArray(port) ? port.find((p) => p.name === input.name)?.doc : undefined;
    this.callbacks.onmessage(
      `refused: ${kindRefusal({ title: node.title, port: input.name, slotType: String(input.type), doc }, { title: c.connecting_node.title, port: output.name, kind: String(output.type) })}`,
    );
  }

  private ourId(node: LGraphNode): string | undefined {
    const meta = node.properties?.[META_KEY] as { id?: unknown } | undefined;
    return typeof meta?.id === 'string' ? meta.id : undefined;
  }

  /**
   * Nodes made in litegraph get the ids the importer gave them, so that later edits keep them
   * (the importer reads nodes in graph order; notes become comments, the others nodes).
   */
  private seedIds(doc: GraphDocument): void {
    const nodes = nodesOf(this.graph).filter((n) => n.type !== NOTE_TYPE);
    const notes = nodesOf(this.graph).filter((n) => n.type === NOTE_TYPE);
    nodes.forEach((n, i) => {
      const ours = doc.nodes[i];
      n.properties ??= {};
      const meta = n.properties[META_KEY] as Record<string, unknown> | undefined;
      if (ours && meta?.id !== ours.id) n.properties[META_KEY] = { ...(meta ?? {}), id: ours.id, typeVersion: ours.typeVersion, ...(ours.title === undefined ? { untitled: true } : {}) };
    });
    notes.forEach((n, i) => {
      const ours = doc.comments[i];
      n.properties ??= {};
      const meta = n.properties[META_KEY] as Record<string, unknown> | undefined;
      if (ours && meta?.comment !== ours.id) n.properties[META_KEY] = { ...(meta ?? {}), comment: ours.id };
    });
  }

  private decorate(): void {
    const ir = resolveGraph(this.doc, this.registry);
    const problems = problemsByNode([...ir.diagnostics, ...this.extraDiagnostics]);
    const modes = new Map(this.doc.nodes.map((n) => [n.id, n.mode]));
    const leftOut = new Set(ir.removedByModes ?? []);
    for (const node of nodesOf(this.graph)) {
      const id = this.ourId(node);
      if (node.type === NOTE_TYPE) continue;
      decorateNode(node, id === undefined ? undefined : problems.get(id));
      (node as ModedNode).lgganMode = id === undefined ? undefined : (modes.get(id) ?? (leftOut.has(id) ? 'left-out' : undefined));
    }
    this.applyMarks();
    this.canvas.setDirty(true, true);
  }

  private applyMarks(): void {
    markGraph(nodesOf(this.graph), this.graph.links as unknown as Record<string, MarkedLink>, this.marks, (n) => this.ourId(n));
  }
}
