/**
 * Make the global-only variant from the default graph as a user would, with the smallest recipe:
 * select the local trunk, the class masks and the fusion and mute them (Ctrl+M). What only they fed
 * (local generators, classifier, the class losses, the fused outputs) leaves the program; the
 * losses keep their global image, the trainer its three G losses. No errors, the generator's totals
 * are the shipped global-only ablation's, and two training steps on the cpu backend finish with
 * finite losses, and only the global-only losses (no class terms). Screenshot: e2e/.output/variants-global-only-trained.png.
 */
import { expect, test } from '@playwright/test';
import { formatCount } from '../src/app/format.ts';
import { defaultGraph, netParams, nodeEl, openApp, shot, trainOnCpu, watchErrors } from './editor.test-util.ts';

test('mute the local branch and the fusion: the global-only variant has no errors and trains two steps with finite losses', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await openApp(page);
  await expect(page.getByTestId('node')).toHaveCount(defaultGraph.nodes.length);

  await nodeEl(page, 'trunk').locator('header').click();
  await nodeEl(page, 'masks').locator('header').click({ modifiers: ['Shift'] });
  await nodeEl(page, 'fusion').locator('header').click({ modifiers: ['Shift'] });
  await page.keyboard.press('Control+m');
  for (const id of ['trunk', 'masks', 'fusion']) await expect(nodeEl(page, id)).toHaveAttribute('data-mode', 'mute');
  for (const id of ['local', 'classifier', 'out_final', 'out_local', 'out_attention', 'g_class_l1', 'g_class_ce']) {
    await expect(nodeEl(page, id)).toHaveAttribute('data-mode', 'left-out');
  }
  for (const id of ['encoder', 'global', 'out_global', 'g_adv', 'g_feat', 'g_vgg', 'd_adv', 'trainer']) {
    await expect(nodeEl(page, id)).toHaveAttribute('data-mode', 'active');
  }
  await expect(page.getByTestId('problems').locator('.count.error')).toHaveText('0 errors');
  await expect(page.locator('[data-testid="node"][data-severity="error"]')).toHaveCount(0);
  // The generator is the global-only ablation's: encoder + global generator (`lggan inspect` of the shipped file).
  await expect(netParams(page, 'G')).toHaveText(formatCount(439_563));

  const panel = await trainOnCpu(page, { steps: 2, sampleEvery: 0, timeout: 180_000 });
  await expect(panel.getByTestId('run-step')).toHaveText('step 2 / 2');
  await expect(panel.getByTestId('run-error')).toHaveCount(0);

  // Every loss term is a finite number at both steps; the class losses of the muted branch are gone.
  const chart = panel.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]/);
  const terms = await chart.locator('path[data-series]').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-series') ?? ''));
  expect(terms).toEqual(['g_adv', 'g_feat', 'd_adv', 'G total', 'D total']);
  const values = await chart.locator('.legend .value').allTextContents();
  expect(values).toHaveLength(terms.length);
  for (const v of values) expect(Number.isFinite(Number(v)), `loss value '${v}'`).toBe(true);
  for (const d of await chart.locator('path[data-series]').evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''))) {
    expect(d).toMatch(/^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/); // two finite points per term
  }
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('variants-global-only-trained'), fullPage: true });
  expect(errors).toEqual([]);
});
