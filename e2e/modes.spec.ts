/**
 * Bypass and mute in the editor: from the full LGGAN graph, bypass the attention fusion (its global
 * image goes straight through) and mute the local branch, as for the global-only ablation; the
 * cards show it, the totals drop to the global-only generator's, one undo step reverts each toggle,
 * and the node menu offers both. Screenshot: e2e/.output/modes-global-only.png.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatCount } from '../src/app/format.ts';
import { defaultGraph, netParams, nodeEl, openApp, shot, watchErrors } from './editor-helpers.ts';

/** The global-only ablation's generator: encoder + global generator, as `lggan inspect` counts them. */
const globalOnly = JSON.parse(readFileSync(fileURLToPath(new URL('../graphs/ablation-cityscapes-global-only-tiny.json', import.meta.url)), 'utf8')) as { nodes: { id: string }[] };

test('bypass the fusion and mute the local branch: a global-only generator, shown on the cards, undoable', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const nodes = page.getByTestId('node');
  await expect(nodes).toHaveCount(defaultGraph.nodes.length);
  const fullG = await netParams(page, 'G').textContent();

  await nodeEl(page, 'fusion').locator('header').click();
  await page.keyboard.press('Control+b');
  await expect(nodeEl(page, 'fusion')).toHaveAttribute('data-mode', 'bypass');
  await expect(nodeEl(page, 'fusion').getByTestId('node-mode')).toHaveText('bypass');

  await nodeEl(page, 'trunk').locator('header').click();
  await nodeEl(page, 'masks').locator('header').click({ modifiers: ['Shift'] });
  await page.keyboard.press('Control+m');
  await expect(nodeEl(page, 'trunk')).toHaveAttribute('data-mode', 'mute');
  await expect(nodeEl(page, 'masks')).toHaveAttribute('data-mode', 'mute');
  // What only the local branch fed leaves the program too, but stays on the canvas, dimmed.
  await expect(nodeEl(page, 'local')).toHaveAttribute('data-mode', 'left-out');
  await expect(nodeEl(page, 'classifier')).toHaveAttribute('data-mode', 'left-out');
  await expect(nodes).toHaveCount(defaultGraph.nodes.length);
  await expect(nodeEl(page, 'encoder')).toHaveAttribute('data-mode', 'active');
  // The inspector offers the way back for the selection, and shows a muted node's mode and params.
  await expect(page.getByTestId('inspector-mute')).toHaveText('Un-mute (Ctrl+M)');
  await page.keyboard.press('Escape');
  await nodeEl(page, 'trunk').locator('header').click();
  await expect(page.getByTestId('inspector-mode')).toHaveText('mute');
  await expect(page.getByTestId('inspector-title')).toHaveText(/trunk/i);
  await nodeEl(page, 'local').locator('header').click();
  await expect(page.getByTestId('inspector-mode')).toHaveText('left out');

  // The generator is now the global-only one: encoder + global generator.
  const expectedG = formatCount(439_563);
  expect(globalOnly.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['encoder', 'global']));
  await expect(netParams(page, 'G')).toHaveText(expectedG);
  expect(expectedG).not.toBe(fullG);
  await page.getByTestId('fit').click();
  await page.screenshot({ path: shot('modes-global-only') });

  // One undo step per toggle (selecting is not a step).
  await page.keyboard.press('Control+z');
  await expect(nodeEl(page, 'trunk')).toHaveAttribute('data-mode', 'active');
  await expect(nodeEl(page, 'masks')).toHaveAttribute('data-mode', 'active');
  await expect(nodeEl(page, 'fusion')).toHaveAttribute('data-mode', 'bypass');
  await page.keyboard.press('Control+z');
  await expect(nodeEl(page, 'fusion')).toHaveAttribute('data-mode', 'active');
  await expect(netParams(page, 'G')).toHaveText(fullG!);

  // The node menu offers both, and the entry toggles.
  await nodeEl(page, 'fusion').locator('header').click({ button: 'right' });
  await page.getByTestId('context-menu').getByText('Bypass (Ctrl+B)').click();
  await expect(nodeEl(page, 'fusion')).toHaveAttribute('data-mode', 'bypass');
  await nodeEl(page, 'fusion').locator('header').click({ button: 'right' });
  await expect(page.getByTestId('context-menu').getByText('Un-bypass (Ctrl+B)')).toBeVisible();
  await expect(page.getByTestId('context-menu').getByText('Mute (Ctrl+M)')).toBeVisible();
  await page.screenshot({ path: shot('modes-menu') });
  expect(errors).toEqual([]);
});
