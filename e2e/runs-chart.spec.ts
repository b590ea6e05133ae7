/**
 * The Compare view's loss charts and sample strip (src/app/runs/LossCharts.svelte, SampleStrip.svelte)
 * in Chromium, on their harness page (e2e/harness/runs-compare-harness.html) with 4 synthetic runs
 * of 200 steps and 4 loss terms, run 2's label an HTML injection attempt. What is drawn is read back
 * from the charts' canvases. Screenshots in both themes go to e2e/.output/.
 */
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

const shot = (name: string) => fileURLToPath(new URL(`.output/${name}.png`, import.meta.url));
const HOSTILE = '<img src=x onerror=alert(1)>';
/** Run 1's colour on the light and the dark theme (runColour(0, theme)). */
const RUN_1 = [0x2f, 0x5f, 0xd0];
const RUN_1_DARK = [0x7d, 0x9b, 0xff];

/** Console errors, page errors, dialogs (an injection's alert) and Content-Security-Policy violations (uPlot's and the components' styles must pass it). */
async function watchErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`console: ${msg.text()}`));
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return errors;
}

async function openHarness(page: Page, theme: 'light' | 'dark' = 'light'): Promise<void> {
  await page.goto(`/harness/runs-compare-harness.html?runs=4&steps=200&terms=4&hostile=1&theme=${theme}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('body')).toHaveAttribute('data-rendered', 'true');
}

const chart = (page: Page, term: string) => page.locator(`[data-testid="loss-chart"][data-term="${term}"]`);

/** Counts a chart canvas's pixels: those unlike its corner (drawn) and those within 24 of `rgb` in every channel. */
function countPixels(page: Page, term: string, rgb: number[]): Promise<{ drawn: number; matching: number; image: string }> {
  return chart(page, term)
    .locator('canvas')
    .evaluate((canvas: HTMLCanvasElement, rgb) => {
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const corner = [data[0], data[1], data[2], data[3]];
      let drawn = 0;
      let matching = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] !== corner[0] || data[i + 1] !== corner[1] || data[i + 2] !== corner[2] || data[i + 3] !== corner[3]) drawn++;
        if (data[i + 3] > 200 && Math.abs(data[i] - rgb[0]) < 24 && Math.abs(data[i + 1] - rgb[1]) < 24 && Math.abs(data[i + 2] - rgb[2]) < 24) matching++;
      }
      return { drawn, matching, image: canvas.toDataURL() };
    }, rgb);
}

/** Waits until the chart has drawn again since `before` draws. */
async function drawsAfter(page: Page, term: string, before: number): Promise<void> {
  await expect.poll(async () => Number(await chart(page, term).locator('.uplot').getAttribute('data-draws'))).toBeGreaterThan(before);
}
const draws = async (page: Page, term: string) => Number(await chart(page, term).locator('.uplot').getAttribute('data-draws'));

test('loss charts: drawn per term, run toggles, smoothing, log scale, hover values, hostile label as text, resize, theme switch', async ({ page }) => {
  const errors = await watchErrors(page);
  await openHarness(page);
  await expect(page.getByTestId('loss-chart')).toHaveCount(4);
  await expect(page.getByTestId('loss-chart').locator('.title')).toHaveText(['g_adv', 'g_feat', 'g_vgg', 'd_hinge']);

  // Drawn: the canvas has curve pixels, run 1's colour among them.
  const first = await countPixels(page, 'g_adv', RUN_1);
  expect(first.drawn).toBeGreaterThan(2000);
  expect(first.matching).toBeGreaterThan(100);

  // The hostile label is text, in the legend and the sample strip; nothing was injected.
  const legend = page.getByTestId('legend-run');
  await expect(legend.nth(1).locator('.label')).toHaveText(HOSTILE);
  await expect(page.getByTestId('sample-run').nth(1).locator('.run-label')).toHaveText(HOSTILE);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);

  // Toggling run 1 off removes its colour from the chart; on again brings it back.
  let before = await draws(page, 'g_adv');
  await legend.nth(0).getByTestId('run-toggle').uncheck();
  await expect(legend.nth(0)).toHaveAttribute('data-shown', 'false');
  await drawsAfter(page, 'g_adv', before);
  expect((await countPixels(page, 'g_adv', RUN_1)).matching).toBeLessThan(first.matching / 20);
  before = await draws(page, 'g_adv');
  await legend.nth(0).getByTestId('run-toggle').check();
  await drawsAfter(page, 'g_adv', before);
  expect((await countPixels(page, 'g_adv', RUN_1)).matching).toBeGreaterThan(first.matching / 2);

  // Smoothing changes the drawn curve.
  const smoothed = (await countPixels(page, 'g_adv', RUN_1)).image;
  before = await draws(page, 'g_adv');
  await page.getByTestId('smoothing').fill('0');
  await drawsAfter(page, 'g_adv', before);
  expect((await countPixels(page, 'g_adv', RUN_1)).image).not.toBe(smoothed);

  // Unsmoothed, the legend's hover value is each run's logged value at the hovered step.
  const plot = (await chart(page, 'g_vgg').locator('.u-over').boundingBox())!;
  await page.mouse.move(plot.x + plot.width * 0.37, plot.y + plot.height * 0.5);
  await expect(page.getByTestId('hover-head')).toHaveText(/^g_vgg at step \d+$/);
  const step = Number((await page.getByTestId('hover-head').textContent())!.match(/\d+$/)![0]);
  const logged = await page.evaluate(
    (step) => Object.values(window.compareCurves!).map((curves) => curves.g_vgg.values[curves.g_vgg.steps.indexOf(step)]),
    step,
  );
  expect(logged).toHaveLength(4);
  const shownValues = (await page.getByTestId('hover-value').allTextContents()).map((t) => Number(t.trim()));
  shownValues.forEach((v, i) => expect(v, `run ${i + 1} at step ${step}`).toBeCloseTo(logged[i], 3));
  await page.mouse.move(2, 2);
  await page.getByTestId('smoothing').fill('0.9');

  // Hover: the legend shows each run's value at the hovered step of that chart.
  const box = (await chart(page, 'g_feat').locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await expect(page.getByTestId('hover-head')).toHaveText(/^g_feat at step \d+$/);
  await expect(page.getByTestId('hover-value')).toHaveCount(4);
  for (const text of await page.getByTestId('hover-value').allTextContents()) expect(text.trim()).toMatch(/^-?\d+(\.\d+)?(e[-+]\d+)?\s*\(raw -?\d/);
  // The other charts' cursors follow (synced by step).
  await expect(chart(page, 'g_adv').locator('.u-cursor-x')).toBeVisible();
  await page.screenshot({ path: shot('runs-chart-light'), fullPage: true });
  await page.mouse.move(2, 2);
  await expect(page.getByTestId('hover-head')).toHaveText(/hover a chart/);

  // Log scale: every chart on a log axis; d_hinge's negative values are gaps, and it says so.
  const linear = (await countPixels(page, 'g_vgg', RUN_1)).image;
  await page.getByTestId('log-scale').check();
  await expect(page.locator('[data-testid="loss-chart"][data-scale="log"]')).toHaveCount(4);
  await expect.poll(async () => (await countPixels(page, 'g_vgg', RUN_1)).image).not.toBe(linear);
  await expect(chart(page, 'd_hinge').getByTestId('log-note')).toHaveText(/^\d+ zero or negative values are not drawn on the log scale$/);
  await expect(chart(page, 'g_vgg').getByTestId('log-note')).toHaveCount(0);
  expect((await countPixels(page, 'g_vgg', RUN_1)).matching).toBeGreaterThan(50);

  // The charts follow their container's width.
  const canvasWidth = () => chart(page, 'g_adv').locator('canvas').evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().width);
  const wide = await canvasWidth();
  // 700 px wide: one chart per row, so each is wider than in the three-column grid.
  await page.setViewportSize({ width: 700, height: 800 });
  await expect.poll(canvasWidth).toBeGreaterThan(wide + 100);
  const plotBox = (await chart(page, 'g_adv').locator('.plot').boundingBox())!;
  expect(Math.abs((await canvasWidth()) - plotBox.width)).toBeLessThan(2);

  // The app switches to the dark theme: the charts are drawn again in its colours.
  await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
  await expect.poll(async () => (await countPixels(page, 'g_vgg', RUN_1_DARK)).matching).toBeGreaterThan(50);
  expect((await countPixels(page, 'g_vgg', RUN_1)).matching).toBe(0);

  expect(errors).toEqual([]);
});

/** Counts the page's live blob: URLs (made and not yet revoked) in window.liveBlobUrls. */
async function countBlobUrls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const live = new Set<string>();
    const create = URL.createObjectURL.bind(URL);
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.createObjectURL = (object) => {
      const url = create(object);
      live.add(url);
      return url;
    };
    URL.revokeObjectURL = (url) => {
      live.delete(url);
      revoke(url);
    };
    Object.assign(window, { liveBlobUrls: () => live.size });
  });
}
const liveBlobUrls = (page: Page) => page.evaluate(() => (window as unknown as { liveBlobUrls: () => number }).liveBlobUrls());

test('sample strip: each run’s images at the chosen step, or its latest before it; blob: URLs revoked', async ({ page }) => {
  const errors = await watchErrors(page);
  await countBlobUrls(page);
  await openHarness(page, 'dark');
  const strip = page.getByTestId('sample-strip');
  const runs = strip.getByTestId('sample-run');
  await expect(runs).toHaveCount(4);
  // Latest step first: every run has a snapshot at 200.
  await expect(strip).toHaveAttribute('data-step', '200');
  await expect(runs.locator('[data-testid="sample-image"] img')).toHaveCount(8);
  // Each image is a decoded PNG (16×16) from a blob: URL.
  for (const img of await runs.locator('img').all()) {
    await expect(img).toHaveAttribute('src', /^blob:/);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(16);
  }
  await expect(runs.nth(1).getByTestId('sample-image').first().locator('figcaption')).toHaveText(`label map ${HOSTILE}`);
  expect(await liveBlobUrls(page)).toBe(8);

  // Step 150: even runs have it; odd runs (samples at 100 and 200 only) show step 100, saying so.
  await page.getByTestId('sample-step').fill('2');
  await expect(strip).toHaveAttribute('data-step', '150');
  await expect(runs.nth(0)).toHaveAttribute('data-step', '150');
  await expect(runs.nth(1)).toHaveAttribute('data-step', '100');
  await expect(runs.nth(1)).toContainText('step 100 (its latest before 150)');
  // Step 50: odd runs have nothing that early.
  await page.getByTestId('sample-step').fill('0');
  await expect(strip).toHaveAttribute('data-step', '50');
  await expect(runs.nth(2)).toHaveAttribute('data-step', '50');
  await expect(runs.nth(3)).toContainText('no samples at or before step 50');
  await expect(runs.nth(3).locator('img')).toHaveCount(0);
  // The replaced images' URLs were revoked: only the 4 shown now are live.
  expect(await liveBlobUrls(page)).toBe(4);

  // The dark theme's screenshot, hovering a chart.
  const box = (await chart(page, 'g_adv').locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await expect(page.getByTestId('hover-value')).toHaveCount(4);
  await page.screenshot({ path: shot('runs-chart-dark'), fullPage: true });

  // Unmounted: no chart, no cursor, no live URL is left.
  await page.evaluate(() => (window as unknown as { unmountCompare: () => Promise<void> }).unmountCompare());
  await expect(page.locator('.uplot')).toHaveCount(0);
  await expect(page.getByTestId('sample-strip')).toHaveCount(0);
  expect(await liveBlobUrls(page)).toBe(0);
  expect(errors).toEqual([]);
});
