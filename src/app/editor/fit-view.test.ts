import { describe, expect, it } from 'vitest';
import { fitTransform, freeAreas, type ViewTransform } from './fit-view.ts';
import type { Rect } from './minimap.ts';

const onScreen = (r: Rect, t: ViewTransform): Rect => ({ x: r.x * t.k + t.x, y: r.y * t.k + t.y, width: r.width * t.k, height: r.height * t.k });
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('fit', () => {
  const view = { width: 1000, height: 600 };
  const minimap = { x: 760, y: 456, width: 240, height: 144 };

  it('keeps the content out of the minimap, inside the view, and centred in the free band', () => {
    for (const content of [
      { x: 0, y: 0, width: 2000, height: 1200 },
      { x: -300, y: 50, width: 3000, height: 400 },
      { x: 10, y: 10, width: 400, height: 2400 },
    ]) {
      const t = fitTransform(content, view, minimap, { padding: 20, maxZoom: 1, minZoom: 0 });
      const shown = onScreen(content, t);
      expect(overlaps(shown, minimap), JSON.stringify(content)).toBe(false);
      expect(shown.x).toBeGreaterThanOrEqual(0);
      expect(shown.y).toBeGreaterThanOrEqual(0);
      expect(shown.x + shown.width).toBeLessThanOrEqual(view.width + 1e-9);
      expect(shown.y + shown.height).toBeLessThanOrEqual(view.height + 1e-9);
    }
  });

  it('picks the band that shows the content larger: a wide graph goes above the minimap, a tall one beside it', () => {
    expect(freeAreas(view, minimap)).toEqual([
      { x: 0, y: 0, width: 760, height: 600 },
      { x: 0, y: 0, width: 1000, height: 456 },
    ]);
    const wide = fitTransform({ x: 0, y: 0, width: 3000, height: 300 }, view, minimap, { padding: 0, maxZoom: 1, minZoom: 0 });
    expect(wide.k).toBeCloseTo(1000 / 3000);
    const tall = fitTransform({ x: 0, y: 0, width: 300, height: 3000 }, view, minimap, { padding: 0, maxZoom: 1, minZoom: 0 });
    expect(tall.k).toBeCloseTo(600 / 3000);
  });

  it('uses the whole view without a minimap and never zooms in beyond maxZoom', () => {
    const t = fitTransform({ x: 100, y: 100, width: 100, height: 100 }, view, undefined, { padding: 20, maxZoom: 1, minZoom: 0 });
    expect(t).toEqual({ k: 1, x: 350, y: 150 }); // centred: (1000 − 100)/2 − 100
  });

  it('at the minimum zoom shows the top-left corner of a graph too large to read whole', () => {
    const t = fitTransform({ x: -50, y: 30, width: 4000, height: 3000 }, view, minimap, { padding: 20, maxZoom: 1, minZoom: 0.85 });
    expect(t.k).toBe(0.85);
    expect(onScreen({ x: -50, y: 30, width: 0, height: 0 }, t)).toMatchObject({ x: 20, y: 20 });
  });
});
