/**
 * Journeys for the app's foundation slice: open on the embedded default graph, reject a malformed
 * file without losing the current graph, switch to another valid graph, toggle the theme.
 * Each journey leaves a screenshot in e2e/.output/.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const defaultGraphText = readFileSync(fileURLToPath(new URL('../graphs/tiny-pix2pix.json', import.meta.url)), 'utf8');
const defaultGraph = JSON.parse(defaultGraphText) as { meta: { name: string }; nodes: { id: string }[] };
const shot = (name: string) => fileURLToPath(new URL(`.output/${name}.png`, import.meta.url));

/** Console errors and uncaught exceptions seen by the page; every journey ends with none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('graph-name')).toHaveText(defaultGraph.meta.name);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-status', 'ready');
}

test('opens on the default graph with shapes, totals and the backend', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);

  const table = page.getByTestId('node-table');
  await expect(table.locator('tbody tr')).toHaveCount(defaultGraph.nodes.length);
  for (const { id } of defaultGraph.nodes) await expect(table.locator(`tr[data-node="${id}"]`)).toBeVisible();
  // At least one node has an inferred output shape such as "H/2×W/2×8".
  await expect(table.locator('td.shape .mono').first()).toHaveText(/\d|[HW]/);

  const totals = page.getByTestId('totals');
  await expect(totals).toBeVisible();
  await expect(totals.locator('tbody tr').first()).toContainText(/\d/);

  // This Chromium offers WebGPU through SwiftShader (--enable-unsafe-webgpu).
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('problems')).toBeVisible();

  await page.screenshot({ path: shot('app') });
  expect(errors).toEqual([]);
});

test('a malformed file shows the error with line and column and keeps the graph', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  const table = page.getByTestId('node-table');
  const before = await table.innerHTML();
  const boxBefore = await table.boundingBox();

  const truncated = defaultGraphText.slice(0, Math.floor(defaultGraphText.length / 2));
  await page.getByTestId('open-file').setInputFiles({
    name: 'broken.lggan.json',
    mimeType: 'application/json',
    buffer: Buffer.from(truncated),
  });

  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('broken.lggan.json');
  await expect(banner).toContainText(/broken\.lggan\.json:\d+:\d+/);

  await expect(page.getByTestId('graph-name')).toHaveText(defaultGraph.meta.name);
  expect(await table.innerHTML()).toBe(before);
  // The banner floats: nothing under it moved.
  expect(await table.boundingBox()).toEqual(boxBefore);

  await page.screenshot({ path: shot('malformed-file') });
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('opening a valid graph file switches to it', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);

  // Same graph under another name, with its first node renamed (edges follow), so the switch shows.
  type Ref = { node: string };
  const other = JSON.parse(defaultGraphText) as {
    meta: { name: string };
    nodes: { id: string }[];
    edges: { from: Ref; to: Ref }[];
    groups?: { nodes: string[] }[];
  };
  other.meta.name = 'Opened in e2e';
  const oldId = other.nodes[0].id;
  const newId = `${oldId}_renamed`;
  other.nodes[0].id = newId;
  for (const e of other.edges) for (const end of [e.from, e.to]) if (end.node === oldId) end.node = newId;
  for (const g of other.groups ?? []) g.nodes = g.nodes.map((id) => (id === oldId ? newId : id));

  await page.getByTestId('open-file').setInputFiles({
    name: 'other.lggan.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(other, null, 2)),
  });

  await expect(page.getByTestId('graph-name')).toHaveText('Opened in e2e');
  await expect(page.getByTestId('graph-file')).toHaveText('other.lggan.json');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  const table = page.getByTestId('node-table');
  await expect(table.locator('tbody tr')).toHaveCount(other.nodes.length);
  await expect(table.locator(`tr[data-node="${newId}"]`)).toBeVisible();
  await expect(table.locator(`tr[data-node="${oldId}"]`)).toHaveCount(0);

  await page.screenshot({ path: shot('opened-file') });
  expect(errors).toEqual([]);
});

test('problems of an opened graph are listed and lead to their node', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);

  // A conv whose kernel is far outside its range: the graph loads, the resolver reports the param.
  const bad = JSON.parse(defaultGraphText) as { nodes: { id: string; type: string; params: Record<string, unknown> }[] };
  const conv = bad.nodes.find((n) => n.type === 'core/conv2d');
  if (!conv) throw new Error('the default graph has no core/conv2d node to break');
  conv.params.kernel = 99;
  await page.getByTestId('open-file').setInputFiles({
    name: 'bad-param.lggan.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(bad, null, 2)),
  });

  const problems = page.getByTestId('problems');
  const problem = problems.locator('tr.error', { hasText: `node '${conv.id}'` }).first();
  await expect(problem).toBeVisible();
  await expect(problem).toContainText('kernel');
  const row = page.getByTestId('node-table').locator(`tr[data-node="${conv.id}"]`);
  await expect(row.locator('.dot.error')).toBeVisible();
  await problem.click();
  await expect(row).toHaveClass(/highlighted/);

  await page.screenshot({ path: shot('problems') });
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
