/**
 * The Rete.js v2 canvas, as a view of the graph document. `sync()` makes Rete show a document;
 * what the user does on the canvas (wire, unwire, drag, pick, box-select, context menu) comes out
 * through `CanvasHooks` as requests for document edits, and Rete's own changes are blocked: the
 * document is the one source of truth, and the next `sync()` draws the result.
 */
import type { Root } from 'rete';
import { flushSync } from 'svelte';
import { AreaExtensions, AreaPlugin, type Area2D } from 'rete-area-plugin';
import { ClassicFlow, ConnectionPlugin, getSourceTarget, type SocketData } from 'rete-connection-plugin';
import { ContextMenuPlugin } from 'rete-context-menu-plugin';
import { SveltePlugin } from 'rete-svelte-plugin/5/svelte/index.js';
import type { TensorKind } from '../../../nodes/contract.ts';
import type { GraphDocument, GraphEdge, NodeMode, PortRef, Position } from '../../graph/document.ts';
import { edgeKey } from './edits.ts';
import { EditorNode, EditorWire, type Schemes } from './editor-node.svelte.ts';
import { portSignature, type NodeView } from './node-view.ts';
import { boundsOf, Minimap, visibleRect } from './minimap.ts';
import { fitTransform } from './fit-view.ts';
import { DETAIL_FRAME_BUDGET_MS, DETAIL_MIN_NODES, distanceToView, wantsDetail, type DetailView } from './detail.ts';
import { LayoutSocketPositions } from './socket-positions.ts';
import { backgroundMenu, nodeMenu, type MenuHooks } from './canvas-menu.ts';
import type { DraggedEnd } from './quick-add.ts';
import { endFits } from './wiring.ts';
import CanvasMenu from './CanvasMenu.svelte';
import { CanvasRenderer } from './canvas-render.svelte.ts';
import { IndexedNodeEditor } from './indexed-editor.ts';

export type CanvasOp = { kind: 'connect'; from: PortRef; to: PortRef } | { kind: 'disconnect'; edge: GraphEdge } | { kind: 'move'; positions: Map<string, Position> };

/** What the app does for the canvas's menu and drops (shared with the keyboard and palette). */
export interface CanvasActions {
  add(type: string, at: Position): void;
  remove(ids: string[]): void;
  duplicate(ids: string[]): void;
  /** Delete, wiring each node's pass-through input source to what its output fed. */
  removeReconnecting(ids: string[]): void;
  /** Does any of these nodes declare pass-through pairs ("Delete and reconnect" is offered)? */
  canReconnect(ids: string[]): boolean;
  /** Ctrl+B / Ctrl+M: bypass or mute the nodes, or make them active again when all already are. */
  toggleMode(ids: string[], mode: NodeMode): void;
}

export interface CanvasHooks extends MenuHooks {
  /** Why the wire may not be made, or undefined when it may. */
  checkWire(from: PortRef, to: PortRef): string | undefined;
  /** Edits gathered from one gesture (a re-wire is a disconnect plus a connect): one undo step. */
  commit(ops: CanvasOp[]): void;
  select(ids: string[], mode: 'replace' | 'toggle' | 'add'): void;
  refused(reason: string): void;
  /** Box selection rectangle in container pixels while the user drags it. */
  box(rect: { x: number; y: number; width: number; height: number } | undefined): void;
  /** Nodes moved on the canvas (drag in progress or sync); frames follow. */
  layoutChanged(): void;
  /**
   * Open the quick-add search at a point (client pixels, and the graph point under it): after a
   * double-click on the empty canvas, or a wire dropped there (`dragged`: the end it came from).
   */
  quickAdd(request: { client: { x: number; y: number }; at: Position; dragged?: DraggedEnd }): void;
}

/**
 * How far (screen pixels) a pointer may travel between press and release and still be a click:
 * a click on the background clears the selection, and a click on a node moves nothing (a hand's
 * tremor recorded as an invisible "Move node" made the first Ctrl+Z seem to do nothing).
 */
const CLICK_SLOP_PX = 4;
/** Screen pixels Fit keeps free around the graph (frame titles sit above their nodes). */
const FIT_PADDING = 48;
/** The first fit's least zoom: the cards' 13 px titles are at least 11 px on screen (11/13, rounded up). */
export const READABLE_ZOOM = 0.85;

/** How long the view must stay still before the content is drawn sharp at its zoom again. */
const VIEW_REST_MS = 250;

/** Where a double-click or a dropped wire opens quick-add: not on a node, frame, comment, the minimap or a menu. */
const NOT_EMPTY_CANVAS = '.lg-node, .lg-underlay-item, .minimap, [data-testid="context-menu"]';

/** Renders the context menu plugin's menus with CanvasMenu (the app's look and keys) instead of the stock one. */
function menuPreset() {
  type MenuSignal = { data: { type: string; items?: unknown; searchBar?: boolean; onHide?: () => void } };
  const props = (context: MenuSignal) => ({ items: context.data.items, searchBar: context.data.searchBar, onHide: context.data.onHide });
  return {
    update: (context: MenuSignal) => (context.data.type === 'contextmenu' ? props(context) : undefined),
    render: (context: MenuSignal) => (context.data.type === 'contextmenu' ? { component: CanvasMenu, props: props(context) } : undefined),
  };
}

/** What the editor's pipe and the area's pipe carry. */
type EditorSignal = Root<Schemes>;
type AreaSignal = Root<Schemes> | Area2D<Schemes>;

const edgeOf = (c: { source: string; sourceOutput: string | number | symbol; target: string; targetInput: string | number | symbol }): GraphEdge => ({
  from: { node: c.source, port: String(c.sourceOutput) },
  to: { node: c.target, port: String(c.targetInput) },
});

export class ReteCanvas {
  readonly editor = new IndexedNodeEditor<Schemes>();
  readonly area: AreaPlugin<Schemes, never>;
  private readonly renderer: CanvasRenderer;
  private selected = new Set<string>();
  /** Ids that sync() itself adds, removes or moves: let through the blocking pipe. */
  private allowed = new Set<string>();
  private syncMoving = new Set<string>();
  /** Where sync() wants a card it is adding: its NodeView's first translation goes there (see startWhereWanted). */
  private startAt = new Map<string, Position>();
  /** Cards whose first translation startWhereWanted moved: that translation is sync()'s, no drag. */
  private startedWhereWanted = new Set<string>();
  private dragged = new Map<string, Position>();
  private pending: CanvasOp[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastPointer: { shift: boolean; toggle: boolean; x: number; y: number } = { shift: false, toggle: false, x: 0, y: 0 };
  private backgroundDown: { x: number; y: number } | undefined;
  /** The last pointerup (a wire dropped there on the empty canvas opens quick-add). */
  private lastUp: { x: number; y: number; onEmptyCanvas: boolean } | undefined;
  /** Set when the hooks refused the wire being dropped: its drop is no drop on the empty canvas. */
  private wireRefused = false;
  private syncing: Promise<void> = Promise.resolve();
  private wanted: { doc: GraphDocument; views: Map<string, NodeView> } | undefined;
  /** What the canvas shows now: a sync of the same document and views is skipped. */
  private shown: { doc: GraphDocument; views: Map<string, NodeView> } | undefined;
  private redrawNext = false;
  private layoutFrame = 0;
  private detailFrame = 0;
  private restTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the view has been fitted or moved yet (see wantsDetailAt). */
  private viewPlaced = false;
  /** The container's size, kept by a ResizeObserver: reading it while panning would force a layout. */
  private viewSize: { width: number; height: number };
  private readonly minimap: Minimap;
  private cleanup: (() => void)[] = [];

  constructor(
    readonly container: HTMLElement,
    private readonly hooks: CanvasHooks,
  ) {
    // Our pipe goes first, so Rete never applies a change the document did not make.
    this.editor.addPipe((ctx) => this.letThroughOwnChanges(ctx));
    this.area = new AreaPlugin<Schemes, never>(container);
    // First of the area's pipes, so every later one sees where a new card really starts.
    this.area.addPipe((ctx) => this.startWhereWanted(ctx));
    this.viewSize = { width: container.clientWidth, height: container.clientHeight };
    this.watchContainerSize();
    const positions = new LayoutSocketPositions(this.editor, this.area);
    this.renderer = new CanvasRenderer(this.editor, this.area, positions);
    const connection = this.connectionPlugin();
    const menu = new ContextMenuPlugin<Schemes>({
      items: (context) => (context === 'root' ? backgroundMenu(this.hooks, { ...this.area.area.pointer }) : nodeMenu(this.hooks, context.id, this.selected)),
    });
    this.editor.use(this.area);
    this.area.use(connection as never);
    this.area.use(this.menuRenderPlugin());
    this.area.use(menu as never);
    positions.attach();
    // Nodes and wires are drawn by our renderer, not by the Svelte plugin (see canvas-render.svelte.ts).
    this.area.addPipe((ctx) => {
      this.renderer.handle(ctx);
      return ctx;
    });
    this.minimap = new Minimap(this.editor, this.area);
    AreaExtensions.simpleNodesOrder(this.area);
    AreaExtensions.restrictor(this.area, { scaling: { min: 0.1, max: 2 } });
    this.area.addPipe((ctx) => {
      this.onAreaSignal(ctx);
      return ctx;
    });
    this.watchPointerDown();
    this.watchDoubleClick();
  }

  // ── setup ──────────────────────────────────────────────────────────────────────────────────

  /** The editor's pipe: Rete's own changes are blocked (a removed wire becomes a request), sync()'s let through. */
  private letThroughOwnChanges(ctx: EditorSignal): EditorSignal | undefined {
    switch (ctx.type) {
      case 'connectionremove':
        if (this.allowed.has(ctx.data.id)) return ctx;
        this.queue({ kind: 'disconnect', edge: edgeOf(ctx.data) });
        return undefined;
      case 'connectioncreate':
      case 'noderemove':
      case 'nodecreate':
        return this.allowed.has(ctx.data.id) ? ctx : undefined;
      default:
        return ctx;
    }
  }

  /**
   * Rete's NodeView translates every new card to (0, 0) from its constructor; sync() then moved it
   * where the document has it, a second translation through every pipe. For a card sync() is
   * adding, that first translation goes where the document has it instead: one translation per
   * card (a fifth of the signals opening a 2,000-node graph sent).
   */
  private startWhereWanted(ctx: AreaSignal): AreaSignal {
    if (ctx.type !== 'nodetranslate') return ctx;
    const { id, position, previous } = ctx.data as { id: string; position: Position; previous: Position };
    const at = this.startAt.get(id);
    if (!at || position.x !== 0 || position.y !== 0 || previous.x !== 0 || previous.y !== 0) return ctx;
    this.startAt.delete(id);
    this.startedWhereWanted.add(id);
    return { ...ctx, data: { ...ctx.data, position: { ...at } } } as AreaSignal;
  }

  /** Keeps viewSize current (read while panning, so never measured then). */
  private watchContainerSize(): void {
    const resizes = new ResizeObserver(() => {
      this.viewSize = { width: this.container.clientWidth, height: this.container.clientHeight };
      this.scheduleDetail();
    });
    resizes.observe(this.container);
    this.cleanup.push(() => resizes.disconnect());
  }

  /** Svelte rendering for the context menu alone (CanvasMenu); nodes and wires are the renderer's. */
  private menuRenderPlugin(): SveltePlugin<Schemes, never> {
    const render = new SveltePlugin<Schemes, never>();
    render.addPreset(menuPreset() as never);
    return render;
  }

  /** Wiring by drag: a wire the hooks refuse is dropped with the reason; an accepted one becomes a connect request. */
  private connectionPlugin(): ConnectionPlugin<Schemes, never> {
    const connection = new ConnectionPlugin<Schemes, never>();
    connection.addPreset(
      () =>
        new ClassicFlow({
          canMakeConnection: (a: SocketData, b: SocketData) => {
            const ends = getSourceTarget(a, b);
            if (!ends) return false;
            const [s, t] = ends;
            const reason = this.hooks.checkWire({ node: s.nodeId, port: s.key }, { node: t.nodeId, port: t.key });
            if (reason) {
              this.wireRefused = true;
              this.hooks.refused(reason);
              // Let go of the dragged wire, or it would keep following the pointer.
              setTimeout(() => connection.drop(), 0);
            }
            return !reason;
          },
          makeConnection: (a: SocketData, b: SocketData) => {
            const ends = getSourceTarget(a, b);
            if (!ends) return false;
            const [s, t] = ends;
            this.queue({ kind: 'connect', from: { node: s.nodeId, port: s.key }, to: { node: t.nodeId, port: t.key } });
            return true;
          },
        }) as never,
    );
    connection.addPipe((ctx) => {
      if (ctx.type === 'connectionpick') this.markSockets(connection, ctx.data.socket);
      if (ctx.type === 'connectiondrop') {
        this.markSockets(connection, undefined);
        const { initial, socket, created } = ctx.data;
        const refused = this.wireRefused;
        this.wireRefused = false;
        const up = this.lastUp;
        if (!created && !socket && !refused && up?.onEmptyCanvas) {
          const dragged = { node: initial.nodeId, port: initial.key, side: initial.side, kind: this.kindOf(initial) } as DraggedEnd;
          this.hooks.quickAdd({ client: { x: up.x, y: up.y }, at: this.toGraph(up.x, up.y), dragged });
        }
      }
      return ctx;
    });
    return connection;
  }

  /** The kind a socket carries: its node's Rete socket is named after it (editor-node.svelte.ts). */
  private kindOf(s: SocketData): TensorKind {
    const node = this.editor.getNode(s.nodeId);
    const port = s.side === 'input' ? node?.inputs[s.key] : node?.outputs[s.key];
    return (port?.socket.name ?? 'feature') as TensorKind;
  }

  /**
   * While a wire is dragged, every socket says whether it could take it (`data-wire-fit`: yes, no,
   * or from for the socket the wire started at) and the container is marked `wiring`, so that the
   * CSS lights the fitting sockets and dims the rest; `initial` undefined clears the marks.
   */
  private markSockets(connection: ConnectionPlugin<Schemes, never>, initial: SocketData | undefined): void {
    // The plugin keeps every rendered socket's element with its data; its type calls the map private.
    const sockets = (connection as unknown as { socketsCache: Map<HTMLElement, SocketData> }).socketsCache;
    this.container.classList.toggle('wiring', !!initial);
    // The dragged wire (drawn by canvas-render.svelte.ts) takes the colour of the socket it left.
    const colour = initial && getComputedStyle(initial.element.querySelector('.lg-socket') ?? initial.element).getPropertyValue('--kind');
    if (colour) this.container.style.setProperty('--wire-kind', colour);
    else this.container.style.removeProperty('--wire-kind');
    const from = initial && { side: initial.side, kind: this.kindOf(initial) };
    for (const [element, data] of sockets) {
      if (!initial || !from) delete element.dataset.wireFit;
      else if (data === initial || (data.nodeId === initial.nodeId && data.key === initial.key && data.side === initial.side)) element.dataset.wireFit = 'from';
      else element.dataset.wireFit = data.nodeId !== initial.nodeId && endFits(from, { side: data.side, kind: this.kindOf(data) }) ? 'yes' : 'no';
    }
  }

  /** The area's signals: picks, drags, clicks on the background (clear the selection) and view moves. */
  private onAreaSignal(ctx: AreaSignal): void {
    switch (ctx.type) {
      case 'nodepicked':
        this.onPicked(ctx.data.id);
        break;
      case 'nodetranslated':
        this.onTranslated(ctx.data.id, ctx.data.position, ctx.data.previous);
        break;
      case 'nodedragged':
        this.onDragEnd();
        break;
      case 'pointerdown':
        if (!(ctx.data.event.target as Element | null)?.closest?.('.lg-node, .lg-underlay-item')) this.backgroundDown = { x: ctx.data.event.clientX, y: ctx.data.event.clientY };
        break;
      case 'pointerup':
        if (this.backgroundDown && Math.hypot(ctx.data.event.clientX - this.backgroundDown.x, ctx.data.event.clientY - this.backgroundDown.y) < CLICK_SLOP_PX) this.hooks.select([], 'replace');
        this.backgroundDown = undefined;
        break;
      case 'zoom':
      case 'translate':
        this.viewMoving();
        break;
      case 'zoomed':
      case 'translated':
        // Frames and comments live in the content layer and pan with it: nothing to lay out.
        this.viewPlaced = true;
        break;
    }
  }

  /**
   * A double-click on the empty canvas opens quick-add there (litegraph's convention) instead of
   * the area's zoom step; on a node, frame or comment it stays theirs.
   */
  private watchDoubleClick(): void {
    const onDouble = (e: MouseEvent) => {
      if ((e.target as Element).closest(NOT_EMPTY_CANVAS)) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      this.hooks.quickAdd({ client: { x: e.clientX, y: e.clientY }, at: this.toGraph(e.clientX, e.clientY) });
    };
    // Where a pointer was let go, seen before the connection plugin handles the drop.
    const onUp = (e: PointerEvent) => {
      const target = e.target as Element | null;
      this.lastUp = { x: e.clientX, y: e.clientY, onEmptyCanvas: !!target && this.container.contains(target) && !target.closest(NOT_EMPTY_CANVAS) };
    };
    this.container.addEventListener('dblclick', onDouble, { capture: true });
    window.addEventListener('pointerup', onUp, { capture: true });
    this.cleanup.push(() => {
      this.container.removeEventListener('dblclick', onDouble, { capture: true });
      window.removeEventListener('pointerup', onUp, { capture: true });
    });
  }

  /** Modifier keys of the pointer that picks a node; and shift-drag on the background draws a box. */
  private watchPointerDown(): void {
    const onDown = (e: PointerEvent) => {
      this.lastPointer = { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey || e.shiftKey, x: e.clientX, y: e.clientY };
      const target = e.target as Element;
      if (e.button !== 0 || !e.shiftKey || target.closest('.lg-node, .lg-underlay-item, .minimap, [data-testid="context-menu"]')) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      this.boxSelect(e);
    };
    this.container.addEventListener('pointerdown', onDown, { capture: true });
    this.cleanup.push(() => this.container.removeEventListener('pointerdown', onDown, { capture: true }));
  }

  // ── user gestures → edit requests ──────────────────────────────────────────────────────────

  private queue(op: CanvasOp): void {
    this.pending.push(op);
    // A gesture's ops (remove the old wire, make the new one) arrive in one task: one commit.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const ops = this.pending;
      this.pending = [];
      if (ops.length) this.hooks.commit(ops);
    }, 0);
  }

  private onPicked(id: string): void {
    if (this.lastPointer.toggle) this.hooks.select([id], 'toggle');
    else if (!this.selected.has(id)) this.hooks.select([id], 'replace');
  }

  private onTranslated(id: string, position: Position, previous: Position): void {
    this.scheduleLayout();
    // Rete's NodeView translates every new card to (0, 0) from its constructor, outside any sync:
    // taken as a drag, a node placed at (0, 0) stayed in `dragged` and the next click moved it,
    // after a document switch a node that no longer exists. A translation that moves nothing is no drag.
    if (this.startedWhereWanted.delete(id) || this.syncMoving.has(id) || (position.x === previous.x && position.y === previous.y)) return;
    const first = this.dragged.size === 0 || !this.dragged.has(id);
    this.dragged.set(id, { ...position });
    // The dragged node leads; the rest of the selection follows by the same step.
    if (first && this.selected.has(id) && this.dragged.size === 1) this.leader = id;
    if (id !== this.leader) return;
    const dx = position.x - previous.x;
    const dy = position.y - previous.y;
    for (const other of this.selected) {
      if (other === id) continue;
      const view = this.area.nodeViews.get(other);
      if (!view) continue;
      void view.translate(view.position.x + dx, view.position.y + dy);
    }
  }
  private leader: string | undefined;

  private onDragEnd(): void {
    this.leader = undefined;
    if (this.dragged.size === 0) return;
    const positions = new Map(this.dragged);
    this.dragged.clear();
    const up = this.lastUp;
    if (up && Math.hypot(up.x - this.lastPointer.x, up.y - this.lastPointer.y) < CLICK_SLOP_PX) {
      // A click, not a move: the nodes go back where the document has them.
      if (this.shown) void this.sync(this.shown.doc, this.shown.views, true);
      return;
    }
    this.queue({ kind: 'move', positions });
  }

  private boxSelect(start: PointerEvent): void {
    const rect = this.container.getBoundingClientRect();
    const x0 = start.clientX - rect.left;
    const y0 = start.clientY - rect.top;
    let box = { x: x0, y: y0, width: 0, height: 0 };
    const move = (e: PointerEvent) => {
      const x1 = e.clientX - rect.left;
      const y1 = e.clientY - rect.top;
      box = { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
      this.hooks.box(box);
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      this.hooks.box(undefined);
      const t = this.area.area.transform;
      const g = { x: (box.x - t.x) / t.k, y: (box.y - t.y) / t.k, width: box.width / t.k, height: box.height / t.k };
      const hits = this.editor.getNodes().filter((n) => {
        const p = this.area.nodeViews.get(n.id)?.position;
        return p && p.x < g.x + g.width && g.x < p.x + n.width && p.y < g.y + g.height && g.y < p.y + n.height;
      });
      if (hits.length) this.hooks.select(hits.map((n) => n.id), 'add');
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  /**
   * While the view pans or zooms, the content layer is its own compositor layer, so a pan step
   * moves pixels already drawn instead of repainting 500 cards and wires. Shortly after the motion
   * stops it becomes a normal layer again, and zoomed text is drawn sharp at the new scale.
   */
  private viewMoving(): void {
    const holder = this.area.area.content.holder;
    holder.style.willChange = 'transform';
    clearTimeout(this.restTimer);
    cancelAnimationFrame(this.detailFrame);
    this.detailFrame = 0;
    this.restTimer = setTimeout(() => {
      holder.style.willChange = '';
      this.scheduleDetail();
    }, VIEW_REST_MS);
  }

  // ── level of detail (detail.ts) ──

  private detailView(nodeCount = this.editor.getNodes().length): DetailView {
    return { visible: visibleRect(this.area.area.transform, this.viewSize.width, this.viewSize.height), zoom: this.area.area.transform.k, nodeCount };
  }

  /** Before the first fit the view is a placeholder: a large graph's cards start plain, not full and dropped. */
  private wantsDetailAt(p: Position | undefined, node: EditorNode, view: DetailView): boolean {
    if (!this.viewPlaced || !p) return view.nodeCount < DETAIL_MIN_NODES;
    return wantsDetail({ x: p.x, y: p.y, width: node.width, height: node.height }, view);
  }

  /** Re-decides every card's detail on the next frame; waits while the view is moving. */
  private scheduleDetail(): void {
    if (this.detailFrame || this.area.area.content.holder.style.willChange) return;
    this.detailFrame = requestAnimationFrame(() => {
      this.detailFrame = 0;
      this.updateDetail();
    });
  }

  private updateDetail(): void {
    const view = this.detailView();
    const upgrades: { node: EditorNode; distance: number }[] = [];
    for (const node of this.editor.getNodes()) {
      const want = this.wantsDetailAt(this.area.nodeViews.get(node.id)?.position, node, view);
      if (want === node.detailed) continue;
      if (!want) {
        node.detailed = false; // plain boxes are cheap: all at once
        this.renderer.update(node);
      }
      else {
        const p = this.area.nodeViews.get(node.id)!.position;
        upgrades.push({ node, distance: distanceToView({ x: p.x, y: p.y, width: node.width, height: node.height }, view.visible) });
      }
    }
    upgrades.sort((a, b) => a.distance - b.distance);
    // Mount each full card now (flushSync) to know what it cost; the rest wait for the next frame.
    const start = performance.now();
    let done = 0;
    while (done < upgrades.length && (done === 0 || performance.now() - start < DETAIL_FRAME_BUDGET_MS)) {
      const { node } = upgrades[done++];
      node.detailed = true;
      this.renderer.update(node);
      flushSync();
    }
    if (done < upgrades.length) this.scheduleDetail();
  }

  private scheduleLayout(): void {
    if (this.layoutFrame) return;
    this.layoutFrame = requestAnimationFrame(() => {
      this.layoutFrame = 0;
      this.hooks.layoutChanged();
    });
  }

  // ── document → canvas ──────────────────────────────────────────────────────────────────────

  /**
   * Shows `doc`. Calls never overlap; when several arrive during a sync, only the last is drawn.
   * The document already shown is not walked again unless `redraw` says the canvas may differ
   * from it (a drag the document did not take).
   */
  sync(doc: GraphDocument, views: Map<string, NodeView>, redraw = false): Promise<void> {
    const first = this.wanted === undefined;
    this.wanted = { doc, views };
    if (redraw) this.redrawNext = true;
    if (first) {
      // A sync that failed does not stop the ones after it.
      this.syncing = this.syncing.catch(() => undefined).then(async () => {
        try {
          while (this.wanted) {
            const next = this.wanted;
            if (this.redrawNext || next.doc !== this.shown?.doc || next.views !== this.shown.views) {
              this.redrawNext = false;
              this.shown = undefined; // a sync that fails half-way shows nothing certain
              await this.apply(next.doc, next.views);
              this.shown = next;
            }
            if (this.wanted === next) this.wanted = undefined;
          }
        } catch (e) {
          this.wanted = undefined;
          throw e;
        }
      });
    }
    return this.syncing;
  }

  private async allow<T>(id: string, run: () => Promise<T>): Promise<T> {
    this.allowed.add(id);
    try {
      return await run();
    } finally {
      this.allowed.delete(id);
    }
  }

  private async removeNodeWithWires(id: string): Promise<void> {
    // A node the document dropped (document switch, undo) is no part of a gesture any more.
    this.dragged.delete(id);
    this.startedWhereWanted.delete(id);
    if (this.leader === id) this.leader = undefined;
    for (const c of this.editor.getConnections()) if (c.source === id || c.target === id) await this.allow(c.id, () => this.editor.removeConnection(c.id));
    await this.allow(id, () => this.editor.removeNode(id));
  }

  private async apply(doc: GraphDocument, views: Map<string, NodeView>): Promise<void> {
    const wantedNodes = new Map(doc.nodes.map((n) => [n.id, n]));
    for (const node of this.editor.getNodes()) if (!wantedNodes.has(node.id)) await this.removeNodeWithWires(node.id);

    for (const n of doc.nodes) {
      const view = views.get(n.id);
      if (!view) continue;
      let node = this.editor.getNode(n.id);
      if (node && node.signature !== portSignature(view)) {
        await this.removeNodeWithWires(n.id);
        node = undefined;
      }
      if (!node) {
        node = new EditorNode(view);
        node.isSelected = this.selected.has(n.id);
        node.detailed = this.wantsDetailAt(n.position, node, this.detailView(doc.nodes.length));
        const added = node;
        this.startAt.set(n.id, n.position);
        try {
          await this.allow(n.id, () => this.editor.addNode(added));
        } finally {
          // Not taken yet (the constructor's translation still on its way): the translate below moves it.
          this.startAt.delete(n.id);
        }
      } else if (node.vm !== view) {
        node.vm = view;
        this.renderer.update(node);
      }
      const current = this.area.nodeViews.get(n.id)?.position;
      if (!current || current.x !== n.position.x || current.y !== n.position.y) {
        this.syncMoving.add(n.id);
        try {
          await this.area.translate(n.id, n.position);
        } finally {
          this.syncMoving.delete(n.id);
        }
      }
    }

    const wantedEdges = new Map(doc.edges.map((e) => [edgeKey(e), e]));
    for (const c of this.editor.getConnections()) if (!wantedEdges.has(c.id)) await this.allow(c.id, () => this.editor.removeConnection(c.id));
    for (const [id, e] of wantedEdges) {
      if (this.editor.getConnection(id)) continue;
      const source = this.editor.getNode(e.from.node);
      const target = this.editor.getNode(e.to.node);
      if (!source?.outputs[e.from.port] || !target?.inputs[e.to.port]) continue;
      await this.allow(id, () => this.editor.addConnection(new EditorWire(source, target, e)));
    }
    this.scheduleLayout();
    this.scheduleDetail();
  }

  setSelection(ids: readonly string[]): void {
    this.selected = new Set(ids);
    for (const node of this.editor.getNodes()) {
      const selected = this.selected.has(node.id);
      if (node.isSelected === selected) continue;
      node.isSelected = selected;
      this.renderer.update(node);
    }
  }

  // ── view ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Zooms and pans so that every node is in view and none lies under the minimap. With `readable`
   * (the first fit of a graph) the zoom stays where titles can be read, and a graph too large for
   * that shows its top-left part; a graph of DETAIL_MIN_NODES or more opens as an overview of
   * plain boxes instead (its cards would be drawn plain at any zoom that shows much of it).
   */
  async fit(readable = false): Promise<void> {
    const nodes = this.editor.getNodes();
    const rects = nodes.flatMap((n) => {
      const p = this.area.nodeViews.get(n.id)?.position;
      return p ? [{ x: p.x, y: p.y, width: n.width, height: n.height }] : [];
    });
    const content = boundsOf(rects);
    if (content) {
      const t = fitTransform(content, this.viewSize, this.minimap.coveredArea(), { padding: FIT_PADDING, maxZoom: 1, minZoom: readable && nodes.length < DETAIL_MIN_NODES ? READABLE_ZOOM : 0 });
      this.area.area.transform.x = t.x;
      this.area.area.transform.y = t.y;
      await this.area.area.zoom(t.k, 0, 0);
    } else {
      // An empty graph: natural size, origin near the top-left corner.
      this.area.area.transform.k = 1;
      await this.area.area.zoom(1, 0, 0);
      await this.area.area.translate(60, 60);
    }
  }

  async zoomBy(factor: number): Promise<void> {
    const { k } = this.area.area.transform;
    const rect = this.container.getBoundingClientRect();
    const t = this.area.area.transform;
    // Zoom about the view centre: keep the graph point under the centre in place.
    const cx = rect.width / 2;
    const cy = rect.height / 2;
    await this.area.area.zoom(k * factor, (cx - t.x) * (1 - factor), (cy - t.y) * (1 - factor));
  }

  /** Scrolls the node into the middle of the view, keeping the zoom. */
  async centerOn(id: string): Promise<void> {
    const node = this.editor.getNode(id);
    const pos = this.area.nodeViews.get(id)?.position;
    if (!node || !pos) return;
    const rect = this.container.getBoundingClientRect();
    const { k } = this.area.area.transform;
    await this.area.area.translate(rect.width / 2 - (pos.x + node.width / 2) * k, rect.height / 2 - (pos.y + node.height / 2) * k);
  }

  /** Graph coordinates of a point on the screen. */
  toGraph(clientX: number, clientY: number): Position {
    const rect = this.container.getBoundingClientRect();
    const t = this.area.area.transform;
    return { x: (clientX - rect.left - t.x) / t.k, y: (clientY - rect.top - t.y) / t.k };
  }

  /** The graph point in the middle of the view. */
  viewCenter(): Position {
    const rect = this.container.getBoundingClientRect();
    return this.toGraph(rect.left + rect.width / 2, rect.top + rect.height / 2);
  }

  /** Hides or shows the minimap (the canvas remembers nothing: Canvas.svelte keeps the choice). */
  set minimapHidden(hidden: boolean) {
    this.minimap.hidden = hidden;
  }

  get zoom(): number {
    return this.area.area.transform.k;
  }

  positionOf(id: string): Position | undefined {
    return this.area.nodeViews.get(id)?.position;
  }

  sizeOf(id: string): { width: number; height: number } | undefined {
    const n = this.editor.getNode(id);
    return n ? { width: n.width, height: n.height } : undefined;
  }

  /** The content layer that pans and zooms with the nodes (frames and comments live there). */
  get contentLayer(): HTMLElement {
    return this.area.area.content.holder;
  }

  destroy(): void {
    for (const f of this.cleanup) f();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.layoutFrame) cancelAnimationFrame(this.layoutFrame);
    cancelAnimationFrame(this.detailFrame);
    clearTimeout(this.restTimer);
    this.minimap.destroy();
    this.renderer.destroy();
    this.area.destroy();
  }
}
