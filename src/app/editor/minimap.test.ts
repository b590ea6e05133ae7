import { describe, expect, it } from 'vitest';
import { boundsOf, MINIMAP_HIDDEN_KEY, MINIMAP_MARGIN, minimapArea, minimapLayout, minimapSize, nodeLayerKey, readMinimapHidden, visibleRect, writeMinimapHidden } from './minimap.ts';

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

describe('minimap size and place', () => {
  it('shrinks with the canvas and leaves a small canvas without one', () => {
    expect(minimapSize({ width: 1920, height: 900 })).toEqual({ width: 256, height: 120 });
    const medium = minimapSize({ width: 1000, height: 400 })!;
    expect(medium.height).toBe(80);
    expect(medium.width).toBe(200);
    // 1280×720 with the Run panel open leaves a canvas about 250 px tall: no minimap.
    expect(minimapSize({ width: 1000, height: 250 })).toBeUndefined();
    expect(minimapSize({ width: 400, height: 700 })).toBeUndefined();
  });

  it('covers the bottom-right corner with its margins', () => {
    expect(minimapArea({ width: 1000, height: 600 }, { width: 200, height: 100 })).toEqual({
      x: 1000 - 200 - 2 * MINIMAP_MARGIN,
      y: 600 - 100 - 2 * MINIMAP_MARGIN,
      width: 200 + 2 * MINIMAP_MARGIN,
      height: 100 + 2 * MINIMAP_MARGIN,
    });
  });

  it('remembers being hidden; storage that throws reads as shown and refuses quietly', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(readMinimapHidden(storage)).toBe(false);
    writeMinimapHidden(storage, true);
    expect(map.get(MINIMAP_HIDDEN_KEY)).toBe('true');
    expect(readMinimapHidden(storage)).toBe(true);
    writeMinimapHidden(storage, false);
    expect(readMinimapHidden(storage)).toBe(false);
    const broken = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
    };
    expect(readMinimapHidden(broken)).toBe(false);
    expect(() => writeMinimapHidden(broken, true)).not.toThrow();
    expect(readMinimapHidden(undefined)).toBe(false);
  });
});

describe('minimap node layer', () => {
  const graph = { x: 0, y: 0, width: 8000, height: 2000 };
  const size = { width: 250, height: 100 };
  const keyFor = (version: number, view: { x: number; y: number; width: number; height: number }) =>
    nodeLayerKey(version, minimapLayout(boundsOf([graph, view])!, size.width, size.height), size, '#5d6778');

  it('is drawn once while the view moves inside the graph', () => {
    expect(keyFor(1, { x: 100, y: 100, width: 900, height: 600 })).toBe(keyFor(1, { x: 3000, y: 800, width: 900, height: 600 }));
  });

  it('is drawn again when a node changes, or the view leaves the graph (the layout changes)', () => {
    const inside = keyFor(1, { x: 100, y: 100, width: 900, height: 600 });
    expect(keyFor(2, { x: 100, y: 100, width: 900, height: 600 })).not.toBe(inside);
    expect(keyFor(1, { x: -2000, y: 100, width: 900, height: 600 })).not.toBe(inside);
  });
});
