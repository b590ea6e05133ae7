/**
 * Issue 17.6, a guided first run: the getting-started guide on the first open (and only then),
 * dismissed with its button or Escape, reopened from Help, its buttons opening the Run tab and the
 * Examples menu; the Examples menu in groups with titles, summaries and thumbnails, opening one.
 * At 1280×720 and 1920×1080, light and dark. Every other journey starts with the guide marked seen
 * (playwright.config.ts); these start as a new user, with empty storage.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { netParams, openApp, shot, watchErrors } from './editor.test-util.ts';

const shippedIndex = JSON.parse(readFileSync(new URL('../graphs/index/examples.json', import.meta.url), 'utf8')) as { examples: { file: string }[] };

test.use({ storageState: { cookies: [], origins: [] } });

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

const guide = (page: Page) => page.getByTestId('getting-started');

async function setTheme(page: Page, theme: 'light' | 'dark') {
  // As the theme toggle leaves it: the app reads it before the first paint.
  await page.addInitScript((t) => localStorage.setItem('lggan-studio.theme', t), theme);
}

async function reopenFromHelp(page: Page, screenshot?: string) {
  await page.getByTestId('help').click();
  await expect(page.getByTestId('help-open-guide')).toBeVisible();
  if (screenshot) await page.screenshot({ path: shot(screenshot) });
  await page.getByTestId('help-open-guide').click();
  await expect(guide(page)).toBeVisible();
}

for (const size of SIZES) {
  for (const theme of ['light', 'dark'] as const) {
    const tag = `${size.width}x${size.height}-${theme}`;

    test(`first open at ${size.width}×${size.height} (${theme}): the guide shows once, reopens from Help, and its buttons work`, async ({ page }) => {
      const errors = watchErrors(page);
      await page.setViewportSize(size);
      await setTheme(page, theme);
      await openApp(page);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);

      // What the default graph is, counted from it: the generator's parameters match the status bar's.
      await expect(guide(page)).toBeVisible();
      const about = page.getByTestId('guide-graph');
      await expect(about).toContainText('LGGAN Cityscapes (tiny)');
      await expect(about).toContainText('21 nodes, 128×64 images, 35 label classes');
      const generatorParams = (await netParams(page, 'G').textContent())!.trim();
      await expect(about).toContainText(`generator ${generatorParams}`);
      await expect(page.getByTestId('guide-cli')).toHaveText('npx lggan train graphs/lggan-cityscapes-tiny.json --synthetic --steps 200 --out runs/first');
      await page.screenshot({ path: shot(`first-run-guide-${tag}`) });

      // Dismissed (Escape at one size, the button at the other), it stays away after a reload.
      if (size.width === 1280) await page.keyboard.press('Escape');
      else await page.getByTestId('guide-dismiss').click();
      await expect(guide(page)).toHaveCount(0);
      await page.reload();
      await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
      await expect(page.getByTestId('graph-name')).toHaveText('LGGAN Cityscapes (tiny)');
      await expect(guide(page)).toHaveCount(0);

      // Help lists it; its Run button opens the Run tab with Train ready on the built-in data.
      await reopenFromHelp(page, `first-run-help-${tag}`);
      await page.getByTestId('guide-open-run').click();
      await expect(guide(page)).toHaveCount(0);
      await expect(page.getByTestId('tab-run')).toHaveAttribute('aria-selected', 'true');
      await expect(page.getByTestId('train')).toBeVisible();

      await reopenFromHelp(page);
      await page.getByTestId('guide-open-runs').click();
      await expect(guide(page)).toHaveCount(0);
      await expect(page.getByTestId('tab-runs')).toHaveAttribute('aria-selected', 'true');

      // Its Examples button opens the Examples menu.
      await reopenFromHelp(page);
      await page.getByTestId('guide-open-examples').click();
      await expect(guide(page)).toHaveCount(0);
      await expect(page.getByTestId('examples-menu')).toBeVisible();
      expect(errors).toEqual([]);
    });

    test(`the Examples menu at ${size.width}×${size.height} (${theme}): groups, titles, summaries, thumbnails; opening one`, async ({ page }) => {
      const errors = watchErrors(page);
      await page.setViewportSize(size);
      await setTheme(page, theme);
      await openApp(page);
      await page.getByTestId('guide-dismiss').click();

      await page.getByTestId('examples').click();
      const menu = page.getByTestId('examples-menu');
      await expect(menu.getByTestId('example-group').locator('h3')).toHaveText(['Task graphs · tiny', 'Task graphs · full size', 'Ablations · tiny', 'Ablations · full size']);
      const items = menu.getByTestId('example');
      await expect(items).toHaveCount(shippedIndex.examples.length);
      await expect(menu.getByTestId('example-thumbnail')).toHaveCount(shippedIndex.examples.length);
      await expect(menu.getByTestId('example-summary')).toHaveCount(shippedIndex.examples.length);
      // Each thumbnail draws the graph's nodes as boxes.
      const cityscapes = menu.locator('[data-file="lggan-cityscapes-tiny.json"]');
      await expect(cityscapes).toContainText('LGGAN Cityscapes (tiny)');
      await expect(cityscapes.locator('rect')).toHaveCount(21);
      // The menu stays inside the window.
      const box = (await menu.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
      expect(box.y + box.height).toBeLessThanOrEqual(size.height);
      await page.screenshot({ path: shot(`examples-menu-${tag}`) });

      // Escape closes it from the keyboard, focus back on its button.
      await cityscapes.focus();
      await page.keyboard.press('Escape');
      await expect(menu).toHaveCount(0);
      await expect(page.getByTestId('examples')).toBeFocused();
      await page.getByTestId('examples').click();

      await menu.locator('[data-file="ablation-cityscapes-global-only-tiny.json"]').click();
      await expect(menu).toHaveCount(0);
      await expect(page.getByTestId('graph-name')).toHaveText('LGGAN Cityscapes — global-only (tiny)');
      await expect(page.getByTestId('graph-file')).toHaveText('ablation-cityscapes-global-only-tiny.json');
      expect(errors).toEqual([]);
    });
  }
}

test('a window that refuses storage shows the guide on every load and keeps working', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  await openApp(page);
  await expect(guide(page)).toBeVisible();
  await page.getByTestId('guide-dismiss').click();
  await expect(guide(page)).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await expect(guide(page)).toBeVisible();
  expect(errors).toEqual([]);
});
