import { describe, expect, it } from 'vitest';
import { ROUTE, roundedPath, routedWirePath, wireGeometry, wireRoute } from './wire-route.ts';

const horizontalOrVertical = (pts: { x: number; y: number }[]) => pts.slice(1).every((p, i) => p.x === pts[i].x || p.y === pts[i].y);

describe('routed wires', () => {
  it('leaves right, turns on the trunk and runs level into the input', () => {
    const route = wireRoute({ x: 0, y: 0 }, { x: 200, y: 100 });
    expect(route).toEqual([{ x: 0, y: 0 }, { x: ROUTE.stub, y: 0 }, { x: ROUTE.stub, y: 100 }, { x: 200, y: 100 }]);
    expect(horizontalOrVertical(route)).toBe(true);
  });

  it('bundles the wires of one output on one trunk, and gives a node\'s outputs trunks apart', () => {
    const a = wireRoute({ x: 0, y: 0 }, { x: 300, y: 80 }, 0);
    const b = wireRoute({ x: 0, y: 0 }, { x: 500, y: -120 }, 0);
    expect(a[1].x).toBe(b[1].x);
    const other = wireRoute({ x: 0, y: 20 }, { x: 300, y: 80 }, 1);
    expect(other[1].x).toBe(a[1].x + ROUTE.laneGap);
  });

  it('routes a wire that goes back around: out right, across at half height, into the input from the left', () => {
    const route = wireRoute({ x: 400, y: 0 }, { x: 100, y: 200 });
    expect(route).toHaveLength(6);
    expect(horizontalOrVertical(route)).toBe(true);
    expect(route[3].y).toBe(100);
    expect(route[4].x).toBe(100 - ROUTE.stub);
    expect(route.at(-1)).toEqual({ x: 100, y: 200 });
  });

  it('draws a level wire straight', () => {
    expect(routedWirePath({ x: 0, y: 5 }, { x: 100, y: 5 })).toBe('M0 5L100 5');
  });

  it('rounds corners, never by more than half a run', () => {
    const d = roundedPath([{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 6 }, { x: 100, y: 6 }]);
    expect(d).toBe('M0 0L17 0Q20 0 20 3L20 3Q20 6 23 6L100 6');
  });

  it('boxes a wire around its route, with the path drawn from the box corner', () => {
    // A wire going back runs left of its input: the box reaches there, and right to the trunk.
    const g = wireGeometry({ x: 400, y: 0 }, { x: 100, y: 200 });
    expect(g).toMatchObject({ left: 100 - ROUTE.stub - 4, top: -4, width: 400 + ROUTE.stub - (100 - ROUTE.stub) + 8, height: 208 });
    // The same path as the unboxed one, moved by the box corner.
    const shifted = routedWirePath({ x: 400 - g.left, y: -g.top }, { x: 100 - g.left, y: 200 - g.top });
    expect(g.d).toBe(shifted);
    const level = wireGeometry({ x: 10, y: 5 }, { x: 110, y: 5 });
    expect(level).toEqual({ left: 6, top: 1, width: 108, height: 8, d: 'M4 4L104 4' });
  });
});
