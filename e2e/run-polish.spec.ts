/**
 * Issue 17.7, the run panel polished, on its harness page (e2e/harness/run-panel-harness.html, the
 * 16×16 tiny training GAN), at 1280×720 and 1920×1080, light and dark: the backend menu in the real
 * order; forcing webgpu on this machine's SwiftShader adapter is flagged before the run, with wasm
 * offered; the speed reading says "measuring…" while the first (warm-up) step is the only one timed
 * and a speed from then on; the run says why its backend was chosen; pausing says which step it
 * finishes first; the Generate tab's class list follows the painting. Screenshots go to e2e/.output/.
 */
import { expect, test, type Page } from '@playwright/test';
import { shot, watchErrors } from './editor.test-util.ts';

const SIZES = [
  { width: 1280, height: 720, theme: 'light' },
  { width: 1920, height: 1080, theme: 'dark' },
] as const;

async function openPanel(page: Page, size: (typeof SIZES)[number]): Promise<void> {
  await page.setViewportSize({ width: size.width, height: size.height });
  await page.goto('/harness/run-panel-harness.html?graph=tiny');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.evaluate((theme) => (document.documentElement.dataset.theme = theme), size.theme);
}

/** Every (step, speed, pausing, state) the panel shows, recorded as the DOM changes (no sampling by time). */
async function recordPanel(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { step: string; speed: string; pausing: string; state: string }[] = [];
    const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
    const note = () => {
      const now = { step: text('run-step'), speed: text('throughput'), pausing: text('pausing'), state: text('run-state') };
      const last = seen.at(-1);
      if (!last || last.step !== now.step || last.speed !== now.speed || last.pausing !== now.pausing || last.state !== now.state) seen.push(now);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
    (window as unknown as { panelSeen: typeof seen }).panelSeen = seen;
  });
}
const seenOf = (page: Page) => page.evaluate(() => (window as unknown as { panelSeen: { step: string; speed: string; pausing: string; state: string }[] }).panelSeen);

for (const size of SIZES) {
  const tag = `${size.width}x${size.height}-${size.theme}`;

  test(`run panel at ${tag}: backend order and reasons, slow WebGPU flagged, speed from the first step, pausing text`, async ({ page }) => {
    test.setTimeout(120_000);
    const errors = watchErrors(page);
    await openPanel(page, size);

    // The menu lists every backend in the order 'auto' tries them.
    const menu = page.getByTestId('backend-setting');
    expect(await menu.locator('option').allTextContents()).toEqual(['auto (webgpu → wasm → webgl → cpu)', 'webgpu', 'wasm', 'webgl', 'cpu']);

    // Forcing webgpu on SwiftShader is flagged before the run, with wasm offered.
    await menu.selectOption('webgpu');
    const slow = page.getByTestId('slow-backend');
    await expect(slow).toContainText(/software \(.*swiftshader.*\)/i);
    await expect(slow).toContainText('a training step can take minutes');
    await page.screenshot({ path: shot(`run-polish-slow-webgpu-${tag}`) });
    await page.getByTestId('use-wasm').click();
    await expect(menu).toHaveValue('wasm');
    await expect(slow).toHaveCount(0);

    await page.getByTestId('batch-size').fill('1');
    await page.getByTestId('steps').fill('400');
    await page.getByTestId('autosave-every').fill('0');
    await page.getByTestId('sample-every').fill('0');
    await page.getByTestId('eval-every').fill('0');
    await recordPanel(page);
    await page.getByTestId('train').click();

    // Why wasm: it was asked for, and it runs with what it found here.
    await expect(page.getByTestId('backend-why')).toContainText('wasm: chosen', { timeout: 30_000 });
    await expect(page.getByTestId('run-step')).toHaveText(/^step ([3-9]|\d{2,}) \/ 400$/, { timeout: 60_000 });
    await expect(page.getByTestId('throughput')).toHaveText(/^[\d.]+ (steps\/s|s\/step) · [\d.]+ img\/s$/);

    // Pause: the panel says it finishes the current step until the pause lands.
    await page.getByTestId('pause').click();
    await expect(page.getByTestId('run-state')).toHaveText('paused', { timeout: 30_000 });
    await page.screenshot({ path: shot(`run-polish-paused-${tag}`) });
    await page.getByTestId('stop').click();
    await expect(page.getByTestId('run-state')).toHaveText('stopped', { timeout: 30_000 });

    const seen = await seenOf(page);
    // At step 1 only the warm-up step was timed: no speed yet, never a reading skewed by it.
    const atStep1 = seen.filter((s) => s.step === 'step 1 / 400');
    expect(atStep1.length).toBeGreaterThan(0);
    for (const s of atStep1) expect(s.speed).toMatch(/^measuring…/);
    for (const s of seen.filter((s) => /^step ([2-9]|\d{2,}) /.test(s.step))) expect(s.speed).toMatch(/steps\/s|s\/step/);
    // The pausing text showed before the pause landed, and went once it did.
    const firstPausing = seen.findIndex((s) => /^pausing after (the current step|step \d+)…$/.test(s.pausing));
    const firstPaused = seen.findIndex((s) => s.state === 'paused');
    expect(firstPausing).toBeGreaterThan(-1);
    expect(firstPausing).toBeLessThan(firstPaused);
    expect(seen[firstPaused].pausing).toBe('');
    expect(errors).toEqual([]);
  });

  test(`generate tab at ${tag}: the class list follows the painting`, async ({ page }) => {
    test.setTimeout(90_000);
    const errors = watchErrors(page);
    await openPanel(page, size);
    await page.getByTestId('backend-setting').selectOption('wasm');
    await page.getByTestId('tab-generate').click();
    await page.getByTestId('generate-load').click();
    await expect(page.getByTestId('generate-loaded')).toBeVisible({ timeout: 30_000 });
    const classes = page.getByTestId('map-classes');
    // A new map is all sky (class 0).
    await expect(classes.locator('.present-class')).toHaveText(['sky 100 %']);

    const canvas = page.getByTestId('label-canvas');
    const box = (await canvas.boundingBox())!;
    const paint = async (from: [number, number], to: [number, number]) => {
      await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 8 });
      await page.mouse.up();
    };
    // The brush starts on class 1 (road): a stroke across the middle adds it.
    await paint([0.1, 0.5], [0.9, 0.5]);
    await expect(classes.locator('[data-class-id="1"]')).toContainText('road');
    await page.getByTestId('palette').getByRole('button', { name: /^4 car\b/ }).click();
    await paint([0.5, 0.1], [0.5, 0.9]);
    await expect(classes.locator('[data-class-id="4"]')).toContainText('car');
    await expect(classes.locator('.present-class')).toHaveCount(3);
    await page.screenshot({ path: shot(`run-polish-classes-${tag}`) });
    expect(errors).toEqual([]);
  });
}
