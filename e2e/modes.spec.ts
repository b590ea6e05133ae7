/**
 * Bypass and mute in the editor: from the full LGGAN graph, bypass the attention fusion (its global
 * image goes straight through) and mute the local branch, as for the global-only ablation; the
 * cards show it, the totals drop to the global-only generator's, one undo step reverts each toggle,
 * and the node menu offers both. Screenshot: e2e/.output/modes-global-only.png.
 * The litegraph view edits the same modes: its Mode menu offers Bypass, Ctrl+M / Ctrl+B toggle, the canvas
 * draws them, and the Rete view and Problems agree. Screenshot: e2e/.output/modes-litegraph.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatCount } from '../src/app/format.ts';
import type { GraphDocument } from '../src/graph/document.ts';
import { defaultGraph, litegraphCanvas, litegraphTitle, netParams, nodeEl, openApp, shot, showLitegraph, showRete, watchErrors, type HostCanvas } from './editor.test-util.ts';

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

/** The document the litegraph view holds now, and how it draws one node. */
const litegraphDoc = (page: Page) => litegraphCanvas(page).evaluate((el) => JSON.parse(JSON.stringify((el as HostCanvas).litegraphHost.document))) as Promise<GraphDocument>;
const modeIn = async (page: Page, id: string) => (await litegraphDoc(page)).nodes.find((n) => n.id === id)!.mode;
const drawnAs = (page: Page, id: string) =>
  litegraphCanvas(page).evaluate((el, node) => {
    const n = (el as HostCanvas).litegraphHost.nodeOf(node) as unknown as { mode: number; lgganMode?: string };
    return { mode: n.mode, look: n.lgganMode ?? 'active' };
  }, id);
const menuEntry = (page: Page, text: string) => page.locator('.litecontextmenu .litemenu-entry', { hasText: text }).last();
const frame = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

test('litegraph view: bypass the fusion from its Mode menu, mute with Ctrl+M; Rete and Problems agree; undo', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const problems = page.getByTestId('problems').locator('header');
  const problemsBefore = await problems.textContent();
  const fullG = await netParams(page, 'G').textContent();
  await showLitegraph(page);

  // Right-click the fusion node → Mode: litegraph's own modes are replaced by the document's three.
  const fusion = await litegraphTitle(page, 'fusion');
  await page.mouse.click(fusion.x, fusion.y, { button: 'right' });
  await menuEntry(page, 'Mode').click();
  await expect(page.locator('.litecontextmenu').last().locator('.litemenu-entry')).toHaveText(['Always ✓', 'Bypass', 'Never (mute)']);
  await menuEntry(page, 'Bypass').click();
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Bypass fusion (litegraph) (Ctrl+Z)');
  expect(await modeIn(page, 'fusion')).toBe('bypass');
  await expect.poll(() => drawnAs(page, 'fusion')).toEqual({ mode: 4, look: 'bypass' });
  const problemsBypassed = await problems.textContent();

  // Ctrl+M on the selected trunk: muted, and what only it fed is drawn half-dimmed.
  const trunk = await litegraphTitle(page, 'trunk');
  await page.mouse.click(trunk.x, trunk.y);
  await page.keyboard.press('Control+m');
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Mute trunk (Ctrl+Z)');
  await expect.poll(() => drawnAs(page, 'trunk')).toEqual({ mode: 2, look: 'mute' });
  expect(await drawnAs(page, 'local')).toEqual({ mode: 0, look: 'left-out' });
  expect(await drawnAs(page, 'encoder')).toEqual({ mode: 0, look: 'active' });
  await frame(page);
  await page.screenshot({ path: shot('modes-litegraph') });

  // Ctrl+Z in the litegraph view takes the mute back, one step.
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Bypass fusion (litegraph) (Ctrl+Z)');
  await expect.poll(() => drawnAs(page, 'trunk')).toEqual({ mode: 0, look: 'active' });
  await expect.poll(() => drawnAs(page, 'local')).toEqual({ mode: 0, look: 'active' });

  // Ctrl+B toggles as in Rete: the bypassed fusion becomes active; Ctrl+Z brings the bypass back.
  await page.mouse.click(fusion.x, fusion.y);
  await page.keyboard.press('Control+b');
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Un-bypass fusion (Ctrl+Z)');
  await expect.poll(() => drawnAs(page, 'fusion')).toEqual({ mode: 0, look: 'active' });
  await page.keyboard.press('Control+z');
  await expect.poll(() => drawnAs(page, 'fusion')).toEqual({ mode: 4, look: 'bypass' });

  // The Rete view shows the bypass the litegraph menu made; Problems say the same in both views.
  await showRete(page);
  await expect(nodeEl(page, 'fusion')).toHaveAttribute('data-mode', 'bypass');
  await expect(nodeEl(page, 'trunk')).toHaveAttribute('data-mode', 'active');
  await expect(problems).toHaveText(problemsBypassed!);
  await page.keyboard.press('Control+z');
  await expect(nodeEl(page, 'fusion')).toHaveAttribute('data-mode', 'active');
  await expect(problems).toHaveText(problemsBefore!);
  await expect(netParams(page, 'G')).toHaveText(fullG!);
  expect(errors).toEqual([]);
});
