/**
 * Where Fit puts the graph: the zoom and pan that show `content` (graph coordinates) in the part of
 * the canvas the minimap leaves free. Pure, so the rule can be tested without a browser.
 */
import type { Rect } from './minimap.ts';

export interface FitOptions {
  /** Screen pixels kept free around the content. */
  padding: number;
  /** Never zoom in beyond this (a small graph stays at natural size). */
  maxZoom: number;
  /**
   * Never zoom out below this: a large graph is shown from its top-left corner at a zoom where
   * titles can be read, and the rest is reached by scrolling. 0 for a fit of the whole graph.
   */
  minZoom: number;
}

export interface ViewTransform {
  /** screen = graph × k + (x, y) */
  k: number;
  x: number;
  y: number;
}

/**
 * The free rectangles beside a covered corner area: the full-height band left of it and the
 * full-width band above it. Fit uses whichever shows the content larger.
 */
export function freeAreas(view: { width: number; height: number }, covered: Rect | undefined): Rect[] {
  const whole = { x: 0, y: 0, width: view.width, height: view.height };
  if (!covered) return [whole];
  return [
    { x: 0, y: 0, width: Math.max(0, covered.x), height: view.height },
    { x: 0, y: 0, width: view.width, height: Math.max(0, covered.y) },
  ];
}

export function fitTransform(content: Rect, view: { width: number; height: number }, covered: Rect | undefined, options: FitOptions): ViewTransform {
  const { padding, maxZoom, minZoom } = options;
  const zoomIn = (area: Rect) =>
    Math.min(maxZoom, Math.max(0, area.width - 2 * padding) / Math.max(1, content.width), Math.max(0, area.height - 2 * padding) / Math.max(1, content.height));
  let best = freeAreas(view, covered)[0];
  for (const area of freeAreas(view, covered)) if (zoomIn(area) > zoomIn(best)) best = area;
  const k = zoomIn(best);
  if (k < minZoom) {
    // Too large to read whole: its top-left corner at the free area's top-left corner.
    return { k: minZoom, x: best.x + padding - content.x * minZoom, y: best.y + padding - content.y * minZoom };
  }
  return {
    k,
    x: best.x + (best.width - content.width * k) / 2 - content.x * k,
    y: best.y + (best.height - content.height * k) / 2 - content.y * k,
  };
}
