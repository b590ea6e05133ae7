/**
 * A dataset archive of several GB in the browser (issue 17.8): a generated zip of more than 6 GiB
 * on disk that costs ~20 MB of disk (a file with holes: one 6 GiB stored entry whose bytes are
 * never written, then real 16×16 PNG pairs and 100,000 empty entries, all past 4 GiB, so every
 * offset goes through zip64). Picked in the Run panel's Dataset picker, it is indexed from its
 * central directory with progress (held mid-way to photograph it, then cancelled and picked
 * again), its first sample read, and one step trained on cpu, while the page's JS heap stays far
 * below the archive's size. The file is deleted after.
 */
import { expect, test, type Page } from '@playwright/test';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { sparseZip, type SparseEntry } from '../src/runtime/data/sparse-zip.test-util.ts';
import { CHROMIUM_ARGS, findChromium } from './browser-path.mjs';
import { shot, watchErrors } from './editor.test-util.ts';

// Precise heap figures (otherwise Chromium rounds usedJSHeapSize coarsely).
test.use({ launchOptions: { executablePath: findChromium().found!.path, args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'] } });

const GiB = 2 ** 30;
const EMPTY_ENTRIES = 100_000;

function png(width: number, height: number, channels: 1 | 3, value: (p: number, c: number) => number): Uint8Array {
  const image = new PNG({ width, height, colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false, bitDepth: 8 });
  const data = Buffer.alloc(width * height * channels);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < channels; c++) data[p * channels + c] = value(p, c);
  image.data = data;
  return new Uint8Array(PNG.sync.write(image, { colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false, bitDepth: 8 }));
}

/** Writes the sparse archive: only its headers and PNGs take disk space. */
function writeBigZip(path: string): number {
  const entries: SparseEntry[] = [{ name: 'street/extra/huge.bin', holeBytes: 6 * GiB }];
  for (let k = 0; k < 4; k++) {
    entries.push({ name: `street/images/${k}.png`, data: png(16, 16, 3, (p, c) => (p * (k + 3) + c * 60) % 256) });
    entries.push({ name: `street/labels/${k}.png`, data: png(16, 16, 1, (p) => (p + k) % 5) });
  }
  for (let i = 0; i < EMPTY_ENTRIES; i++) entries.push({ name: `street/extra/e/${String(i).padStart(6, '0')}.txt`, data: new Uint8Array(0) });
  const file = sparseZip(entries);
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, file.size);
    for (const part of file.parts) writeSync(fd, part.bytes, 0, part.bytes.length, part.offset);
  } finally {
    closeSync(fd);
  }
  return file.size;
}

/** Page reads of Blobs (the picker's slices) can be held after `n` more, to photograph the progress. */
async function gateBlobReads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const read = Blob.prototype.arrayBuffer;
    let left = Infinity;
    const waiting: (() => void)[] = [];
    (window as unknown as { blobReads: unknown }).blobReads = {
      holdAfter: (n: number) => (left = n),
      release: () => ((left = Infinity), waiting.splice(0).forEach((go) => go())),
    };
    Blob.prototype.arrayBuffer = async function (this: Blob) {
      if (left <= 0) await new Promise<void>((go) => waiting.push(go));
      else left--;
      return read.call(this);
    };
  });
}

/** Samples the page's JS heap every 20 ms; peakHeap() reads the largest so far. */
async function watchHeap(page: Page): Promise<() => Promise<{ peak: number; base: number }>> {
  await page.evaluate(() => {
    const heap = () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
    const w = window as unknown as { heapPeak: number; heapBase: number };
    w.heapBase = w.heapPeak = heap();
    setInterval(() => (w.heapPeak = Math.max(w.heapPeak, heap())), 20);
  });
  return () => page.evaluate(() => ({ peak: (window as unknown as { heapPeak: number }).heapPeak, base: (window as unknown as { heapBase: number }).heapBase }));
}

test('a 6 GiB zip64 dataset is indexed lazily with progress, cancelled, picked again and trained one step on cpu, the page heap far below its size', async ({ page }) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'lggan-big-'));
  const zipPath = join(dir, 'street-big.zip');
  try {
    const size = writeBigZip(zipPath);
    expect(size).toBeGreaterThan(6 * GiB);
    // Sparse on disk: far fewer blocks than bytes.
    expect(statSync(zipPath).blocks * 512).toBeLessThan(64 * 2 ** 20);

    const errors = watchErrors(page);
    await gateBlobReads(page);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('/harness/run-panel-harness.html?graph=tiny');
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const peakHeap = await watchHeap(page);
    const picker = page.getByTestId('dataset-picker');
    const status = picker.getByTestId('dataset-status');
    const progress = picker.getByTestId('dataset-progress');

    // Held after the first directory chunk: the magic, the tail, the zip64 locator and record, one chunk.
    await page.evaluate(() => (window as unknown as { blobReads: { holdAfter(n: number): void } }).blobReads.holdAfter(5));
    await page.getByTestId('dataset-zip-input').setInputFiles(zipPath);
    await expect(progress).toContainText(new RegExp(`[1-9][\\d,]* / ${(EMPTY_ENTRIES + 9).toLocaleString('en')} entries indexed`));
    await expect(status).toHaveAttribute('data-state', 'checking');
    await expect(status).toContainText('street-big.zip');
    await picker.screenshot({ path: shot('big-dataset-indexing') });
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    await picker.screenshot({ path: shot('big-dataset-indexing-dark') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await picker.screenshot({ path: shot('big-dataset-indexing-dark-1920') });
    await page.evaluate(() => document.documentElement.removeAttribute('data-theme'));
    await picker.screenshot({ path: shot('big-dataset-indexing-1920') });
    await page.setViewportSize({ width: 1280, height: 720 });

    // Cancel: nothing is loaded, the held read may finish without effect.
    await picker.getByTestId('dataset-cancel').click();
    await expect(status).toHaveAttribute('data-state', 'cancelled');
    await expect(progress).toHaveCount(0);
    await page.evaluate(() => (window as unknown as { blobReads: { release(): void } }).blobReads.release());
    await expect(page.getByTestId('train')).toBeEnabled(); // the synthetic scenes again
    await expect(status).toHaveAttribute('data-state', 'cancelled');

    // Picked again: indexed in full, the first sample (past 6 GiB) read.
    await page.getByTestId('dataset-zip-input').setInputFiles(zipPath);
    await expect(status).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
    await expect(status).toContainText(/street-big\.zip \(zip, 64\d\d\.\d MB\): generic \(detected\), 4 samples at 16×16/);

    await page.getByTestId('backend-setting').selectOption('cpu');
    await page.getByTestId('batch-size').fill('1');
    await page.getByTestId('steps').fill('1');
    await page.getByTestId('autosave-every').fill('0');
    await page.getByTestId('sample-every').fill('0');
    await page.getByTestId('eval-every').fill('0');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 90_000 });
    await page.screenshot({ path: shot('big-dataset-trained'), fullPage: true });

    const heap = await peakHeap();
    test.info().annotations.push({ type: 'heap', description: `archive ${size} bytes; page JS heap ${Math.round(heap.base / 2 ** 20)} MiB before, peak ${Math.round(heap.peak / 2 ** 20)} MiB` });
    console.log(`big-dataset: archive ${(size / GiB).toFixed(2)} GiB; page heap before ${(heap.base / 2 ** 20).toFixed(1)} MiB, peak ${(heap.peak / 2 ** 20).toFixed(1)} MiB`);
    // The index of 100,009 entries costs tens of MB; reading the archive would need 6 GiB.
    expect(heap.peak - heap.base).toBeLessThan(256 * 2 ** 20);
    expect(errors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
