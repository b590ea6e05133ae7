/**
 * The run panel inside the real app (the dock's Run tab), with graphs opened from share links:
 * - train the 16×16 tiny training GAN three steps on WebGPU: the loss curve, the samples and the
 *   held-out metrics table fill, and "inspect sample" shows a training sample with the end weights;
 * - a 32×32 LGGAN graph (ADE20K tiny): inspect a sample with its attention maps and per-class
 *   images, and generate from an uploaded label-map PNG;
 * - load a PyTorch .pth of that graph's G (written here with our torch.save writer, from the
 *   graph's official keys): the report, a strict refusal of a damaged file and its partial import,
 *   generation with the imported weights, and the weights downloaded back as .pth.
 * A screenshot of each journey goes to e2e/.output/.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { createRegistry } from '../nodes/index.ts';
import { officialStateDict } from '../src/compiler/official.ts';
import { resolveGraph } from '../src/compiler/resolve.ts';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import type { GraphDocument } from '../src/graph/document.ts';
import { readTorchCheckpoint } from '../src/interop/pytorch/read.ts';
import { extractStateDict } from '../src/interop/pytorch/state-dict.ts';
import { tensorToFloat32 } from '../src/interop/pytorch/tensor.ts';
import { writeTorchCheckpoint, type TensorToSave } from '../src/interop/pytorch/write.ts';
import { tinyTrainingGraph } from '../src/browser/tiny-training-graph.test-util.ts';
import { openApp, shot, watchErrors } from './editor.test-util.ts';

const registry = createRegistry();

/** graphs/lggan-ade20k-tiny.json at 32×32: every LGGAN output (global, local, attention, per-class) and cheap enough for tfjs-cpu. */
function lggan32(): GraphDocument {
  const doc = JSON.parse(readFileSync(fileURLToPath(new URL('../graphs/lggan-ade20k-tiny.json', import.meta.url)), 'utf8')) as GraphDocument;
  doc.template = { ...doc.template, height: 32, width: 32 };
  doc.meta = { ...doc.meta, name: 'LGGAN ADE20K tiny 32x32' };
  return doc;
}

async function openRunTab(page: Page, doc: GraphDocument): Promise<Locator> {
  await openApp(page, `/${encodeShareHash(doc)}`);
  await expect(page.getByTestId('graph-name')).toHaveText(doc.meta.name);
  await page.getByTestId('tab-run').click();
  const panel = page.getByTestId('run-panel');
  await expect(panel).toBeVisible();
  return panel;
}

/** A grey 8-bit PNG whose pixel values are the ids `id(x, y)`. */
function labelPng(width: number, height: number, id: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = id(x, y);
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

/** Distinct colours of a canvas (1: blank). */
const coloursOf = (canvas: Locator) =>
  canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return new Set(Array.from({ length: d.length / 4 }, (_, p) => `${d[p * 4]},${d[p * 4 + 1]},${d[p * 4 + 2]}`)).size;
  });

const tileNames = (area: Locator) => area.getByTestId('image-tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-name')));

/** A state_dict for every official key of network G, with small seeded values (int64 counters 0). */
function officialG(doc: GraphDocument): TensorToSave[] {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2;
  return officialStateDict(resolveGraph(doc, registry, { batch: 1 }), 'G').map((e): TensorToSave => {
    const count = e.shape.reduce((n, d) => n * d, 1);
    return e.layout === 'scalar' || e.key.endsWith('num_batches_tracked')
      ? { key: e.key, dtype: 'int64', shape: e.shape, values: new BigInt64Array(count) }
      : { key: e.key, dtype: 'float32', shape: e.shape, values: Float32Array.from({ length: count }, () => (e.key.endsWith('running_var') ? 1 : random())) };
  });
}

test('trains three steps on WebGPU in the app: loss curve, samples and the metrics table fill; inspect a sample', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const panel = await openRunTab(page, tinyTrainingGraph());
  await panel.getByTestId('backend-setting').selectOption('webgpu');
  await panel.getByTestId('batch-size').fill('1');
  await panel.getByTestId('steps').fill('3');
  await panel.getByTestId('autosave-every').fill('0');
  await panel.getByTestId('sample-every').fill('1');
  await panel.getByTestId('eval-every').fill('1');
  await panel.getByTestId('held-out').fill('3');
  await panel.getByTestId('train').click();

  await expect(panel.getByTestId('run-backend')).toContainText('webgpu', { timeout: 30_000 });
  await expect(panel.getByTestId('samples')).toHaveAttribute('data-step', '1', { timeout: 60_000 });
  const pointsAfterOne = Number(await panel.getByTestId('loss-chart').getAttribute('data-points'));
  expect(pointsAfterOne).toBeGreaterThan(0);
  await expect(panel.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
  await expect(panel.getByTestId('run-step')).toHaveText('step 3 / 3');
  await expect(panel.getByTestId('samples')).toHaveAttribute('data-step', '3');
  expect(Number(await panel.getByTestId('loss-chart').getAttribute('data-points'))).toBe(pointsAfterOne * 3);

  // One metrics row per step, with numbers in every column.
  const rows = panel.getByTestId('metrics-row');
  await expect(rows).toHaveCount(3);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-step')))).toEqual(['1', '2', '3']);
  for (const metric of ['psnr', 'ssim', 'sd']) {
    const values = await rows.locator(`[data-metric="${metric}"]`).allTextContents();
    for (const v of values) expect(v, metric).toMatch(/^-?\d+\.\d+$/);
  }
  await expect(panel.getByTestId('metrics-table')).toContainText('3 images');

  // The weights the run ended with are kept as a checkpoint.
  await expect(panel.locator('[data-testid="checkpoint"][data-kind="snapshot"]')).toContainText('end of run');
  await panel.getByTestId('metrics-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('app-run-train') });

  // Inspect training sample 2 with those weights: its labels, the real image and the output.
  await panel.getByTestId('inspect-index').fill('2');
  await panel.getByTestId('inspect-run').click();
  const inspected = panel.getByTestId('inspect-outputs');
  await expect(inspected).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('inspect-error')).toHaveCount(0);
  expect(await tileNames(inspected)).toEqual(['condition', 'real', 'final']);
  await expect(panel.getByTestId('inspect-caption')).toContainText('sample 2 · end of run (step 3)');
  expect(await coloursOf(inspected.locator('[data-name="condition"] canvas'))).toBeGreaterThan(1);
  expect(await coloursOf(inspected.locator('[data-name="final"] canvas'))).toBeGreaterThan(1);
  // Beyond the dataset: the worker names the range.
  await panel.getByTestId('inspect-index').fill('16');
  await panel.getByTestId('inspect-run').click();
  await expect(panel.getByTestId('inspect-error')).toContainText('it has 16 samples (0 … 15)');
  await inspected.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('app-run-inspect') });
  expect(errors).toEqual([]);
});

test('an LGGAN graph in the app: inspect a sample (attention, per-class) and generate from an uploaded label map', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const panel = await openRunTab(page, lggan32());
  // tfjs-cpu: the first WebGPU pass of the class generators compiles shaders on SwiftShader for ≈50 s.
  await panel.getByTestId('backend-setting').selectOption('cpu');

  await panel.getByTestId('inspect-index').fill('1');
  await panel.getByTestId('inspect-run').click();
  const inspected = panel.getByTestId('inspect-outputs');
  await expect(inspected).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('inspect-error')).toHaveCount(0);
  expect(await tileNames(inspected)).toEqual(['condition', 'real', 'final', 'global', 'local', 'attention local', 'attention global']);
  await expect(panel.getByTestId('inspect-caption')).toContainText('sample 1 · initial weights');
  expect(await panel.getByTestId('inspect-per-class').getByTestId('image-tile').count()).toBeGreaterThan(1);
  await panel.getByTestId('inspect-per-class').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('app-run-inspect-lggan') });

  await panel.getByTestId('tab-generate').click();
  // Left half wall (0), right half sky (2), a floor (3) band at the bottom.
  await panel.getByTestId('label-upload').setInputFiles({ name: 'labels.png', mimeType: 'image/png', buffer: labelPng(32, 32, (x, y) => (y >= 24 ? 3 : x < 16 ? 0 : 2)) });
  const outputs = panel.getByTestId('generate-outputs');
  await expect(outputs).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('generate-error')).toHaveCount(0);
  expect(await tileNames(outputs)).toEqual(['final', 'global', 'local', 'attention local', 'attention global']);
  await expect(panel.getByTestId('generate-per-class').getByTestId('image-tile')).toHaveCount(3);
  expect(await coloursOf(outputs.locator('[data-name="final"] canvas'))).toBeGreaterThan(1);
  await outputs.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('app-run-generate') });
  expect(errors).toEqual([]);
});

test('loads a PyTorch .pth in the app: report, strict refusal and partial import, generate with it, download it as .pth', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const doc = lggan32();
  const panel = await openRunTab(page, doc);
  await panel.getByTestId('backend-setting').selectOption('cpu');
  const state = officialG(doc);
  // Keys with a graph variable; the others (SPADE's never-used fc, batch counters) are ignored on import and written as neutral values on export.
  const kept = new Set(officialStateDict(resolveGraph(doc, registry, { batch: 1 }), 'G').filter((e) => e.variableName !== null).map((e) => e.key));
  const mappable = kept.size;

  // A damaged file (one key missing, one unknown): strict refuses with the report, partial imports the rest.
  const dropped = state.find((t) => t.key.endsWith('.weight') && kept.has(t.key))!.key;
  const damaged = writeTorchCheckpoint([...state.filter((t) => t.key !== dropped), { key: 'unknown.layer.weight', dtype: 'float32', shape: [2], values: Float32Array.of(1, 2) }]);
  await expect(panel.getByTestId('pth-network')).toHaveValue('G');
  await panel.getByTestId('pth-upload').setInputFiles({ name: 'damaged.pth', mimeType: 'application/octet-stream', buffer: Buffer.from(damaged) });
  const report = panel.getByTestId('pth-report');
  await expect(report).toHaveAttribute('data-outcome', 'refused', { timeout: 60_000 });
  await expect(report.locator('[data-count="missing"]')).toHaveText('missing 1');
  await expect(report.locator('[data-count="unexpected"]')).toHaveText('unexpected 1');
  await expect(report).toContainText(`missing 1: ${dropped}`);
  await expect(panel.locator('[data-testid="checkpoint"][data-kind="import"]')).toHaveCount(0);
  await panel.getByTestId('pth-partial').click();
  await expect(report).toHaveAttribute('data-outcome', 'imported', { timeout: 60_000 });
  await expect(report.locator('[data-count="mapped"]')).toHaveText(`mapped ${mappable - 1}`);
  await expect(panel.locator('[data-testid="checkpoint"][data-kind="import"]')).toHaveCount(1);

  // The whole file, strict: every mappable key maps.
  await panel.getByTestId('pth-upload').setInputFiles({ name: 'lggan_G.pth', mimeType: 'application/octet-stream', buffer: Buffer.from(writeTorchCheckpoint(state)) });
  await expect(report).toContainText('lggan_G.pth: imported into G (strict)', { timeout: 60_000 });
  await expect(report.locator('[data-count="mapped"]')).toHaveText(`mapped ${mappable}`);
  for (const bad of ['missing', 'unexpected', 'misshaped', 'uncovered']) await expect(report.locator(`[data-count="${bad}"]`)).toHaveText(`${bad} 0`);
  const imported = panel.locator('[data-testid="checkpoint"][data-kind="import"]').filter({ hasText: 'lggan_G.pth' });
  await expect(imported).toContainText('weights only');
  await report.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('app-run-pth-import') });

  // Download it back as .pth: the same values under the same keys (those the graph keeps).
  const [download] = await Promise.all([page.waitForEvent('download'), imported.getByTestId('checkpoint-download-pth').click()]);
  expect(download.suggestedFilename()).toBe('lggan_G-G.pth');
  await expect(panel.getByTestId('pth-export-report')).toContainText('official keys written from the weights');
  const back = extractStateDict(readTorchCheckpoint(new Uint8Array(readFileSync((await download.path())!))).root).tensors;
  const compared = state.filter((s) => s.dtype === 'float32' && kept.has(s.key));
  expect(compared.length).toBeGreaterThan(mappable / 2);
  for (const t of compared) expect(Array.from(tensorToFloat32(back.get(t.key)!, t.key)), t.key).toEqual(Array.from(t.values as Float32Array));

  // Generate with the imported weights.
  await imported.getByTestId('checkpoint-generate').click();
  await expect(panel.getByTestId('generate-weights')).toContainText('lggan_G.pth');
  await panel.getByTestId('label-upload').setInputFiles({ name: 'labels.png', mimeType: 'image/png', buffer: labelPng(32, 32, (x, y) => (y >= 16 ? 3 : 2)) });
  await expect(panel.getByTestId('generate-loaded')).toContainText('checkpoint step 0', { timeout: 60_000 });
  const outputs = panel.getByTestId('generate-outputs');
  await expect(outputs.getByTestId('image-tile')).toHaveCount(5, { timeout: 60_000 });
  expect(await coloursOf(outputs.locator('[data-name="final"] canvas'))).toBeGreaterThan(1);
  expect(errors).toEqual([]);
});
