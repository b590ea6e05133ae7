/**
 * Issue 17, points 3 and 10, at 1280×720 and 1920×1080: quick-add by double-click and by a wire
 * dropped on the empty canvas, the "/" key, sockets lit and dimmed while a wire is dragged, the
 * app-styled context menu (light and dark) kept inside the window, and the first Ctrl+Z after a
 * click on the canvas undoing. Screenshots go to e2e/.output/quick-add-*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { nodeEl, openApp, shot, watchErrors } from './editor.test-util.ts';

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

const nodeIds = (page: Page) => page.locator('[data-testid="node"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.nodeId!));

/** The one node id in `after` that is not in `before`. */
function added(before: string[], after: string[]): string {
  const fresh = after.filter((id) => !before.includes(id));
  if (fresh.length !== 1) throw new Error(`expected one new node, got ${JSON.stringify(fresh)}`);
  return fresh[0];
}

/**
 * A point on the empty canvas (no node, frame, comment or minimap under it), searched on a grid
 * from the given corner of the canvas, so a journey does not depend on where Fit put the nodes.
 */
async function emptySpot(page: Page, from: 'bottom-left' | 'top-right' | 'bottom-right' = 'bottom-left'): Promise<{ x: number; y: number }> {
  const spot = await page.getByTestId('canvas').evaluate((canvas, corner) => {
    const r = canvas.getBoundingClientRect();
    const xs = Array.from({ length: 16 }, (_, i) => r.left + 40 + (i * (r.width - 80)) / 15);
    const ys = Array.from({ length: 12 }, (_, i) => r.top + 40 + (i * (r.height - 80)) / 11);
    if (corner !== 'top-right' && corner !== 'bottom-right') xs.sort((a, b) => a - b);
    else xs.sort((a, b) => b - a);
    if (corner === 'top-right') ys.sort((a, b) => a - b);
    else ys.sort((a, b) => b - a);
    for (const y of ys)
      for (const x of xs) {
        // 60 px of room around the point, so a card's shadow or socket is not the thing clicked
        const clear = [-30, 0, 30].every((dx) =>
          [-30, 0, 30].every((dy) => {
            const el = document.elementFromPoint(x + dx, y + dy);
            return el && canvas.contains(el) && !el.closest('.lg-node, .lg-underlay-item, .minimap, [data-testid="context-menu"], .refusal');
          }),
        );
        if (clear) return { x, y };
      }
    return undefined;
  }, from);
  if (!spot) throw new Error('no empty spot on the canvas');
  return spot;
}

async function centreOf(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function setTheme(page: Page, theme: 'light' | 'dark') {
  const html = page.locator('html');
  if ((await html.getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveAttribute('data-theme', theme);
}

for (const size of SIZES) {
  const tag = `${size.width}x${size.height}`;

  test.describe(`at ${tag}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.setViewportSize(size);
    });

    test('double-click on the empty canvas, type, Enter: the node is added at that point, one undo step', async ({ page }) => {
      const errors = watchErrors(page);
      await openApp(page);
      const before = await nodeIds(page);
      const at = await emptySpot(page);
      await page.mouse.dblclick(at.x, at.y);
      const box = page.getByTestId('quick-add');
      await expect(box).toBeVisible();
      await expect(page.getByTestId('quick-add-search')).toBeFocused();
      await page.keyboard.type('instance norm');
      await expect(box.getByTestId('quick-add-item').first()).toHaveAttribute('data-type', 'core/instance-norm');
      await page.screenshot({ path: shot(`quick-add-search-${tag}-light`) });
      await page.keyboard.press('Enter');
      await expect(box).toHaveCount(0);
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length + 1);
      const id = added(before, await nodeIds(page));
      const card = (await nodeEl(page, id).boundingBox())!;
      // The card's top-left corner sits just above and left of the point: the point is on the card.
      expect(at.x).toBeGreaterThan(card.x);
      expect(at.x).toBeLessThan(card.x + card.width);
      expect(at.y).toBeGreaterThan(card.y);
      expect(at.y).toBeLessThan(card.y + card.height);
      await page.getByTestId('undo').click();
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length);

      // Arrows move the highlight; Escape closes without adding.
      await page.mouse.dblclick(at.x, at.y);
      await page.keyboard.type('conv');
      const items = box.getByTestId('quick-add-item');
      await expect(items.first()).toHaveAttribute('aria-selected', 'true');
      await page.keyboard.press('ArrowDown');
      await expect(items.nth(1)).toHaveAttribute('aria-selected', 'true');
      await page.keyboard.press('Escape');
      await expect(box).toHaveCount(0);
      expect((await nodeIds(page)).length).toBe(before.length);

      // Dark, opened near the bottom edge: the box opens above the point, inside the canvas.
      await setTheme(page, 'dark');
      await page.mouse.dblclick(at.x, at.y);
      await page.keyboard.type('up');
      const r = (await box.boundingBox())!;
      const canvas = (await page.getByTestId('canvas').boundingBox())!;
      expect(r.y).toBeGreaterThanOrEqual(canvas.y);
      expect(r.y + r.height).toBeLessThanOrEqual(canvas.y + canvas.height);
      await page.screenshot({ path: shot(`quick-add-search-${tag}-dark`) });
      // Scrolling its list keeps it open; zooming the canvas under it closes it (its point moved).
      await box.getByTestId('quick-add-item').first().hover();
      await page.mouse.wheel(0, 100);
      await expect(box).toBeVisible();
      await page.mouse.move(at.x, at.y);
      await page.mouse.wheel(0, 100);
      await expect(box).toHaveCount(0);
      expect(errors).toEqual([]);
    });

    test('a wire dropped on the empty canvas: sockets lit and dimmed while dragging, then a search of fitting types only, and the pick arrives wired', async ({ page }) => {
      const errors = watchErrors(page);
      await openApp(page);
      const before = await nodeIds(page);
      const wiresBefore = await page.getByTestId('wire').count();
      const from = await centreOf(page, '[data-node-id="labels"] [data-output="semantic"] .lg-sock');
      const to = await emptySpot(page, 'top-right');
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 6 });
      await page.mouse.move(to.x, to.y, { steps: 6 });

      // While dragging: the wire follows the pointer; sockets that take a semantic map are lit, the rest dimmed.
      await expect(page.getByTestId('wire-dragged')).toHaveCount(1);
      await expect(page.locator('.rete.wiring')).toHaveCount(1);
      await expect(page.locator('[data-node-id="global"] [data-input="semantic"] .lg-sock')).toHaveAttribute('data-wire-fit', 'yes');
      await expect(page.locator('[data-node-id="fusion"] [data-input="local"] .lg-sock')).toHaveAttribute('data-wire-fit', 'no'); // an image port
      await expect(page.locator('[data-node-id="encoder"] [data-output="features"] .lg-sock')).toHaveAttribute('data-wire-fit', 'no'); // an output
      await expect(page.locator('[data-node-id="labels"] [data-output="semantic"] .lg-sock')).toHaveAttribute('data-wire-fit', 'from');
      const dimmed = await page.locator('[data-wire-fit="no"] .lg-socket').first().evaluate((el) => getComputedStyle(el).opacity);
      expect(Number(dimmed)).toBeLessThan(0.5);
      await page.screenshot({ path: shot(`quick-add-dragging-${tag}-light`) });

      await page.mouse.up();
      await expect(page.locator('.rete.wiring')).toHaveCount(0);
      await expect(page.locator('[data-wire-fit]')).toHaveCount(0);
      const box = page.getByTestId('quick-add');
      await expect(box).toBeVisible();
      await expect(box).toHaveAttribute('data-dragged-kind', 'semantic');
      const types = await box.getByTestId('quick-add-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.type!));
      expect(types).toContain('lggan/spade-norm');
      expect(types).toContain('lggan/class-masks');
      expect(types).not.toContain('core/linear'); // takes vectors
      expect(types).not.toContain('lggan/l1-loss'); // takes images
      expect(types).not.toContain('core/semantic-input'); // no input at all
      await page.screenshot({ path: shot(`quick-add-wire-search-${tag}-light`) });

      await page.keyboard.type('class masks');
      await box.locator('[data-type="lggan/class-masks"]').click();
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length + 1);
      const id = added(before, await nodeIds(page));
      await expect(page.getByTestId('wire')).toHaveCount(wiresBefore + 1);
      await expect(page.locator(`[data-testid="wire"][data-edge*="${id}"]`)).toHaveCount(1);
      // The new node's semantic socket landed where the wire was dropped.
      const socket = await centreOf(page, `[data-node-id="${id}"] [data-input="semantic"] .lg-sock`);
      expect(Math.abs(socket.x - to.x)).toBeLessThan(8);
      expect(Math.abs(socket.y - to.y)).toBeLessThan(8);
      await page.screenshot({ path: shot(`quick-add-wired-${tag}-light`) });

      // The add and the wire are one undo step.
      await page.keyboard.press('Control+z');
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length);
      await expect(page.getByTestId('wire')).toHaveCount(wiresBefore);
      expect(errors).toEqual([]);
    });

    test('"/" puts the cursor in the palette search, but not while typing in a field', async ({ page }) => {
      await openApp(page);
      const all = await page.getByTestId('palette-item').count();
      await page.keyboard.press('/');
      const search = page.getByTestId('palette-search');
      await expect(search).toBeFocused();
      await page.keyboard.type('spade');
      await expect(page.getByTestId('palette-item').first()).toBeVisible();
      expect(await page.getByTestId('palette-item').count()).toBeLessThan(all);
      // In a field, "/" is a character: the graph's description (the inspector with nothing selected).
      await page.getByTestId('palette-search').fill('');
      await page.keyboard.press('Escape');
      const field = page.locator('[data-testid="inspector"] textarea').first();
      await field.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('/');
      await expect(field).toBeFocused();
      await expect(field).toHaveValue(/\/$/);
      await expect(search).not.toBeFocused();
    });

    test('the context menu is in the app\'s colours, light and dark, stays inside the window, and works from the keyboard', async ({ page }) => {
      const errors = watchErrors(page);
      await openApp(page);
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(page, theme);
        // Near the bottom-right corner: the stock menu and its submenus ran off the window there.
        const at = await emptySpot(page, 'bottom-right');
        await page.mouse.click(at.x, at.y, { button: 'right' });
        const menu = page.getByTestId('context-menu');
        await expect(menu).toBeVisible();
        await menu.getByTestId('context-menu-item').filter({ hasText: 'Convolution' }).hover();
        const sub = page.getByTestId('context-submenu');
        await expect(sub).toBeVisible();
        for (const panel of [menu, sub]) {
          const r = (await panel.boundingBox())!;
          expect(r.x).toBeGreaterThanOrEqual(0);
          expect(r.y).toBeGreaterThanOrEqual(0);
          expect(r.x + r.width).toBeLessThanOrEqual(size.width);
          expect(r.y + r.height).toBeLessThanOrEqual(size.height);
        }
        // The app's surface colour, not the stock translucent blue.
        const [bg, surface] = await menu.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(document.documentElement).getPropertyValue('--surface').trim()]);
        expect(bg).not.toContain('110, 136, 255');
        expect(surface).not.toBe('');
        await page.screenshot({ path: shot(`quick-add-menu-${tag}-${theme}`) });
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await expect(menu).toHaveCount(0);
      }

      // A node's menu for a two-node selection: "Delete and reconnect 2 nodes" is shown whole (the stock 120 px menu cut it off).
      await setTheme(page, 'light');
      await nodeEl(page, 'fusion').click();
      await nodeEl(page, 'encoder').click({ modifiers: ['Shift'] });
      await nodeEl(page, 'fusion').click({ button: 'right' });
      const long = page.getByTestId('context-menu-item').filter({ hasText: 'Delete and reconnect 2 nodes' });
      await expect(long).toBeVisible();
      const clipped = await page.getByTestId('context-menu-item').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1).map((e) => e.textContent));
      expect(clipped).toEqual([]);
      await page.screenshot({ path: shot(`quick-add-node-menu-${tag}-light`) });
      await page.keyboard.press('Escape');

      // Keyboard: search in the background menu, ↓, Enter adds that node.
      const before = await nodeIds(page);
      const at = await emptySpot(page);
      await page.mouse.click(at.x, at.y, { button: 'right' });
      await expect(page.getByTestId('context-menu-search-input')).toBeFocused();
      await page.keyboard.type('(channels)'); // plain text: brackets are no pattern
      await expect(page.getByTestId('context-menu-item').first()).toBeVisible();
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length + 1);
      expect(errors).toEqual([]);
    });

    test('the first Ctrl+Z after clicking the canvas undoes the last edit', async ({ page }) => {
      await openApp(page);
      const before = await nodeIds(page);
      await page.locator('[data-testid="palette-item"][data-type="core/conv2d"]').click();
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length + 1);
      // Type in the palette search, then click a node with a hand's tremor (1 px), then the canvas.
      await page.getByTestId('palette-search').fill('norm');
      const card = (await nodeEl(page, 'encoder').boundingBox())!;
      await page.mouse.move(card.x + card.width / 2, card.y + 10);
      await page.mouse.down();
      await page.mouse.move(card.x + card.width / 2 + 1, card.y + 10);
      await page.mouse.up();
      const at = await emptySpot(page);
      await page.mouse.click(at.x, at.y);
      await expect(page.getByTestId('undo')).toHaveAttribute('title', /Add Conv 2D/);
      await page.keyboard.press('Control+z');
      await expect.poll(async () => (await nodeIds(page)).length).toBe(before.length);
    });
  });
}
