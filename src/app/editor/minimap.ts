/**
 * The canvas minimap: every node as a rectangle and the visible area as a frame, drawn on one
 * <canvas> at most once per animation frame. Dragging the frame pans the view; pressing anywhere
 * else centres the view there (and the drag goes on from there).
 *
 * Rete's minimap plugin re-renders a Svelte element per node on every pan/zoom step and reads the
 * container's width once per node and coordinate (a forced layout each), which cost seconds while
 * opening and most of every frame while panning a 500-node graph.
 */
import type { AreaPlugin } from 'rete-area-plugin';
import type { NodeEditor } from 'rete';
import type { Schemes } from './editor-node.svelte.ts';
import { afterNextPaint } from '../after-paint.ts';
import { DETAIL_MIN_NODES } from './detail.ts';
import type { Rect } from './rect.ts';

/** From this many nodes (those of a graph that opens as an overview), the first node layer waits for a paint. */
const DEFER_FIRST_LAYER_NODES = DETAIL_MIN_NODES;

export type { Rect } from './rect.ts';

/** Maps graph coordinates into a minimap of the given pixel size, fitting `content` with a margin. */
export interface MinimapLayout {
  scale: number;
  /** Minimap pixel = (graph − origin) × scale. */
  origin: { x: number; y: number };
}

/** The smallest box holding all the rectangles; undefined for none. */
export function boundsOf(rects: Iterable<Rect>): Rect | undefined {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const r of rects) {
    left = Math.min(left, r.x);
    top = Math.min(top, r.y);
    right = Math.max(right, r.x + r.width);
    bottom = Math.max(bottom, r.y + r.height);
  }
  return left === Infinity ? undefined : { x: left, y: top, width: right - left, height: bottom - top };
}

/** Fits `content` (graph coordinates) into `width`×`height` minimap pixels, centred, with `margin` pixels free on every side. */
export function minimapLayout(content: Rect, width: number, height: number, margin = 4): MinimapLayout {
  const w = Math.max(1, width - 2 * margin);
  const h = Math.max(1, height - 2 * margin);
  const scale = Math.min(w / Math.max(content.width, 1), h / Math.max(content.height, 1));
  return {
    scale,
    origin: {
      x: content.x + content.width / 2 - width / 2 / scale,
      y: content.y + content.height / 2 - height / 2 / scale,
    },
  };
}

/** The graph rectangle the area shows, from its transform (screen = graph × k + t) and pixel size. */
export function visibleRect(transform: { x: number; y: number; k: number }, width: number, height: number): Rect {
  return { x: -transform.x / transform.k, y: -transform.y / transform.k, width: width / transform.k, height: height / transform.k };
}

/**
 * What the minimap's node layer depends on: the nodes (their version: bumped whenever one is added,
 * removed or moved), the layout, the pixel size and the colour. While this stays the same (a pan or
 * zoom that keeps the view inside the graph's bounds), a frame copies the layer drawn before instead
 * of drawing every node again: 2,000 rectangles a frame were a third of a pan frame's work.
 */
export function nodeLayerKey(version: number, layout: MinimapLayout, size: { width: number; height: number }, colour: string): string {
  return `${version} ${layout.scale} ${layout.origin.x} ${layout.origin.y} ${size.width}×${size.height} ${colour}`;
}

/** Pixels between the minimap and the canvas's right and bottom edges (Canvas.svelte places it there). */
export const MINIMAP_MARGIN = 12;
const MAX_HEIGHT = 120;
/** Below this the minimap is too small to aim at: a canvas under 280 px tall has none. */
const MIN_HEIGHT = 56;
/** A canvas narrower than this has no minimap: it would take most of the width. */
const MIN_VIEW_WIDTH = 420;

/**
 * The minimap's size for a canvas of this size: a fifth of its height up to 120 px, as wide as the
 * canvas's aspect (1 to 2.5×); none on a small canvas (e.g. with the Run panel open at 1280×720).
 */
export function minimapSize(view: { width: number; height: number }): { width: number; height: number } | undefined {
  const height = Math.min(MAX_HEIGHT, Math.round(view.height / 5));
  if (height < MIN_HEIGHT || view.width < MIN_VIEW_WIDTH) return undefined;
  const aspect = Math.min(2.5, Math.max(1, view.width / Math.max(1, view.height)));
  return { width: Math.round(height * aspect), height };
}

/** The part of the canvas (container pixels) the minimap covers with its margins; Fit keeps nodes out of it. */
export function minimapArea(view: { width: number; height: number }, size: { width: number; height: number }): Rect {
  const width = size.width + 2 * MINIMAP_MARGIN;
  const height = size.height + 2 * MINIMAP_MARGIN;
  return { x: view.width - width, y: view.height - height, width, height };
}

/** Where the user's choice to hide the minimap is remembered. */
export const MINIMAP_HIDDEN_KEY = 'lggan-studio.minimap-hidden';

type FlagStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Whether the user hid the minimap; storage that throws (private windows) reads as shown. */
export function readMinimapHidden(storage: FlagStorage | undefined): boolean {
  try {
    return storage?.getItem(MINIMAP_HIDDEN_KEY) === 'true';
  } catch {
    return false;
  }
}

/** Remembers the choice; storage that refuses it leaves the choice for this page only. */
export function writeMinimapHidden(storage: FlagStorage | undefined, hidden: boolean): void {
  try {
    storage?.setItem(MINIMAP_HIDDEN_KEY, String(hidden));
  } catch {
    // not remembered, still applied
  }
}

export class Minimap {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private frame = 0;
  private destroyed = false;
  private viewSize: { width: number; height: number };
  /** The minimap's own size in CSS pixels; undefined when the canvas is too small for one. */
  private size: { width: number; height: number } | undefined;
  private hiddenByUser = false;
  private colours = { node: '#5d6778', view: '#3557d4' };
  private layout: MinimapLayout | undefined;
  private cleanup: (() => void)[] = [];
  /** Bumped when a node is added, removed or moved: the cached rectangles and node layer are stale. */
  private nodesVersion = 0;
  private nodeCache: { version: number; rects: Rect[]; bounds: Rect | undefined } | undefined;
  /** The nodes drawn once for a layout (nodeLayerKey), copied onto the minimap each frame. */
  private readonly layer = document.createElement('canvas');
  private layerKey = '';
  /** Whether the first node layer was put off until after a paint (see draw). */
  private layerDeferred = false;

  constructor(
    private readonly editor: NodeEditor<Schemes>,
    private readonly area: AreaPlugin<Schemes, never>,
  ) {
    const container = area.container;
    this.viewSize = { width: container.clientWidth, height: container.clientHeight };
    this.element = document.createElement('div');
    this.element.className = 'minimap';
    this.element.dataset.testid = 'minimap';
    Object.assign(this.element.style, { position: 'absolute', overflow: 'hidden', zIndex: '2', touchAction: 'none' });
    this.canvas = document.createElement('canvas');
    Object.assign(this.canvas.style, { display: 'block', width: '100%', height: '100%' });
    this.element.append(this.canvas);
    container.append(this.element);
    this.resize();

    area.addPipe((ctx) => {
      if (this.destroyed) return ctx;
      switch (ctx.type) {
        case 'nodecreated':
        case 'noderemoved':
        case 'nodetranslated':
          this.nodesVersion++;
          this.schedule();
          break;
        case 'translated':
        case 'zoomed':
          this.schedule();
      }
      return ctx;
    });

    // Sizes come from observers, never from reads while drawing: a read after a pan step forces a layout.
    const resizes = new ResizeObserver(() => {
      this.viewSize = { width: container.clientWidth, height: container.clientHeight };
      this.resize();
    });
    resizes.observe(container);
    const theme = new MutationObserver(() => this.readColours());
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
    this.readColours();
    this.element.addEventListener('pointerdown', this.onPointerDown);
    this.element.addEventListener('dblclick', stop);
    this.element.addEventListener('contextmenu', stop);
    this.cleanup.push(
      () => resizes.disconnect(),
      () => theme.disconnect(),
    );
  }

  /** Redraws on the next animation frame; many changes in one frame draw once. */
  schedule(): void {
    if (this.frame || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Hides or shows the minimap (the user's choice; the canvas's size may still leave none). */
  set hidden(hidden: boolean) {
    this.hiddenByUser = hidden;
    this.resize();
  }

  get hidden(): boolean {
    return this.hiddenByUser;
  }

  /** The canvas area the minimap covers now (container pixels), or undefined when none is shown. */
  coveredArea(): Rect | undefined {
    return this.shown() ? minimapArea(this.viewSize, this.size!) : undefined;
  }

  private shown(): boolean {
    return !this.hiddenByUser && this.size !== undefined;
  }

  private resize(): void {
    this.size = minimapSize(this.viewSize);
    // display:none, so a node under where the minimap was takes the clicks.
    this.element.style.display = this.shown() ? '' : 'none';
    if (!this.size) return;
    const { width, height } = this.size;
    this.element.style.width = `${width}px`;
    this.element.style.height = `${height}px`;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = this.layer.width = Math.round(width * dpr);
    this.canvas.height = this.layer.height = Math.round(height * dpr);
    this.layerKey = '';
    this.schedule();
  }

  private readColours(): void {
    const style = getComputedStyle(this.area.container);
    this.colours = {
      node: style.getPropertyValue('--text-muted').trim() || this.colours.node,
      view: style.getPropertyValue('--accent').trim() || this.colours.view,
    };
    this.schedule();
  }

  /** Every node's rectangle and their bounds, walked again only after a node changed. */
  private nodes(): { version: number; rects: Rect[]; bounds: Rect | undefined } {
    if (this.nodeCache?.version === this.nodesVersion) return this.nodeCache;
    const rects: Rect[] = [];
    for (const node of this.editor.getNodes()) {
      const p = this.area.nodeViews.get(node.id)?.position;
      if (p) rects.push({ x: p.x, y: p.y, width: node.width, height: node.height });
    }
    return (this.nodeCache = { version: this.nodesVersion, rects, bounds: boundsOf(rects) });
  }

  private draw(): void {
    if (!this.shown()) return;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.size!;
    const dpr = this.canvas.width / width;
    const nodes = this.nodes();
    const view = visibleRect(this.area.area.transform, this.viewSize.width, this.viewSize.height);
    const content = boundsOf(nodes.bounds ? [nodes.bounds, view] : [view])!;
    const layout = (this.layout = minimapLayout(content, width, height));
    const key = nodeLayerKey(this.nodesVersion, layout, this.size!, this.colours.node);
    if (key !== this.layerKey) {
      // The first node layer of a large graph is drawn after the frame that first shows the
      // graph is painted (~80 ms for 2,000 nodes on a software renderer); until then, none.
      if (this.layerKey === '' && nodes.rects.length >= DEFER_FIRST_LAYER_NODES && !this.layerDeferred) {
        this.layerDeferred = true;
        this.cleanup.push(afterNextPaint(() => this.schedule()));
      } else this.drawNodeLayer(nodes.rects, layout, dpr, key);
    }
    const { scale, origin } = layout;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.layer, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const v = { x: (view.x - origin.x) * scale, y: (view.y - origin.y) * scale, width: view.width * scale, height: view.height * scale };
    ctx.globalAlpha = 0.14;
    ctx.fillStyle = this.colours.view;
    ctx.fillRect(v.x, v.y, v.width, v.height);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = this.colours.view;
    ctx.lineWidth = 1;
    ctx.strokeRect(v.x + 0.5, v.y + 0.5, Math.max(0, v.width - 1), Math.max(0, v.height - 1));
  }

  private drawNodeLayer(rects: Rect[], { scale, origin }: MinimapLayout, dpr: number, key: string): void {
    const ctx = this.layer.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.layer.width, this.layer.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = this.colours.node;
    for (const r of rects) ctx.fillRect((r.x - origin.x) * scale, (r.y - origin.y) * scale, Math.max(1, r.width * scale), Math.max(1, r.height * scale));
    this.layerKey = key;
  }

  /** Minimap pixel (relative to the element) → graph point, with the layout of the last drawing. */
  private toGraph(px: number, py: number): { x: number; y: number } | undefined {
    const l = this.layout;
    return l && { x: px / l.scale + l.origin.x, y: py / l.scale + l.origin.y };
  }

  private onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    e.stopPropagation();
    e.preventDefault();
    const box = this.element.getBoundingClientRect();
    const at = this.toGraph(e.clientX - box.left, e.clientY - box.top);
    if (!at) return;
    const t = this.area.area.transform;
    const view = visibleRect(t, this.viewSize.width, this.viewSize.height);
    const inside = at.x >= view.x && at.x <= view.x + view.width && at.y >= view.y && at.y <= view.y + view.height;
    // Outside the frame: centre the view on the point first, then drag from there. (The area
    // applies a translation after its async pipes, so the start is the target, not a read-back.)
    const from = inside ? { x: t.x, y: t.y } : { x: this.viewSize.width / 2 - at.x * t.k, y: this.viewSize.height / 2 - at.y * t.k };
    if (!inside) void this.area.area.translate(from.x, from.y);
    // The layout is held for the drag, so the frame follows the pointer 1:1 while the content bounds change.
    const layout = this.layout!;
    const start = { x: e.clientX, y: e.clientY, tx: from.x, ty: from.y };
    this.element.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent) => {
      const k = this.area.area.transform.k;
      void this.area.area.translate(start.tx - ((m.clientX - start.x) / layout.scale) * k, start.ty - ((m.clientY - start.y) / layout.scale) * k);
    };
    const up = () => {
      this.element.removeEventListener('pointermove', move);
      this.element.removeEventListener('pointerup', up);
      this.element.removeEventListener('pointercancel', up);
    };
    this.element.addEventListener('pointermove', move);
    this.element.addEventListener('pointerup', up);
    this.element.addEventListener('pointercancel', up);
  };

  destroy(): void {
    this.destroyed = true;
    if (this.frame) cancelAnimationFrame(this.frame);
    for (const f of this.cleanup) f();
    this.element.remove();
  }
}

function stop(e: Event): void {
  e.stopPropagation();
  e.preventDefault();
}
