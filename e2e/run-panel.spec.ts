/**
 * The run panel in Chromium, on its harness page (e2e/harness/run-panel-harness.html; the graph
 * comes from ?graph=tiny — the 16×16 tiny training GAN — or ?graph=lggan-tiny32, the ADE20K LGGAN
 * graph at 32×32). Journeys: train three steps on WebGPU and watch the loss curve and the sample
 * grid update; generate from an uploaded label-map PNG; download a checkpoint and upload it back
 * (then train on from it and generate with it); pick a dataset .zip and a folder. A screenshot of each goes to e2e/.output/.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';

const shot = (name: string) => fileURLToPath(new URL(`.output/${name}.png`, import.meta.url));

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

async function openPanel(page: Page, graph: 'tiny' | 'lggan-tiny32'): Promise<void> {
  await page.goto(`/harness/run-panel-harness.html?graph=${graph}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

async function setRun(page: Page, options: { backend: string; steps: number; autosaveEvery: number; sampleEvery: number }): Promise<void> {
  await page.getByTestId('backend-setting').selectOption(options.backend);
  await page.getByTestId('batch-size').fill('1');
  await page.getByTestId('steps').fill(String(options.steps));
  await page.getByTestId('autosave-every').fill(String(options.autosaveEvery));
  await page.getByTestId('sample-every').fill(String(options.sampleEvery));
}

/** A grey 8-bit PNG whose pixel values are the ids `id(x, y)`. */
function labelPng(width: number, height: number, id: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = id(x, y);
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

/** An RGB 8-bit PNG of one colour. */
function photoPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) png.data.set([...rgb, 255], p * 4);
  return PNG.sync.write(png, { colorType: 2 });
}

test('picks a dataset as a .zip or a folder: the picker reads its first sample, and names what is wrong with one it cannot use', async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await openPanel(page, 'tiny');
  const image = new Uint8Array(photoPng(16, 16, [90, 140, 200]));
  const label = new Uint8Array(labelPng(16, 16, () => 0));
  const zip = zipSync({ 'street/images/a.png': image, 'street/labels/a.png': label });
  await page.getByTestId('dataset-zip-input').setInputFiles({ name: 'street.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  const status = page.getByTestId('dataset-status');
  await expect(status).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(status).toContainText('street.zip');

  // A .zip that is not one is refused, naming the file.
  await page.getByTestId('dataset-zip-input').setInputFiles({ name: 'street.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
  await expect(status).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
  await expect(status).toContainText('street.zip');

  // A folder pick (webkitdirectory) hands on every file under it.
  const folder = join(mkdtempSync(join(tmpdir(), 'lggan-dataset-')), 'street');
  for (const [sub, bytes] of [['images', image], ['labels', label]] as const) {
    mkdirSync(join(folder, sub), { recursive: true });
    writeFileSync(join(folder, sub, 'a.png'), bytes);
  }
  await page.getByTestId('dataset-folder-input').setInputFiles(folder);
  await expect(status).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(status).toContainText('street');
  await expect(status).not.toContainText('street.zip');
  rmSync(dirname(folder), { recursive: true, force: true });
  await page.screenshot({ path: shot('run-panel-dataset'), fullPage: true });
  expect(errors).toEqual([]);
});

test('trains three steps on WebGPU: the loss curve and the sample grid update', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await openPanel(page, 'tiny');
  await setRun(page, { backend: 'webgpu', steps: 3, autosaveEvery: 0, sampleEvery: 1 });
  await page.getByTestId('train').click();

  await expect(page.getByTestId('run-backend')).toContainText('webgpu', { timeout: 30_000 });
  // While it runs the chart has points and the grid shows a step; then both move on to step 3.
  await expect(page.getByTestId('samples')).toHaveAttribute('data-step', /^[12]$/, { timeout: 45_000 });
  expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(0);
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 45_000 });
  await expect(page.getByTestId('samples')).toHaveAttribute('data-step', '3');
  // One point per loss term and step: the samples of a step can show before or after its losses, so
  // the count is checked against the terms drawn rather than against the early look.
  const terms = await page.getByTestId('loss-chart').locator('path[data-series]').count();
  expect(terms).toBeGreaterThan(0);
  await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(terms * 3);
  await expect(page.getByTestId('run-step')).toHaveText('step 3 / 3');
  await expect(page.getByTestId('loss-chart').locator('path[data-series]').first()).toHaveAttribute('d', /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+L/);
  await expect(page.getByTestId('samples').getByTestId('image-tile')).toHaveCount(1);
  await page.screenshot({ path: shot('run-panel-train'), fullPage: true });
  expect(errors).toEqual([]);
});

test('generates from an uploaded label-map PNG: final, global, local, attention and per-class images', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await openPanel(page, 'lggan-tiny32');
  // Generation on tfjs-cpu: the first WebGPU forward pass of the 52 class generators compiles their
  // shaders on SwiftShader for ≈48 s here (≈6 s on cpu); training above covers WebGPU.
  await page.getByTestId('backend-setting').selectOption('cpu');
  await page.getByTestId('tab-generate').click();
  // Left half wall (0), right half sky (2), a floor (3) band at the bottom.
  const png = labelPng(32, 32, (x, y) => (y >= 24 ? 3 : x < 16 ? 0 : 2));
  await page.getByTestId('label-upload').setInputFiles({ name: 'labels.png', mimeType: 'image/png', buffer: png });

  const outputs = page.getByTestId('generate-outputs');
  await expect(outputs).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('generate-error')).toHaveCount(0);
  const names = await outputs.getByTestId('image-tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-name')));
  expect(names).toEqual(['final', 'global', 'local', 'attention local', 'attention global']);
  // Per-class images for exactly the classes in the map.
  await expect(page.getByTestId('generate-per-class').getByTestId('image-tile')).toHaveCount(3);
  await expect(page.getByTestId('palette')).toHaveAttribute('data-kind', 'ade20k');
  // The final image is not blank: its canvas holds more than one colour.
  const distinct = await outputs.locator('[data-name="final"] canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return new Set(Array.from({ length: d.length / 4 }, (_, p) => `${d[p * 4]},${d[p * 4 + 1]},${d[p * 4 + 2]}`)).size;
  });
  expect(distinct).toBeGreaterThan(1);
  await page.screenshot({ path: shot('run-panel-generate'), fullPage: true });
  expect(errors).toEqual([]);
});

test('downloads a checkpoint and uploads it back, then trains on from it and generates with it', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openPanel(page, 'tiny');
  await setRun(page, { backend: 'webgpu', steps: 2, autosaveEvery: 1, sampleEvery: 0 });
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });

  const autosave = page.locator('[data-testid="checkpoint"][data-kind="autosave"]');
  await expect(autosave).toHaveCount(1);
  await expect(autosave).toContainText('2');
  const [download] = await Promise.all([page.waitForEvent('download'), autosave.getByTestId('checkpoint-download').click()]);
  expect(download.suggestedFilename()).toBe('tiny-training-GAN-worker-step-000002.safetensors');
  const bytes = readFileSync((await download.path())!);
  expect(bytes.readUInt32LE(0)).toBeGreaterThan(0); // the safetensors header length

  // A file that is not a checkpoint is refused, naming it.
  await page.getByTestId('checkpoint-upload').setInputFiles({ name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a checkpoint') });
  await expect(page.getByTestId('checkpoint-error')).toContainText('notes.safetensors: not a readable .safetensors file');

  await page.getByTestId('checkpoint-upload').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: bytes });
  const uploaded = page.locator('[data-testid="checkpoint"][data-kind="upload"]');
  await expect(uploaded).toHaveCount(1);
  await expect(uploaded).toContainText('tiny training GAN (worker)');

  // Train on from the uploaded file: the run starts at its step 2 and reaches 3.
  await page.getByTestId('steps').fill('3');
  await uploaded.getByTestId('checkpoint-restore').click();
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
  await expect(page.getByTestId('run-step')).toHaveText('step 3 / 3');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', /^[1-9]/);

  // And generate with it.
  await uploaded.getByTestId('checkpoint-generate').click();
  await page.getByTestId('generate-load').click();
  await expect(page.getByTestId('generate-loaded')).toContainText('checkpoint step 2', { timeout: 30_000 });
  await page.getByTestId('generate-run').click();
  await expect(page.getByTestId('generate-outputs').getByTestId('image-tile')).toHaveCount(1, { timeout: 30_000 });
  await page.screenshot({ path: shot('run-panel-checkpoints'), fullPage: true });
  expect(errors).toEqual([]);
});
