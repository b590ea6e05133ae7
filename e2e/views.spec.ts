/**
 * The two editor views and the file formats, as a user meets them in the app: edit in the
 * litegraph view (a real drag moves a node, a param set through litegraph), switch back and see
 * it in Rete, undo it there, save it and find the edit in the file; open a ComfyUI workflow by
 * dropping it, with its placeholder and problems shown in both views; a bad litegraph file leaves
 * the graph as it was; save as litegraph JSON; export to PyTorch (a zip with train.py, or the
 * node that cannot be exported, and nothing downloaded). Screenshots go to e2e/.output/.
 */
import { expect, test, type Download, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GraphDocument } from '../src/graph/document.ts';
import {
  defaultGraph,
  dropFile,
  litegraphCanvas,
  litegraphTitle,
  mouseDrag,
  nodeEl,
  openApp,
  shot,
  showLitegraph,
  showRete,
  watchErrors,
  withoutSavePicker,
  type HostCanvas,
} from './editor.test-util.ts';

const comfyText = readFileSync(fileURLToPath(new URL('../src/interop/litegraph/fixtures/comfy-workflow.json', import.meta.url)), 'utf8');
const pix2pixText = readFileSync(fileURLToPath(new URL('../graphs/tiny-pix2pix.json', import.meta.url)), 'utf8');

/** The document the litegraph view holds now. */
const litegraphDoc = (page: Page) => litegraphCanvas(page).evaluate((el) => JSON.parse(JSON.stringify((el as HostCanvas).litegraphHost.document))) as Promise<GraphDocument>;
const litegraphParam = (page: Page, node: string, name: string) =>
  litegraphCanvas(page).evaluate((el, [id, param]) => (el as HostCanvas).litegraphHost.nodeOf(id)?.properties[param], [node, name] as const);

async function downloaded(download: Download): Promise<Buffer> {
  return readFileSync((await download.path())!);
}

/** One frame for the litegraph canvas to draw before a screenshot. */
const frame = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

test('edit in the litegraph view, switch back, undo there, and save the edit', async ({ page }) => {
  const errors = watchErrors(page);
  await withoutSavePicker(page);
  await openApp(page);
  const shape = nodeEl(page, 'encoder').locator('[data-output="features"] [data-testid="port-shape"]');
  const shapeBefore = await shape.textContent();

  await showLitegraph(page);
  await expect(page.getByTestId('canvas')).toHaveCount(0);
  expect((await litegraphDoc(page)).nodes).toHaveLength(defaultGraph.nodes.length);

  // A real drag on the title bar moves the node: one undo step, named after the edit.
  const title = await litegraphTitle(page, 'trunk');
  await mouseDrag(page, title, { x: title.x + 120, y: title.y + 60 });
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Move node (litegraph) (Ctrl+Z)');
  const moved = (await litegraphDoc(page)).nodes.find((n) => n.id === 'trunk')!.position;
  expect(moved.x).toBeGreaterThan(280 + 60);
  expect(moved.y).toBeGreaterThan(200 + 30);

  // A param set through litegraph (as its widgets and property panel do); the inspector follows the selection.
  await litegraphCanvas(page).evaluate((el) => (el as HostCanvas).litegraphHost.nodeOf('encoder')!.setProperty('ngf', 8));
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Set encoder.ngf (litegraph) (Ctrl+Z)');
  await page.mouse.click((await litegraphTitle(page, 'encoder')).x, (await litegraphTitle(page, 'encoder')).y);
  await expect(page.getByTestId('inspector-title')).toHaveText('Shared encoder E');
  await expect(page.locator('[data-testid="param"][data-param="ngf"] input')).toHaveValue('8');

  // Undo and redo work in this view too: the canvas shows the document's state each time.
  await page.keyboard.press('Control+z');
  await expect.poll(() => litegraphParam(page, 'encoder', 'ngf')).not.toBe(8);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => litegraphParam(page, 'encoder', 'ngf')).toBe(8);
  await frame(page);
  await page.screenshot({ path: shot('views-litegraph-edit') });

  // Back in Rete: the same document, the edit shown; undo there reverts what litegraph did.
  await showRete(page);
  await expect(shape).not.toHaveText(shapeBefore!);
  const shapeAfter = await shape.textContent();
  await page.keyboard.press('Control+z');
  await expect(shape).toHaveText(shapeBefore!);
  await page.keyboard.press('Control+Shift+z');
  await expect(shape).toHaveText(shapeAfter!);
  await page.screenshot({ path: shot('views-back-in-rete') });

  // Save as .lggan.json: the downloaded file has both edits.
  await page.getByTestId('save-as').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-as-lggan').click()]);
  expect(download.suggestedFilename()).toBe('lggan-cityscapes-tiny.lggan.json');
  const saved = JSON.parse((await downloaded(download)).toString('utf8')) as GraphDocument;
  expect(saved.format).toBe('lggan-studio.graph');
  expect(saved.nodes.find((n) => n.id === 'encoder')!.params.ngf).toBe(8);
  expect(saved.nodes.find((n) => n.id === 'trunk')!.position).toEqual(moved);
  expect(saved.edges).toHaveLength(defaultGraph.edges.length);
  // It names its JSON Schema first: this site's copy, which is there.
  expect(Object.keys(saved)[0]).toBe('$schema');
  const schemaUrl = (saved as unknown as { $schema: string }).$schema;
  expect(schemaUrl).toBe(await page.evaluate(() => new URL('schema/graph-v2.schema.json', document.baseURI).href));
  const schema = await page.request.get(schemaUrl);
  expect(schema.ok()).toBe(true);
  expect((await schema.json()).properties.format.const).toBe('lggan-studio.graph');

  // The choice of view is remembered across a reload.
  await showLitegraph(page);
  await page.reload();
  await expect(page.getByTestId('litegraph-view')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('view-litegraph')).toHaveAttribute('aria-pressed', 'true');
  expect(errors).toEqual([]);
});

test('a dropped ComfyUI workflow opens with its placeholder and problems, in both views; a bad one changes nothing', async ({ page }) => {
  const errors = watchErrors(page);
  await withoutSavePicker(page);
  await openApp(page);

  await dropFile(page, 'comfy-workflow.json', comfyText);
  await expect(page.getByTestId('graph-name')).toHaveText('comfy-workflow');
  await expect(page.getByTestId('notice')).toContainText('Opened comfy-workflow.json as litegraph/ComfyUI JSON · 1 unknown node type kept as a placeholder');
  await expect(page.getByTestId('node')).toHaveCount(5);
  await expect(nodeEl(page, '15')).toContainText('unknown type: kept as is');
  const problems = page.getByTestId('problems');
  await expect(problems).toContainText("unknown node type 'foreign/KSampler'");
  // The workflow's widgets name template values ComfyUI's graph does not define: errors at node 4.
  await expect(problems).toContainText("unknown name 'num_classes'");
  await page.screenshot({ path: shot('views-comfy-rete') });

  await showLitegraph(page);
  const doc = await litegraphDoc(page);
  expect(doc.nodes.map((n) => n.type)).toContain('foreign/KSampler');
  // Problems stay listed; a click on one selects the node in this view too.
  await problems.locator('tr', { hasText: 'foreign/KSampler' }).click();
  await expect(page.getByTestId('inspector-title')).toContainText('KSampler');
  await frame(page);
  await page.screenshot({ path: shot('views-comfy-litegraph') });

  // A litegraph file whose link names a node that is not there: the banner says where; nothing changes.
  const bad = JSON.parse(comfyText);
  bad.links[1][3] = 99;
  await page.getByTestId('open-file').setInputFiles({ name: 'broken-workflow.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad, null, 2)) });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('broken-workflow.json was not opened; the current graph is unchanged');
  await expect(banner).toContainText('broken-workflow.json');
  await expect(banner).toContainText('/links/1');
  await expect(page.getByTestId('graph-name')).toHaveText('comfy-workflow');
  expect((await litegraphDoc(page)).nodes).toHaveLength(5);
  await page.screenshot({ path: shot('views-bad-litegraph-file') });

  // Save as litegraph JSON, then open that file again: the same graph.
  await page.getByTestId('error-banner').getByRole('button', { name: 'Dismiss' }).click();
  await page.getByTestId('save-as').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-as-litegraph').click()]);
  expect(download.suggestedFilename()).toBe('comfy-workflow.litegraph.json');
  const liteText = (await downloaded(download)).toString('utf8');
  const lite = JSON.parse(liteText);
  expect(Array.isArray(lite.nodes) && Array.isArray(lite.links)).toBe(true);
  expect(lite.nodes.map((n: { type: string }) => n.type)).toContain('KSampler');
  await page.getByTestId('open-file').setInputFiles({ name: 'comfy-workflow.litegraph.json', mimeType: 'application/json', buffer: Buffer.from(liteText) });
  await expect(page.getByTestId('notice')).toContainText('as litegraph/ComfyUI JSON');
  expect((await litegraphDoc(page)).nodes.map((n) => n.id)).toEqual(doc.nodes.map((n) => n.id));
  expect(errors).toEqual([]);
});

test('export to PyTorch downloads a zip with train.py; an unexportable node is named and nothing is downloaded', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pytorch').click()]);
  expect(download.suggestedFilename()).toBe('LGGAN-Cityscapes-tiny-pytorch.zip');
  const entries = unzipSync(new Uint8Array(await downloaded(download)));
  expect(Object.keys(entries)).toEqual(expect.arrayContaining(['train.py', 'model.py', 'objective.py', 'config.json', 'graph.lggan.json', 'README.md']));
  expect(JSON.parse(strFromU8(entries['config.json']))).toMatchObject({ format: 'lggan-studio.pytorch-export', graph_name: defaultGraph.meta.name });
  expect(strFromU8(entries['graph.lggan.json'])).toContain('"name": "LGGAN Cityscapes (tiny)"');
  await expect(page.getByTestId('notice')).toContainText('Downloaded LGGAN-Cityscapes-tiny-pytorch.zip');

  // A graph with a node type this build does not know, in the path to an output.
  const withPlaceholder = JSON.parse(pix2pixText);
  withPlaceholder.nodes.find((n: { id: string }) => n.id === 'enc_act').type = 'foreign/Mystery';
  await page.getByTestId('open-file').setInputFiles({ name: 'mystery.lggan.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(withPlaceholder, null, 2)) });
  await expect(page.getByTestId('graph-file')).toHaveText('mystery.lggan.json');
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('export-pytorch').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('was not exported to PyTorch; nothing was downloaded');
  await expect(banner).toContainText("node 'enc_act' (foreign/Mystery) cannot be exported to PyTorch: the node type is unknown to this build");
  await expect(page.getByTestId('export-pytorch')).toBeEnabled();
  expect(downloads).toEqual([]);
  await page.screenshot({ path: shot('views-export-refused') });
  expect(errors).toEqual([]);
});

test('in the litegraph view the palette, Delete, undo and the V and help shortcuts act on the same document', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await page.keyboard.press('v');
  await expect(page.getByTestId('litegraph-view')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('view-litegraph')).toHaveAttribute('aria-pressed', 'true');
  const edgesBefore = (await litegraphDoc(page)).edges.length;

  // The palette adds in the middle of the view, selected; Delete removes it again, one undo step each.
  await page.locator('[data-testid="palette-item"][data-type="core/activation"]').click();
  await expect.poll(async () => (await litegraphDoc(page)).nodes.some((n) => n.id === 'activation')).toBe(true);
  await expect(page.getByTestId('inspector-title')).toHaveText('Activation');
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await litegraphDoc(page)).nodes.some((n) => n.id === 'activation')).toBe(false);
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Delete activation (Ctrl+Z)');

  // Delete on litegraph's own canvas goes through the app too: the node's wires go with it, and
  // nothing is rewired around it (litegraph alone would join the deleted node's input to its output).
  // The canvas redraws after the delete above; a click that lands mid-redraw is tried again.
  await expect(async () => {
    const title = await litegraphTitle(page, 'trunk');
    await page.mouse.click(title.x, title.y);
    await expect(page.getByTestId('inspector-title')).toHaveText('Local trunk', { timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await litegraphDoc(page)).nodes.some((n) => n.id === 'trunk')).toBe(false);
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo Delete trunk (Ctrl+Z)'); // the app's delete, not litegraph's
  const touching = defaultGraph.edges.filter((e) => JSON.stringify(e).includes('"node":"trunk"')).length;
  expect((await litegraphDoc(page)).edges).toHaveLength(edgesBefore - touching);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await litegraphDoc(page)).edges.length).toBe(edgesBefore);

  // A node dragged from the palette drops where it is let go.
  const box = (await litegraphCanvas(page).boundingBox())!;
  await page.locator('[data-testid="palette-item"][data-type="core/conv2d"]').dragTo(litegraphCanvas(page), { targetPosition: { x: box.width - 120, y: box.height - 80 } });
  await expect.poll(async () => (await litegraphDoc(page)).nodes.some((n) => n.id === 'conv2d')).toBe(true);
  const dropped = await litegraphTitle(page, 'conv2d');
  expect(dropped.x).toBeGreaterThan(box.x + box.width / 2);
  expect(dropped.y).toBeGreaterThan(box.y + box.height / 2);

  await page.keyboard.press('?');
  await expect(page.getByTestId('help-dialog')).toContainText('Switch the editor view');
  await page.keyboard.press('Escape');
  await page.keyboard.press('v');
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await expect(nodeEl(page, 'conv2d')).toBeVisible();
  await expect(nodeEl(page, 'trunk')).toBeVisible();
  expect(errors).toEqual([]);
});
