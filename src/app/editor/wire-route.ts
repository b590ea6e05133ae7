/**
 * How a wire is drawn on the Rete canvas: routed in horizontal and vertical runs with rounded
 * corners instead of one long curve, so that wires do not cross the canvas as a mesh.
 *
 * Every wire leaves its socket to the right and turns down or up on a *trunk* a little right of
 * it; all wires of one output share that trunk, so an output that feeds many inputs reads as one
 * line that branches (bundled), and the outputs of one node get trunks apart (`lane`). A wire
 * whose target is right of the trunk then runs level into its input; one that goes back (target
 * left of its source) turns at half height, runs left, and comes down to enter its input from the
 * left, as every wire does.
 */
export interface Point {
  x: number;
  y: number;
}

export const ROUTE = {
  /** Distance from a socket to the first trunk, and from the last turn into an input. */
  stub: 20,
  /** Distance between the trunks of a node's outputs. */
  laneGap: 8,
  /** Corner radius. */
  radius: 10,
} as const;

/** The corners of the route from an output at `start` to an input at `end`; `lane` is the output's index on its node. */
export function wireRoute(start: Point, end: Point, lane = 0): Point[] {
  const trunk = start.x + ROUTE.stub + ROUTE.laneGap * Math.max(0, Math.min(lane, 12));
  if (Math.abs(end.y - start.y) < 1 && end.x >= start.x) return [start, end];
  if (end.x >= trunk + ROUTE.stub) {
    return [start, { x: trunk, y: start.y }, { x: trunk, y: end.y }, end];
  }
  const back = end.x - ROUTE.stub;
  const middle = (start.y + end.y) / 2;
  return [start, { x: trunk, y: start.y }, { x: trunk, y: middle }, { x: back, y: middle }, { x: back, y: end.y }, end];
}

const n = (v: number) => Math.round(v * 100) / 100;

/** An SVG path through the corners, each rounded with a quadratic curve of at most ROUTE.radius. */
export function roundedPath(points: readonly Point[], radius: number = ROUTE.radius): string {
  if (points.length === 0) return '';
  let d = `M${n(points[0].x)} ${n(points[0].y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, p, b] = [points[i - 1], points[i], points[i + 1]];
    const inLen = Math.hypot(p.x - a.x, p.y - a.y);
    const outLen = Math.hypot(b.x - p.x, b.y - p.y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    if (r <= 0) continue;
    const from = { x: p.x - ((p.x - a.x) / inLen) * r, y: p.y - ((p.y - a.y) / inLen) * r };
    const to = { x: p.x + ((b.x - p.x) / outLen) * r, y: p.y + ((b.y - p.y) / outLen) * r };
    d += `L${n(from.x)} ${n(from.y)}Q${n(p.x)} ${n(p.y)} ${n(to.x)} ${n(to.y)}`;
  }
  const last = points[points.length - 1];
  return `${d}L${n(last.x)} ${n(last.y)}`;
}

export function routedWirePath(start: Point, end: Point, lane = 0): string {
  return roundedPath(wireRoute(start, end, lane));
}

/** Pixels around a route's corners that its box keeps free: the stroke and the rounded corners stay inside. */
const BOX_MARGIN = 4;

/**
 * A wire drawn in a box of its own: the box (graph coordinates) around every corner of its route,
 * and the path relative to the box's top-left corner. A wire's <svg> spans only its route, so the
 * browser's hit tests and paint skip the wires away from a point (a 9999-pixel <svg> per wire put
 * every wire under every pointer position).
 */
export function wireGeometry(start: Point, end: Point, lane = 0): { left: number; top: number; width: number; height: number; d: string } {
  const points = wireRoute(start, end, lane);
  const left = Math.min(...points.map((p) => p.x)) - BOX_MARGIN;
  const top = Math.min(...points.map((p) => p.y)) - BOX_MARGIN;
  const right = Math.max(...points.map((p) => p.x)) + BOX_MARGIN;
  const bottom = Math.max(...points.map((p) => p.y)) + BOX_MARGIN;
  return { left, top, width: right - left, height: bottom - top, d: roundedPath(points.map((p) => ({ x: p.x - left, y: p.y - top }))) };
}
