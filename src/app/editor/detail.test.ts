import { describe, expect, it } from 'vitest';
import { DETAIL_MARGIN, DETAIL_MIN_NODES, DETAIL_MIN_ZOOM, distanceToView, wantsDetail } from './detail.ts';

const visible = { x: 0, y: 0, width: 1000, height: 600 };
const card = (x: number, y: number) => ({ x, y, width: 248, height: 120 });
const large = { visible, zoom: 1, nodeCount: 500 };

describe('wantsDetail', () => {
  it('draws every card in full on a small graph, wherever it is and at any zoom', () => {
    const small = { visible, zoom: 0.05, nodeCount: DETAIL_MIN_NODES - 1 };
    expect(wantsDetail(card(100, 100), small)).toBe(true);
    expect(wantsDetail(card(50_000, -9_000), small)).toBe(true);
  });

  it('draws no card in full below the readable zoom on a large graph', () => {
    expect(wantsDetail(card(100, 100), { ...large, zoom: DETAIL_MIN_ZOOM - 0.01 })).toBe(false);
    expect(wantsDetail(card(100, 100), { ...large, zoom: DETAIL_MIN_ZOOM })).toBe(true);
  });

  it('draws cards in the view and within the margin around it in full, and plain beyond', () => {
    expect(wantsDetail(card(400, 200), large)).toBe(true);
    // Just inside the margin on the right and below; just outside it on the left and above.
    expect(wantsDetail(card(1000 + 1000 * DETAIL_MARGIN - 1, 200), large)).toBe(true);
    expect(wantsDetail(card(400, 600 + 600 * DETAIL_MARGIN - 1), large)).toBe(true);
    expect(wantsDetail(card(-1000 * DETAIL_MARGIN - 248, 200), large)).toBe(false);
    expect(wantsDetail(card(400, -600 * DETAIL_MARGIN - 120), large)).toBe(false);
    expect(wantsDetail(card(5000, 5000), large)).toBe(false);
  });

  it('orders cards by distance from the view centre', () => {
    const near = distanceToView(card(376, 240), visible);
    const far = distanceToView(card(1200, 900), visible);
    expect(near).toBe(0);
    expect(far).toBeGreaterThan(near);
  });
});
