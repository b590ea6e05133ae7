/**
 * Issue 17, points 4, 2 and 5, at 1280×720 and 1920×1080, light and dark: the default graph is
 * legible on first open, ports show their shapes in numbers (symbolic on hover) without cut
 * labels, Fit keeps nodes out of the minimap, the minimap hides by key and button and stays so
 * after a reload, Arrange keeps group frames around their own nodes, and the litegraph view has no
 * overlapping nodes. Screenshots in e2e/.output/first-sight-*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dropFile, defaultGraphText, nodeEl, openAppAsIs, showLitegraph, shot, watchErrors, type HostCanvas, litegraphCanvas } from './editor.test-util.ts';

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const groups = (JSON.parse(defaultGraphText) as { groups: { id: string; nodes: string[] }[] }).groups;
const nodeIds = (JSON.parse(defaultGraphText) as { nodes: { id: string }[] }).nodes.map((n) => n.id);

/** Every node card's box on the page, by id. */
async function nodeBoxes(page: Page): Promise<Map<string, Box>> {
  const boxes = await page.locator('[data-testid="node"]').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return [(el as HTMLElement).dataset.nodeId!, { x: r.x, y: r.y, width: r.width, height: r.height }] as const;
    }),
  );
  return new Map(boxes);
}

/** A point on the empty canvas background (no card, frame, comment, minimap or button under it). */
async function emptyPoint(page: Page): Promise<{ x: number; y: number }> {
  const at = await page.getByTestId('canvas').evaluate((canvas) => {
    const r = canvas.getBoundingClientRect();
    for (let y = r.top + 20; y < r.bottom - 20; y += 15)
      for (let x = r.left + 20; x < r.right - 20; x += 15) {
        const el = document.elementFromPoint(x, y);
        if (el && canvas.contains(el) && !el.closest('.lg-node, .lg-underlay-item, .minimap, button, .lg-wire')) return { x, y };
      }
    return null;
  });
  if (!at) throw new Error('no empty point on the canvas');
  return at;
}

/** Labels cut short on the full cards now on the canvas ("node: class 'text' scrollWidth > clientWidth"). */
async function cutLabels(page: Page): Promise<string[]> {
  return page.locator('[data-testid="node"][data-detail="full"]').evaluateAll((cards) =>
    cards.flatMap((card) =>
      [...card.querySelectorAll<HTMLElement>('.title, .name, .shape, .badge')]
        .filter((el) => el.scrollWidth > el.clientWidth)
        .map((el) => `${(card as HTMLElement).dataset.nodeId}: ${el.className} '${el.textContent}' ${el.scrollWidth} > ${el.clientWidth}`),
    ),
  );
}

test('the full-size graphs show every port label and shape uncut', async ({ page }) => {
  const errors = watchErrors(page);
  await openAppAsIs(page);
  for (const file of ['lggan-cityscapes.json', 'lggan-ade20k.json', 'lggan-crossview-dayton.json']) {
    const text = readFileSync(new URL(`../graphs/${file}`, import.meta.url), 'utf8');
    await dropFile(page, file, text);
    await expect(page.getByTestId('graph-file')).toHaveText(file);
    const nodes = (JSON.parse(text) as { nodes: unknown[] }).nodes.length;
    await expect(page.locator('[data-testid="node"][data-detail="full"]')).toHaveCount(nodes);
    // The largest shapes: "256×512×105" at full Cityscapes size.
    await expect(page.locator('[data-testid="port-shape"]').first()).toHaveText(/^\d+(×\d+)*$/);
    expect(await cutLabels(page), file).toEqual([]);
  }
  await page.screenshot({ path: shot('first-sight-full-size') });
  expect(errors).toEqual([]);
});

for (const size of [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
]) {
  for (const theme of ['light', 'dark'] as const) {
    const name = `${size.width}x${size.height}-${theme}`;

    test(`first sight ${name}: legible, concrete shapes, minimap out of the way, frames and litegraph without overlaps`, async ({ page }) => {
      test.setTimeout(120_000);
      const errors = watchErrors(page);
      await page.setViewportSize(size);
      await page.addInitScript((t) => localStorage.setItem('lggan-studio.theme', t), theme);
      await openAppAsIs(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      // Cards draw in full once the view is placed.
      await expect(nodeEl(page, 'labels')).toHaveAttribute('data-detail', 'full');
      await page.screenshot({ path: shot(`first-sight-${name}-open`) });

      // ── legible: a title is at least 11 px on screen ──
      const titlePx = await nodeEl(page, 'labels')
        .locator('.title')
        .evaluate((el) => {
          const card = el.closest('.lg-node') as HTMLElement;
          const zoom = card.getBoundingClientRect().width / card.offsetWidth;
          return parseFloat(getComputedStyle(el).fontSize) * zoom;
        });
      expect(titlePx).toBeGreaterThanOrEqual(11);

      // ── concrete shapes on inputs and outputs, symbolic on hover ──
      const input = nodeEl(page, 'encoder').locator('[data-input="x"] [data-testid="port-shape"]');
      const output = nodeEl(page, 'encoder').locator('[data-output="x_encode"] [data-testid="port-shape"]');
      await expect(input).toHaveText('64×128×36');
      await expect(output).toHaveText('16×32×16');
      await expect(output).toHaveAttribute('title', /^H\/4×W\/4×\S+\n1×16×32×16 with the batch$/);
      await expect(input).toHaveAttribute('title', /^H×W×\S+\n1×64×128×36 with the batch$/);
      await output.hover();
      // Wires are routed (wire-route.ts): they leave their sockets level, in horizontal and vertical
      // runs with rounded corners, and the wires of one output share its trunk.
      const paths = await page.locator('[data-testid="wire"] path').evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
      for (const path of paths.slice(0, 5)) {
        const [, y0, y1] = /^M\s*[-\d.]+\s+([-\d.]+)\s*L\s*[-\d.]+\s+([-\d.]+)/.exec(path) ?? [];
        expect(Number(y1)).toBeCloseTo(Number(y0), 3);
        expect(path).not.toContain('C');
      }

      // ── no cut labels at 100 % zoom (scrollWidth is layout size: the canvas zoom does not change it) ──
      expect(await cutLabels(page)).toEqual([]);

      // ── Fit keeps every node out of the minimap ──
      const minimap = page.getByTestId('minimap');
      await expect(minimap).toBeVisible();
      await page.keyboard.press('f');
      await expect.poll(async () => {
        const map = (await minimap.boundingBox())!;
        return [...(await nodeBoxes(page))].filter(([, b]) => overlap(b, map)).map(([id]) => id);
      }).toEqual([]);
      await page.screenshot({ path: shot(`first-sight-${name}-fit`) });

      // ── the minimap hides by key (remembered), and a node where it was takes the click ──
      const mapBox = (await minimap.boundingBox())!;
      await page.keyboard.press('n');
      await expect(minimap).toBeHidden();
      await expect(page.getByTestId('minimap-toggle')).toHaveAttribute('aria-pressed', 'false');
      // Pan the 'trunk' card under where the minimap was (a drag on the background), then click it there.
      const trunk = (await nodeEl(page, 'trunk').boundingBox())!;
      const target = { x: mapBox.x + mapBox.width / 2 - 40, y: mapBox.y + mapBox.height / 2 };
      const from = await emptyPoint(page);
      const to = { x: from.x + target.x - (trunk.x + 40), y: from.y + target.y - (trunk.y + 12) };
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
      await page.mouse.move(to.x, to.y, { steps: 5 });
      await page.mouse.up();
      const moved = (await nodeEl(page, 'trunk').boundingBox())!;
      expect(overlap(moved, { x: target.x, y: target.y, width: 1, height: 1 })).toBe(true);
      await page.mouse.click(target.x, target.y);
      await expect(nodeEl(page, 'trunk')).toHaveClass(/selected/);
      await page.screenshot({ path: shot(`first-sight-${name}-minimap-hidden`) });

      await page.reload();
      await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
      await expect(minimap).toBeHidden();
      // …and shows again by its button, also remembered.
      await page.getByTestId('minimap-toggle').click();
      await expect(minimap).toBeVisible();
      await page.reload();
      await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
      await expect(minimap).toBeVisible();

      // ── it shrinks with the canvas, and a small canvas has none ──
      const fullHeight = (await minimap.boundingBox())!.height;
      await page.setViewportSize({ width: size.width, height: 640 });
      await expect.poll(async () => (await minimap.boundingBox())?.height ?? 0).toBeLessThan(fullHeight);
      await page.setViewportSize({ width: size.width, height: 420 });
      await expect(minimap).toBeHidden();
      await page.setViewportSize(size);
      await expect(minimap).toBeVisible();

      // ── Arrange keeps each group frame around its own nodes ──
      await page.keyboard.press('Shift+A');
      await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Auto-arrange (Ctrl+Z)');
      await expect.poll(async () => {
        const boxes = await nodeBoxes(page);
        const wrong: string[] = [];
        for (const g of groups) {
          const frame = await page.locator(`[data-testid="frame"][data-group="${g.id}"]`).boundingBox();
          if (!frame) return [`no frame for ${g.id}`];
          for (const [id, b] of boxes) if (!g.nodes.includes(id) && overlap(frame, b)) wrong.push(`${g.id} over ${id}`);
        }
        return wrong;
      }).toEqual([]);
      await page.screenshot({ path: shot(`first-sight-${name}-arranged`) });
      await page.keyboard.press('Control+z');
      await expect(page.getByTestId('undo')).not.toHaveAttribute('title', 'Undo Auto-arrange (Ctrl+Z)');

      // ── the litegraph view: no two node rectangles overlap ──
      await showLitegraph(page);
      const liteBoxes = await litegraphCanvas(page).evaluate((el, ids) => {
        const host = (el as HostCanvas).litegraphHost;
        return ids.map((id) => {
          const n = host.nodeOf(id)!;
          return { id, x: n.pos[0], y: n.pos[1] - 30, width: n.size[0], height: n.size[1] + 30 };
        });
      }, nodeIds);
      const liteOverlaps = liteBoxes.flatMap((a, i) => liteBoxes.slice(i + 1).filter((b) => overlap(a, b)).map((b) => `${a.id} × ${b.id}`));
      expect(liteOverlaps).toEqual([]);
      await page.screenshot({ path: shot(`first-sight-${name}-litegraph`) });
      // Showing the spread-out litegraph layout is no edit.
      await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Nothing to undo');

      expect(errors).toEqual([]);
    });
  }
}
