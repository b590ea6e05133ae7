/**
 * Variants you can make and see: a param change that removes a port drops the stale wire with a
 * notice (one undo step brings both back), "Delete and reconnect" wires around the fusion, and
 * the default graph and its SAU variant differ on the canvas at a glance (badges), in light and dark.
 * Each journey leaves screenshots in e2e/.output/.
 */
import { expect, test, type Page } from '@playwright/test';
import { netParams, nodeEl, openApp, openExample, shot, watchErrors } from './editor.test-util.ts';

const errorNodes = (page: Page) => page.locator('[data-testid="node"][data-severity="error"]');

test('switching fusion to fixed drops the stale x_encode wire with a notice; Ctrl+Z brings it back', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const fusion = nodeEl(page, 'fusion');
  await expect(fusion.locator('[data-input="x_encode"]')).toHaveCount(1);

  await fusion.locator('header').click();
  await page.locator('[data-testid="param"][data-param="mode"] select').selectOption('fixed');
  await expect(page.getByTestId('notice')).toHaveText("Removed 1 wire that no longer fits: 'encoder'.x_encode → 'fusion'.x_encode");
  await expect(fusion.locator('[data-input="x_encode"]')).toHaveCount(0);
  await expect(fusion).toHaveAttribute('data-severity', 'ok');
  await expect(errorNodes(page)).toHaveCount(0);
  await expect(fusion.locator('[data-testid="node-choice"]')).toHaveText(['fixed']);
  await page.screenshot({ path: shot('heal-fixed-fusion') });

  await page.keyboard.press('Control+z');
  await expect(fusion.locator('[data-input="x_encode"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="param"][data-param="mode"] select')).toHaveValue('attention');
  await expect(fusion.locator('[data-testid="node-choice"]')).toHaveText(['attention', 'transposed']);
  // The wire is back: the x_encode port has no problem and the graph has no error.
  await expect(fusion.locator('[data-input="x_encode"]')).not.toHaveClass(/bad/);
  await expect(errorNodes(page)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('"Delete and reconnect" on the fusion wires the global image to what the fused image fed', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await nodeEl(page, 'fusion').locator('header').click({ button: 'right' });
  const entry = page.getByTestId('context-menu-item').filter({ hasText: 'Delete and reconnect' });
  await expect(entry).toHaveCount(1);
  await entry.click();
  await expect(nodeEl(page, 'fusion')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toContainText("Deleted and reconnected 'global'.image → ");
  await expect(page.getByTestId('notice')).toContainText("'out_final'.value");
  // Only the attention map's output is left unfed (fusion had no pass-through for it).
  await expect(errorNodes(page)).toHaveCount(1);
  await expect(errorNodes(page)).toHaveAttribute('data-node-id', 'out_attention');
  await page.screenshot({ path: shot('heal-delete-reconnect') });
  await page.keyboard.press('Control+z');
  await expect(nodeEl(page, 'fusion')).toHaveCount(1);
  await expect(errorNodes(page)).toHaveCount(0);

  // A node type without pass-through pairs offers a plain delete only.
  await nodeEl(page, 'encoder').locator('header').click({ button: 'right' });
  await expect(page.getByTestId('context-menu-item').filter({ hasText: 'Delete' })).toHaveCount(1);
  expect(errors).toEqual([]);
});

/** Screenshots of the trunk and fusion cards, the two that differ between the variants. */
async function cards(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: shot(`badges-${name}`) });
  // Zoomed in on the trunk and the fusion, to read the badges as a person looking closer does.
  const box = (await nodeEl(page, 'trunk').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height);
  // Wheel in until the card is at least at 1:1 (each wheel step zooms by a fixed factor).
  for (let i = 0; i < 20 && (await nodeEl(page, 'trunk').boundingBox())!.width < 250; i++) await page.mouse.wheel(0, -200);
  expect((await nodeEl(page, 'trunk').boundingBox())!.width).toBeGreaterThanOrEqual(250);
  await page.screenshot({ path: shot(`badges-${name}-zoomed`) });
  await page.getByTestId('fit').click();
}

test('the default graph and the SAU ablation look different at a glance, in light and dark', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const choices = (id: string) => nodeEl(page, id).locator('[data-testid="node-choice"]');
  await expect(choices('trunk')).toHaveText(['transposed']);
  await expect(choices('fusion')).toHaveText(['attention', 'transposed']);
  await expect(choices('masks')).toHaveText(['one-hot', '35 classes']);
  await cards(page, 'default-light');

  await openExample(page, 'ablation-cityscapes-sau-tiny.json');
  await expect(page.getByTestId('graph-file')).toHaveText('ablation-cityscapes-sau-tiny.json');
  await expect(choices('trunk')).toHaveText(['sau']);
  await expect(choices('fusion')).toHaveText(['attention', 'sau']);
  await expect(choices('trunk')).toHaveAttribute('data-changed', 'true'); // not the default: marked
  await expect(choices('fusion').first()).toHaveAttribute('data-changed', 'false');
  await cards(page, 'sau-light');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await cards(page, 'sau-dark');
  await page.keyboard.press('Control+z'); // back to the default graph (opening was one undo step)
  await expect(choices('trunk')).toHaveText(['transposed']);
  await cards(page, 'default-dark');
  expect(errors).toEqual([]);
});

test('deleting the local branch leaves a valid global-only graph with the ablation totals', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const branch = ['trunk', 'masks', 'local', 'classifier', 'fusion', 'out_final', 'out_local', 'out_attention', 'g_class_l1', 'g_class_ce'];
  await nodeEl(page, branch[0]).locator('header').click();
  for (const id of branch.slice(1)) await nodeEl(page, id).locator('header').click({ modifiers: ['Control'] });
  await expect(page.getByTestId('inspector-title')).toHaveText(`${branch.length} nodes selected`);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node')).toHaveCount(21 - branch.length);
  await expect(errorNodes(page)).toHaveCount(0);
  await expect(page.getByTestId('problems').locator('.count.error')).toHaveText('0 errors');
  // The losses keep their open image ports (italic), the trainer its open loss ports.
  await expect(nodeEl(page, 'g_adv').locator('[data-input="fake0"] .name.optional')).toBeVisible();
  const totals = { g: await netParams(page, 'G').textContent(), d: await netParams(page, 'D').textContent() };
  await page.screenshot({ path: shot('heal-local-branch-deleted') });

  await openExample(page, 'ablation-cityscapes-global-only-tiny.json');
  await page.getByTestId('unsaved-leave').click();
  await expect(page.getByTestId('graph-file')).toHaveText('ablation-cityscapes-global-only-tiny.json');
  await expect(netParams(page, 'G')).toHaveText(totals.g!);
  await expect(netParams(page, 'D')).toHaveText(totals.d!);
  expect(errors).toEqual([]);
});
