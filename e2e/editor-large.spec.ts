/**
 * The editor on a large graph (a generated 500-node graph, bench/large-graph.ts): cards too small
 * to read are drawn as plain boxes, zooming in draws the nearby ones in full, a drag on the
 * background pans, the minimap moves the view, and a moved node's wires follow it. Timings are in
 * bench/editor.ts, never here.
 */
import { expect, test, type Page } from '@playwright/test';
import { largeGraph } from '../bench/large-graph.ts';
import { edgeKey } from '../src/app/editor/edits.ts';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { nodeEl, openApp, shot, watchErrors } from './editor.test-util.ts';

const graph = largeGraph(500);
const transform = (page: Page) => page.locator('[data-testid="canvas"] .rete > div').first().evaluate((el) => el.style.transform);
const scaleOf = (t: string) => Number(/scale\(([\d.]+)\)/.exec(t)?.[1]);
const cards = (page: Page, detail: 'full' | 'compact') => page.locator(`[data-testid="node"][data-detail="${detail}"]`);

test.describe.configure({ timeout: 180_000 });

test('a 500-node graph: plain cards when zoomed out, full ones near the view when zoomed in, pan, minimap, wires follow', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page, '/' + encodeShareHash(graph));
  await expect(page.getByTestId('node')).toHaveCount(graph.nodes.length);
  await expect(page.getByTestId('wire')).toHaveCount(graph.edges.length);
  // Fitted, 500 cards are a few pixels of text each: all plain boxes, no ports drawn.
  expect(scaleOf(await transform(page))).toBeLessThan(0.3);
  await expect(cards(page, 'compact')).toHaveCount(graph.nodes.length);
  await expect(page.locator('[data-testid="port-shape"]')).toHaveCount(0);
  await page.screenshot({ path: shot('editor-large-fitted') });

  // A drag on the empty background pans the view and edits nothing.
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const start = { x: canvas.x + canvas.width / 2, y: canvas.y + canvas.height - 30 };
  // The canvas background itself is under the pointer (no card, no minimap, no notice over it).
  expect(await page.evaluate(([x, y]) => { const el = document.elementFromPoint(x, y); return !!el?.closest('[data-testid="canvas"]') && !el.closest('.lg-node, .minimap'); }, [start.x, start.y])).toBe(true);
  const before = await transform(page);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x - 120, start.y - 60, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => transform(page)).not.toBe(before);
  // The only undo step is still the opening of the link itself (a door is one undo step).
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Open share link (Ctrl+Z)');

  // Zoom in on one node: the cards near the view become full, the far ones stay plain.
  const target = 'n205';
  const box = (await nodeEl(page, target).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 14; i++) await page.mouse.wheel(0, -100);
  await expect.poll(async () => scaleOf(await transform(page))).toBeGreaterThanOrEqual(0.3);
  await expect(nodeEl(page, target)).toHaveAttribute('data-detail', 'full');
  await expect(nodeEl(page, target).locator('[data-testid="port-shape"]').first()).toHaveText(/\d/);
  const full = await cards(page, 'full').count();
  expect(full).toBeGreaterThan(0);
  expect(full).toBeLessThan(graph.nodes.length / 2);
  await page.screenshot({ path: shot('editor-large-zoomed') });

  // Dragging the node carries the ends of its wires along.
  const edge = graph.edges.find((e) => e.to.node === target)!;
  const wire = page.locator(`[data-testid="wire"][data-edge="${edgeKey(edge)}"] path`);
  const pathBefore = await wire.getAttribute('d');
  const header = (await nodeEl(page, target).locator('header').boundingBox())!;
  await page.mouse.move(header.x + 20, header.y + header.height / 2);
  await page.mouse.down();
  await page.mouse.move(header.x + 80, header.y + 90, { steps: 6 });
  await page.mouse.up();
  await expect.poll(() => wire.getAttribute('d')).not.toBe(pathBefore);
  await expect(page.getByTestId('undo')).toBeEnabled();

  // A press on the minimap away from its view frame centres the view there.
  const minimap = (await page.getByTestId('minimap').boundingBox())!;
  const beforeMinimap = await transform(page);
  await page.mouse.click(minimap.x + 6, minimap.y + 6);
  await expect.poll(() => transform(page)).not.toBe(beforeMinimap);
  expect(scaleOf(await transform(page))).toBeCloseTo(scaleOf(beforeMinimap), 5);

  expect(errors).toEqual([]);
});

test('a plain card (zoomed out) is picked, selected and dragged like a full one, and its wires follow', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page, '/' + encodeShareHash(graph));
  const target = 'n205';
  const card = nodeEl(page, target);
  await expect(card).toHaveAttribute('data-detail', 'compact');
  // A plain card has no ports or shapes inside: the renderer draws it without a Svelte component.
  await expect(card.locator('*')).toHaveCount(0);
  const edge = graph.edges.find((e) => e.to.node === target)!;
  const wire = page.locator(`[data-testid="wire"][data-edge="${edgeKey(edge)}"] path`);
  const pathBefore = await wire.getAttribute('d');
  const box = (await card.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(card).toHaveClass(/\bselected\b/);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 30, { steps: 6 });
  await page.mouse.up();
  await expect.poll(() => wire.getAttribute('d')).not.toBe(pathBefore);
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Move node (Ctrl+Z)');
  await expect(card).toHaveAttribute('data-detail', 'compact');
  expect(errors).toEqual([]);
});
