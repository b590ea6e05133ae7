/** An axis-aligned rectangle in graph coordinates (cards, frames, the visible area). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
