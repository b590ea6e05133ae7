/**
 * Weights that survive an edit, in the app: train the 16×16 tiny training GAN two steps, change
 * gen1's kernel 3 → 5 in the inspector, and "Continue with weights kept": the edited graph trains
 * on from the run's end weights, and the carry-over report names gen1's re-initialised weight.
 * A screenshot goes to e2e/.output/carry-continue.png.
 */
import { expect, test } from '@playwright/test';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { tinyTrainingGraph } from '../src/browser/tiny-training-graph.test-util.ts';
import { nodeEl, openApp, shot, trainOnCpu, watchErrors } from './editor.test-util.ts';

test('edit a trained graph and continue training with the weights kept', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const doc = tinyTrainingGraph();
  await openApp(page, `/${encodeShareHash(doc)}`);
  await expect(page.getByTestId('graph-name')).toHaveText(doc.meta.name);
  const panel = await trainOnCpu(page, { steps: 2, sampleEvery: 1, timeout: 60_000 });
  await expect(panel.getByTestId('carry-continue')).toHaveCount(0); // the graph has not changed
  // The run record (version 2) keeps each step's sample images as PNGs the browser decodes.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('lggan-studio-runs');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const rows = await new Promise<any[]>((resolve, reject) => {
      const get = db.transaction('runs', 'readonly').objectStore('runs').getAll();
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    });
    db.close();
    return Promise.all(
      rows.map(async (r) => ({
        version: r.version,
        samples: await Promise.all(
          r.samples.map(async (s: any) => ({ step: s.step, input: s.input, sizes: await Promise.all(s.images.map(async (i: any) => {
            const bitmap = await createImageBitmap(new Blob([i.png], { type: 'image/png' }));
            return [i.width, i.height, bitmap.width, bitmap.height];
          })) })),
        ),
      })),
    );
  });
  expect(stored).toHaveLength(1);
  expect(stored[0].version).toBe(2);
  expect(stored[0].samples.map((s) => [s.step, s.input])).toEqual([[1, 'training sample 0'], [2, 'training sample 0']]);
  for (const s of stored[0].samples) {
    expect(s.sizes.length).toBeGreaterThan(0);
    for (const [w, h, bw, bh] of s.sizes) expect([bw, bh]).toEqual([w, h]);
  }

  await nodeEl(page, 'gen1').locator('header').click();
  const kernel = page.locator('[data-testid="param"][data-param="kernel"] input');
  await kernel.fill('5');
  await kernel.press('Enter');
  await page.getByTestId('tab-run').click();
  await expect(panel.locator('[data-testid="checkpoint"][data-kind="snapshot"]')).toContainText('other graph');

  await panel.getByTestId('carry-continue').click();
  await expect(panel.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
  await expect(panel.getByTestId('run-step')).toHaveText('step 3 / 3');
  const report = panel.getByTestId('carry-report');
  await expect(report).toContainText(/weights carried over: \d+ variables kept .* 1 re-initialised, 0 dropped; .*continuing from step 2/);
  await expect(report).toContainText('gen1: partial — 1 variable kept; weight re-initialised (shape [3, 3, 5, 4] → [5, 5, 5, 4])');
  await expect(panel.getByTestId('samples')).toHaveAttribute('data-step', '3');
  await report.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('carry-continue'), fullPage: true });
  expect(errors).toEqual([]);
});
