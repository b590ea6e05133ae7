import { describe, expect, it } from 'vitest';
import { boundsOf, minimapLayout, visibleRect } from './minimap.ts';

describe('minimap geometry', () => {
  it('bounds the rectangles it is given, and nothing for none', () => {
    expect(boundsOf([])).toBeUndefined();
    expect(
      boundsOf([
        { x: 10, y: 20, width: 100, height: 50 },
        { x: -40, y: 60, width: 20, height: 200 },
      ]),
    ).toEqual({ x: -40, y: 20, width: 150, height: 240 });
  });

  it('fits the content inside the margin, centred, keeping its aspect', () => {
    const content = { x: 100, y: 50, width: 2000, height: 500 };
    const { scale, origin } = minimapLayout(content, 200, 120, 4);
    expect(scale).toBeCloseTo(192 / 2000);
    const toMap = (x: number, y: number) => [(x - origin.x) * scale, (y - origin.y) * scale];
    const [left, top] = toMap(content.x, content.y);
    const [right, bottom] = toMap(content.x + content.width, content.y + content.height);
    expect(left).toBeCloseTo(4);
    expect(right).toBeCloseTo(196);
    // Vertically centred: equal space above and below.
    expect(top).toBeCloseTo(120 - bottom);
  });

  it('survives empty or degenerate content without dividing by zero', () => {
    const { scale, origin } = minimapLayout({ x: 5, y: 5, width: 0, height: 0 }, 100, 80);
    expect(Number.isFinite(scale)).toBe(true);
    expect(Number.isFinite(origin.x) && Number.isFinite(origin.y)).toBe(true);
  });

  it('maps the area transform to the graph rectangle on screen', () => {
    // screen = graph × k + t, so the screen's corner (0, 0) is graph (−t/k).
    expect(visibleRect({ x: -200, y: 100, k: 0.5 }, 800, 600)).toEqual({ x: 400, y: -200, width: 1600, height: 1200 });
  });
});
