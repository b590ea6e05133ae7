/**
 * The README's pictures, taken by a journey through the app as it is: the editor on the full-size
 * Cityscapes graph, the run panel after a short run on the built-in data (loss curves, samples),
 * the Generate tab on a painted Cityscapes label map, the litegraph view, the Compare tab against
 * the global-only ablation and the Runs tab with the run. Skipped unless LGGAN_README_SHOTS=1
 * (`npm run docs:screenshots` sets it), so the test suite stays fast; the images go to
 * docs/images/ at the config's 1280×800 viewport.
 */
import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { fileURLToPath } from 'node:url';
import { openApp, openExample, showLitegraph, showRete, watchErrors } from './editor.test-util.ts';

const enabled = process.env.LGGAN_README_SHOTS === '1';
const image = (name: string) => fileURLToPath(new URL(`../docs/images/${name}.png`, import.meta.url));

/** A 128×64 Cityscapes label map (official ids): sky, buildings left, trees right, cars on a road, sidewalk. */
function streetLabels(): Buffer {
  const [w, h] = [128, 64];
  const png = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const data = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let id = 23; // sky
      if (y > 12 && x < 48) id = 11; // building
      if (y > 18 && x > 92) id = 21; // vegetation
      if (y >= 38) id = 8; // sidewalk
      if (y >= 42 && x > 8 && x < 120) id = 7; // road
      if (y >= 34 && y < 50 && ((x > 20 && x < 44) || (x > 70 && x < 86))) id = 26; // car
      data[y * w + x] = id;
    }
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

async function frames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

test('README screenshots', async ({ page }) => {
  test.skip(!enabled, 'set LGGAN_README_SHOTS=1 (npm run docs:screenshots) to write docs/images/');
  test.setTimeout(420_000);
  const errors = watchErrors(page);

  // The editor on the full-size Cityscapes graph, fitted to the window.
  await openApp(page);
  await openExample(page, 'lggan-cityscapes.json');
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await page.keyboard.press('f');
  // The "Ctrl+Z brings back …" notice of the open fades by itself; the picture is taken without it.
  await expect(page.getByTestId('notice')).toHaveCount(0, { timeout: 30_000 });
  await frames(page);
  await page.screenshot({ path: image('editor') });

  // The litegraph view of the same document.
  await showLitegraph(page);
  await page.keyboard.press('f').catch(() => undefined);
  await frames(page);
  await page.screenshot({ path: image('litegraph') });
  await showRete(page);

  // Back to the default (tiny) graph: train it on the built-in synthetic street scenes on wasm.
  await openExample(page, 'lggan-cityscapes-tiny.json');
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await page.keyboard.press('f');
  await page.getByTestId('tab-run').click();
  const panel = page.getByTestId('run-panel');
  await panel.getByTestId('backend-setting').selectOption('wasm');
  await panel.getByTestId('batch-size').fill('1');
  await panel.getByTestId('steps').fill('12');
  await panel.getByTestId('autosave-every').fill('0');
  await panel.getByTestId('sample-every').fill('3');
  await panel.getByTestId('eval-every').fill('0');
  await panel.getByTestId('train').click();
  await expect(panel.getByTestId('run-state')).toHaveText('finished', { timeout: 300_000 });
  await page.getByTestId('dock-full').click();
  await frames(page);
  await page.screenshot({ path: image('run-panel') });

  // Generate from a painted label map with the run's weights.
  await panel.getByTestId('tab-generate').click();
  await panel.getByTestId('use-current-weights').click();
  await panel.getByTestId('label-upload').setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: streetLabels() });
  const outputs = panel.getByTestId('generate-outputs');
  await expect(outputs).toBeVisible({ timeout: 120_000 });
  await expect(panel.getByTestId('generate-error')).toHaveCount(0);
  await frames(page);
  await page.screenshot({ path: image('generate') });

  // Runs side by side (one browser run here): table, loss charts, samples.
  await page.getByTestId('tab-runs').click();
  const runs = page.getByTestId('runs');
  await runs.getByTestId('runs-item').first().getByTestId('runs-choose').check();
  await expect(runs.getByTestId('loss-chart').first()).toBeVisible();
  await frames(page);
  await page.screenshot({ path: image('runs') });

  // Compare the open graph with the global-only ablation: marks on the canvas, the change list.
  await page.getByTestId('dock-full').click();
  await page.getByTestId('tab-compare').click();
  await page.getByTestId('compare-with').selectOption('example:ablation-cityscapes-global-only-tiny.json');
  await expect(page.getByTestId('compare-summary')).toContainText('nodes');
  await expect(page.getByTestId('notice')).toHaveCount(0, { timeout: 30_000 });
  await frames(page);
  await page.screenshot({ path: image('compare') });

  expect(errors).toEqual([]);
});
