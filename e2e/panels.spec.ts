/**
 * Room to work: the palette, the inspector and the bottom panel resize by dragging their bars,
 * fold away by double-click (a button brings them back), keep their sizes over a reload, and the
 * bottom panel opens in full (the canvas comes back as it was). At 1280×720 and 1920×1080, light
 * and dark. Screenshots: e2e/.output/panels-<size>-<theme>.png and panels-full-<size>.png.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openApp, shot, watchErrors } from './editor.test-util.ts';

const box = async (l: Locator) => (await l.boundingBox())!;

/** Drags a splitter bar by (dx, dy) with the mouse. */
async function dragBar(page: Page, testid: string, dx: number, dy: number) {
  const b = await box(page.getByTestId(testid));
  const x = b.x + b.width / 2;
  const y = b.y + b.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 3 });
  await page.mouse.move(x + dx, y + dy, { steps: 3 });
  await page.mouse.up();
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`panels resize, fold, stay over a reload and open in full at ${width}×${height}`, async ({ page }) => {
    test.setTimeout(90_000);
    const errors = watchErrors(page);
    await page.setViewportSize({ width, height });
    await openApp(page);
    const palette = page.getByTestId('palette');
    const inspector = page.getByTestId('inspector');
    const canvas = page.getByTestId('canvas');
    expect(Math.round((await box(palette)).width)).toBe(220);
    expect(Math.round((await box(inspector)).width)).toBe(300);

    await dragBar(page, 'split-palette', 80, 0);
    await dragBar(page, 'split-inspector', -60, 0);
    await expect.poll(async () => Math.round((await box(palette)).width)).toBe(300);
    await expect.poll(async () => Math.round((await box(inspector)).width)).toBe(360);

    // The Run tab's panel is taller than Problems'; dragging its bar up makes it taller still.
    await page.getByTestId('tab-run').click();
    const dock = page.locator('section.dock');
    const runHeight = (await box(dock)).height;
    await dragBar(page, 'split-dock', 0, -100);
    await expect.poll(async () => Math.round((await box(dock)).height)).toBe(Math.round(runHeight + 100));

    // A reload keeps every size.
    await page.reload();
    await expect(page.getByTestId('node').first()).toBeVisible();
    await expect.poll(async () => Math.round((await box(palette)).width)).toBe(300);
    expect(Math.round((await box(inspector)).width)).toBe(360);

    // Fold the palette: the canvas takes its room; the button brings it back at its size.
    const canvasWidth = (await box(canvas)).width;
    await page.getByTestId('split-palette').dblclick();
    await expect(palette).toBeHidden();
    await expect.poll(async () => (await box(canvas)).width).toBeGreaterThan(canvasWidth + 250);
    await page.getByTestId('split-palette-reopen').click();
    await expect(palette).toBeVisible();
    expect(Math.round((await box(palette)).width)).toBe(300);

    for (const theme of ['light', 'dark'] as const) {
      if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
      await page.screenshot({ path: shot(`panels-${width}x${height}-${theme}`) });
    }

    // The bottom panel in full: the canvas folds away and comes back as it was.
    await page.getByTestId('tab-run').click();
    await page.getByTestId('dock-full').click();
    await expect.poll(async () => (await box(dock)).height).toBeGreaterThan(height - 120);
    expect((await canvas.boundingBox())?.height ?? 0).toBeLessThan(2);
    await page.screenshot({ path: shot(`panels-full-${width}x${height}`) });
    await page.getByTestId('dock-full').click();
    await expect.poll(async () => (await box(canvas)).height).toBeGreaterThan(100);
    await expect(page.getByTestId('node').first()).toBeVisible();
    expect(errors).toEqual([]);
  });
}

test('a panel bar moves with the arrow keys and folds with Enter', async ({ page }) => {
  await openApp(page);
  const bar = page.getByTestId('split-inspector');
  await bar.focus();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => Math.round((await box(page.getByTestId('inspector'))).width)).toBe(316);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector')).toBeVisible();
});
