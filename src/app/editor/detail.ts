/**
 * Level of detail for node cards on large graphs. A full card (title, ports with shapes, sockets,
 * badges) is about 30 DOM elements; 500 of them take seconds to mount, style, lay out and paint on
 * a slow machine, and most are either unreadably small or off screen. So on a graph of
 * DETAIL_MIN_NODES or more, a card is drawn in full only when it is readable (zoom at least
 * DETAIL_MIN_ZOOM) and near the view; elsewhere it is a plain box of the same size and colour.
 * Smaller graphs always get full cards.
 */
import type { Rect } from './rect.ts';

export const DETAIL_MIN_NODES = 60;
/** Below this zoom a 13 px title is under 4 px tall: a coloured box says as much. */
export const DETAIL_MIN_ZOOM = 0.3;
/** Cards this far outside the view (as a fraction of its size, each side) are already full when panned in. */
export const DETAIL_MARGIN = 0.5;
/** Milliseconds per animation frame spent turning cards full (nearest the view's centre first), so a zoom-in never stalls for long. */
export const DETAIL_FRAME_BUDGET_MS = 10;

export interface DetailView {
  /** The visible part of the graph, in graph coordinates. */
  visible: Rect;
  zoom: number;
  nodeCount: number;
}

/** Whether the card in `box` (graph coordinates) should be drawn in full. */
export function wantsDetail(box: Rect, view: DetailView): boolean {
  if (view.nodeCount < DETAIL_MIN_NODES) return true;
  if (view.zoom < DETAIL_MIN_ZOOM) return false;
  const { x, y, width, height } = view.visible;
  const mx = width * DETAIL_MARGIN;
  const my = height * DETAIL_MARGIN;
  return box.x < x + width + mx && box.x + box.width > x - mx && box.y < y + height + my && box.y + box.height > y - my;
}

/** Squared distance from the box's centre to the view's centre: full cards are added nearest first. */
export function distanceToView(box: Rect, visible: Rect): number {
  const dx = box.x + box.width / 2 - (visible.x + visible.width / 2);
  const dy = box.y + box.height / 2 - (visible.y + visible.height / 2);
  return dx * dx + dy * dy;
}
