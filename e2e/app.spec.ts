/**
 * Journeys for the app shell around the editor: open on the embedded default graph (shapes,
 * totals, backend, no console errors), reject a malformed file without losing the graph, open a
 * valid file, jump from a problem to its node, the examples menu, and the theme toggle.
 * Each journey leaves a screenshot in e2e/.output/.
 */
import { expect, test } from '@playwright/test';
import { defaultGraph, defaultGraphText, netParams, nodeEl, openApp, openExample, shot, watchErrors } from './editor.test-util.ts';

test('opens on the default graph with shapes, totals and the backend', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await expect(page.getByTestId('graph-name')).toHaveText(defaultGraph.meta.name);

  await expect(page.getByTestId('node')).toHaveCount(defaultGraph.nodes.length);
  for (const { id } of defaultGraph.nodes) await expect(nodeEl(page, id)).toHaveCount(1);
  await expect(page.getByTestId('wire')).toHaveCount(defaultGraph.edges.length);
  // Shapes in numbers such as "16×32×16" on the ports ("H/4×W/4×16" on hover); cost badges on the nodes.
  await expect(nodeEl(page, 'encoder').locator('[data-testid="port-shape"]').first()).toHaveText(/^\d+(×\d+)*$/);
  await expect(nodeEl(page, 'encoder').locator('[data-testid="port-shape"]').first()).toHaveAttribute('title', /[HW]/);
  await expect(nodeEl(page, 'encoder').getByTestId('node-badge')).toContainText('params');
  // Totals per network and the memory estimate in the status bar.
  await expect(netParams(page, 'G')).toHaveText(/\d/);
  await expect(netParams(page, 'D')).toHaveText(/\d/);
  await expect(page.getByTestId('memory')).toHaveText(/\d/);
  // Group frames from the document.
  await expect(page.getByTestId('frame')).toHaveCount(3);

  // This Chromium offers WebGPU only through SwiftShader (--enable-unsafe-webgpu), a software
  // adapter: the policy times it against wasm and takes the faster, so either may win here.
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm)$/, { timeout: 30_000 });
  await expect(page.getByTestId('backend').locator('..')).toHaveAttribute('title', /webgpu/);
  await page.screenshot({ path: shot('app') });
  expect(errors).toEqual([]);
});

test('a malformed file shows the error with line and column and keeps the graph', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const canvas = page.getByTestId('canvas');
  const boxBefore = await nodeEl(page, 'encoder').boundingBox();

  const truncated = defaultGraphText.slice(0, Math.floor(defaultGraphText.length / 2));
  await page.getByTestId('open-file').setInputFiles({ name: 'broken.lggan.json', mimeType: 'application/json', buffer: Buffer.from(truncated) });

  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/broken\.lggan\.json:\d+:\d+/);
  await expect(page.getByTestId('graph-name')).toHaveText(defaultGraph.meta.name);
  await expect(canvas.getByTestId('node')).toHaveCount(defaultGraph.nodes.length);
  // The banner floats: nothing under it moved.
  expect(await nodeEl(page, 'encoder').boundingBox()).toEqual(boxBefore);
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.screenshot({ path: shot('malformed-file') });
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('opening a valid graph file switches to it', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  // The default graph without its perceptual loss, under another name.
  type Doc = Omit<typeof defaultGraph, 'edges'> & { edges: { from: { node: string }; to: { node: string } }[]; groups: { nodes: string[] }[] };
  const other = JSON.parse(defaultGraphText) as Doc;
  other.meta.name = 'Opened in e2e';
  other.nodes = other.nodes.filter((n) => n.id !== 'g_vgg');
  other.edges = other.edges.filter((e) => e.from.node !== 'g_vgg' && e.to.node !== 'g_vgg');
  for (const g of other.groups) g.nodes = g.nodes.filter((id) => id !== 'g_vgg');
  await page.getByTestId('open-file').setInputFiles({ name: 'other.lggan.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other, null, 2)) });

  await expect(page.getByTestId('graph-name')).toHaveText('Opened in e2e');
  await expect(page.getByTestId('graph-file')).toHaveText('other.lggan.json');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('node')).toHaveCount(other.nodes.length);
  await expect(nodeEl(page, 'g_vgg')).toHaveCount(0);
  await page.screenshot({ path: shot('opened-file') });
  expect(errors).toEqual([]);
});

test('problems are listed, shown on the node, and lead to it', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const bad = JSON.parse(defaultGraphText) as typeof defaultGraph;
  const encoder = bad.nodes.find((n) => n.id === 'encoder')!;
  encoder.params.ngf = 99999;
  await page.getByTestId('open-file').setInputFiles({ name: 'bad-param.lggan.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad, null, 2)) });

  const problem = page.getByTestId('problems').locator('tr.error', { hasText: "node 'encoder'" }).first();
  await expect(problem).toBeVisible();
  await expect(problem).toContainText('ngf');
  await expect(nodeEl(page, 'encoder')).toHaveAttribute('data-severity', 'error');
  await expect(nodeEl(page, 'encoder').getByTestId('node-problem')).toBeVisible();
  await problem.click();
  await expect(page.getByTestId('inspector-title')).toHaveText('Shared encoder E');
  await expect(page.locator('[data-testid="param"][data-param="ngf"] [data-testid="param-error"]')).toBeVisible();
  // Centred in the canvas.
  const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
  const nodeBox = (await nodeEl(page, 'encoder').boundingBox())!;
  expect(Math.abs(nodeBox.x + nodeBox.width / 2 - (canvasBox.x + canvasBox.width / 2))).toBeLessThan(4);

  await page.screenshot({ path: shot('problems') });
  expect(errors).toEqual([]);
});

test('the examples menu opens a shipped graph in one click', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await openExample(page, 'tiny-pix2pix.json');
  await expect(page.getByTestId('graph-file')).toHaveText('tiny-pix2pix.json');
  await expect(nodeEl(page, 'd_in')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the theme toggle switches to dark and is remembered', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: shot('dark-theme') });
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(errors).toEqual([]);
});
