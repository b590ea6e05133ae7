/**
 * Editor journeys, each as a new user would do it: build a generator from an empty canvas,
 * have a wrong wire refused, edit a param and undo/redo it, the comforts (duplicate, copy/paste,
 * delete, box select, help), autosave across a reload, and a share link in a fresh browser.
 * Each journey leaves a screenshot in e2e/.output/.
 */
import { expect, test } from '@playwright/test';
import { defaultGraph, dragFromPalette, dragWire, netParams, nodeEl, openApp, shot, watchErrors } from './editor.test-util.ts';

test('build a small generator from an empty canvas by dragging nodes and wiring them', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await page.getByTestId('new').click();
  await expect(page.getByTestId('node')).toHaveCount(0);

  // 340 px apart: the cards are 320 px wide.
  await dragFromPalette(page, 'core/semantic-input', 40, 120);
  await dragFromPalette(page, 'core/conv2d', 380, 120);
  await page.getByTestId('palette-search').fill('output');
  await dragFromPalette(page, 'core/output', 720, 120);
  await expect(page.getByTestId('node')).toHaveCount(3);
  // Before wiring, the open inputs are problems on their nodes.
  await expect(nodeEl(page, 'conv2d')).toHaveAttribute('data-severity', 'error');

  await dragWire(page, ['semantic-input', 'semantic'], ['conv2d', 'x']);
  await dragWire(page, ['conv2d', 'y'], ['output', 'value']);
  await expect(page.getByTestId('wire')).toHaveCount(2);
  await expect(nodeEl(page, 'conv2d')).toHaveAttribute('data-severity', 'ok');
  await expect(nodeEl(page, 'output')).toHaveAttribute('data-severity', 'ok');
  // The conv's output shape is inferred and shown on its port (64 default channels, same size).
  await expect(nodeEl(page, 'conv2d').locator('[data-output="y"] [data-testid="port-shape"]')).toHaveText(/^\d+×\d+×64$/);
  await expect(nodeEl(page, 'conv2d').locator('[data-output="y"] [data-testid="port-shape"]')).toHaveAttribute('title', /^H×W×64\n/);
  await expect(page.getByTestId('tab-problems')).not.toContainText(/\d/);
  await expect(netParams(page, 'G')).not.toHaveText('0');

  await page.screenshot({ path: shot('editor-build') });
  expect(errors).toEqual([]);
});

test('a wire that does not fit is refused with its reason', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const wires = await page.getByTestId('wire').count();

  await dragWire(page, ['g_adv', 'loss'], ['fusion', 'global']);
  const refusal = page.getByTestId('wire-refused');
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText("'fusion'.global expects image");
  await expect(refusal).toContainText('got loss');
  await expect(page.getByTestId('wire')).toHaveCount(wires);
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.screenshot({ path: shot('editor-refused-wire') });
  expect(errors).toEqual([]);
});

test('editing a param updates shapes and totals; undo and redo restore both', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const encoder = nodeEl(page, 'encoder');
  const shape = encoder.locator('[data-output="features"] [data-testid="port-shape"]');
  const before = { shape: await shape.textContent(), g: await netParams(page, 'G').textContent() };

  await encoder.locator('header').click();
  await expect(page.getByTestId('inspector-title')).toHaveText('Shared encoder E');
  const ngf = page.locator('[data-testid="param"][data-param="ngf"] input');
  await ngf.fill('16');
  await ngf.press('Enter');
  await expect(shape).not.toHaveText(before.shape!);
  await expect(netParams(page, 'G')).not.toHaveText(before.g!);
  const after = { shape: await shape.textContent(), g: await netParams(page, 'G').textContent() };

  await page.keyboard.press('Control+z');
  await expect(shape).toHaveText(before.shape!);
  await expect(netParams(page, 'G')).toHaveText(before.g!);
  await expect(ngf).toHaveValue('');

  await page.keyboard.press('Control+Shift+z');
  await expect(shape).toHaveText(after.shape!);
  await expect(netParams(page, 'G')).toHaveText(after.g!);

  // An out-of-range value is shown at the field, from the resolver's diagnostics.
  await ngf.fill('0');
  await ngf.press('Enter');
  await expect(page.locator('[data-testid="param"][data-param="ngf"] [data-testid="param-error"]')).toBeVisible();
  await expect(encoder).toHaveAttribute('data-severity', 'error');
  await page.getByTestId('undo').click();
  await expect(encoder).toHaveAttribute('data-severity', 'ok');

  await page.screenshot({ path: shot('editor-param-undo') });
  expect(errors).toEqual([]);
});

test('duplicate, copy/paste, delete and box select, each undoable as one step', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const nodes = page.getByTestId('node');
  const n = defaultGraph.nodes.length;
  await expect(nodes).toHaveCount(n);

  await nodeEl(page, 'masks').locator('header').click();
  await page.keyboard.press('Control+d');
  await expect(nodes).toHaveCount(n + 1);
  await expect(nodeEl(page, 'masks_2')).toBeVisible();

  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(nodes).toHaveCount(n + 2);

  // Box select two nodes (shift-drag on the background), then delete both in one step.
  // The edited graph is not saved: New asks first.
  await page.getByTestId('new').click();
  await page.getByTestId('unsaved-leave').click();
  await page.getByTestId('palette-item').and(page.locator('[data-type="core/add"]')).click();
  await page.getByTestId('palette-item').and(page.locator('[data-type="core/add"]')).click();
  await expect(nodes).toHaveCount(2);
  await page.getByTestId('fit').click();
  const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(canvasBox.x + 5, canvasBox.y + 5);
  await page.mouse.down();
  await page.mouse.move(canvasBox.x + canvasBox.width - 5, canvasBox.y + canvasBox.height - 5, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.getByTestId('inspector-title')).toHaveText('2 nodes selected');
  await page.keyboard.press('Delete');
  await expect(nodes).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(nodes).toHaveCount(2);

  await page.keyboard.press('?');
  await expect(page.getByTestId('help-dialog')).toContainText('Ctrl+D');
  await page.screenshot({ path: shot('editor-comforts') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-dialog')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('autosave: edits survive a reload', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await nodeEl(page, 'g_vgg').locator('header').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node')).toHaveCount(defaultGraph.nodes.length - 1);
  await page.getByTestId('graph-name-input').fill('My edited graph');
  await page.getByTestId('graph-name-input').press('Enter');
  await expect(page.getByTestId('graph-name')).toHaveText('My edited graph');
  await expect(page.getByTestId('autosave')).toHaveAttribute('data-pending', 'false');
  await expect(page.getByTestId('autosave')).toContainText('Autosaved');

  await page.reload();
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('graph-name')).toHaveText('My edited graph');
  await expect(page.getByTestId('node')).toHaveCount(defaultGraph.nodes.length - 1);
  await expect(nodeEl(page, 'g_vgg')).toHaveCount(0);

  await page.screenshot({ path: shot('editor-autosave-reload') });
  expect(errors).toEqual([]);
});

test('a share link opens the same graph in a fresh browser', async ({ page, browser }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await nodeEl(page, 'classifier').locator('header').click();
  await page.keyboard.press('Delete');
  await page.getByTestId('graph-name-input').fill('Shared without classifier');
  await page.getByTestId('graph-name-input').press('Enter');
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-url').inputValue();
  expect(url).toMatch(/#graph=[A-Za-z0-9_-]+$/);

  const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const other = await fresh.newPage();
  const otherErrors = watchErrors(other);
  await openApp(other, url);
  await expect(other.getByTestId('graph-name')).toHaveText('Shared without classifier');
  await expect(other.getByTestId('graph-file')).toHaveText('share link');
  await expect(other.getByTestId('node')).toHaveCount(defaultGraph.nodes.length - 1);
  await expect(nodeEl(other, 'classifier')).toHaveCount(0);
  // The hash is consumed, so a reload shows the autosaved graph instead of re-opening the link.
  expect(new URL(other.url()).hash).toBe('');
  await other.screenshot({ path: shot('editor-share-link') });

  // A damaged link says so and opens the default graph.
  await other.goto(url.slice(0, url.length - 30) + '!!');
  await expect(other.getByTestId('error-banner')).toContainText('share link');
  await expect(other.getByTestId('graph-name')).toHaveText('Shared without classifier');
  await fresh.close();
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});
