/**
 * "Re-run" from a run record: train the tiny training GAN 3 steps on cpu with a seed of its own,
 * on 5 synthetic scenes of seed 2, edit the graph (gen1's kernel) and the panel's settings, then Re-run the recorded run from the Compare tab. The run's
 * graph comes back through the doors (the unsaved edit is asked about, one undo step), the Run
 * panel takes the run's settings and trains; both records in IndexedDB have the same per-step
 * losses, exactly. Screenshot: e2e/.output/rerun.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { tinyTrainingGraph } from '../src/browser/tiny-training-graph.test-util.ts';
import type { BrowserRun } from '../src/runs/browser-run.ts';
import { nodeEl, openApp, shot, trainOnCpu, watchErrors } from './editor.test-util.ts';

/** Every run record the page has stored (IndexedDB 'lggan-studio-runs'), oldest first. */
function storedRuns(page: Page): Promise<BrowserRun[]> {
  return page.evaluate(
    () =>
      new Promise<BrowserRun[]>((resolve, reject) => {
        const open = indexedDB.open('lggan-studio-runs');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('runs', 'readonly').objectStore('runs').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            open.result.close();
            resolve((all.result as BrowserRun[]).sort((a, b) => a.startedAt.localeCompare(b.startedAt)));
          };
        };
      }),
  );
}

test('re-run a recorded run: its graph comes back and the losses repeat exactly', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  const doc = tinyTrainingGraph();
  await openApp(page, `/${encodeShareHash(doc)}`);
  await page.getByTestId('tab-run').click();
  await page.getByTestId('run-seed').fill('5');
  const picker = page.getByTestId('dataset-picker');
  await picker.getByLabel('samples').fill('5');
  await picker.getByLabel('seed').fill('2');
  const panel = await trainOnCpu(page, { steps: 3, sampleEvery: 0, timeout: 60_000 });
  await expect(panel.getByTestId('run-step')).toHaveText('step 3 / 3');

  // Edit the graph, and set the panel apart from the run: the re-run must take the run's own.
  await nodeEl(page, 'gen1').locator('header').click();
  const kernel = page.locator('[data-testid="param"][data-param="kernel"] input');
  await kernel.fill('5');
  await kernel.press('Enter');
  await panel.getByTestId('run-seed').fill('9');
  await panel.getByTestId('steps').fill('7');
  await picker.getByLabel('seed').fill('8');

  await page.getByTestId('tab-compare').click();
  const run = page.getByTestId('compare-run');
  await expect(run).toHaveCount(1);
  await page.getByTestId('compare-with').selectOption((await run.getAttribute('value'))!);
  await expect(page.getByTestId('compare-summary')).toContainText('nodes +0 −0 ~1');
  await page.getByTestId('compare-rerun').click();

  // The edited graph has unsaved changes: asked first, then the run's graph opens as one undo step.
  await page.getByTestId('unsaved-leave').click();
  await expect(page.getByTestId('notice')).toContainText(`Open the graph of run '${doc.meta.name}'`);
  await expect(page.getByTestId('run-panel')).toBeVisible();
  await expect(panel.getByTestId('run-state')).toHaveText('finished', { timeout: 60_000 });
  await expect(panel.getByTestId('run-step')).toHaveText('step 3 / 3');
  await expect(panel.getByTestId('run-seed')).toHaveValue('5');
  await expect(panel.getByTestId('steps')).toHaveValue('3');
  await expect(panel.getByTestId('backend-setting')).toHaveValue('cpu');
  await expect(picker.getByLabel('seed')).toHaveValue('2');
  await expect(picker.getByLabel('samples')).toHaveValue('5');

  const [first, again] = await storedRuns(page);
  expect(again.id).not.toBe(first.id);
  expect(again).toMatchObject({ status: 'finished', seed: 5, backend: 'cpu', batch: 1, graph: { hash: first.graph.hash }, data: first.data });
  expect(first.data).toMatchObject({ kind: 'synthetic', syntheticSeed: 2, syntheticCount: 5 });
  expect(again.losses.steps).toEqual([1, 2, 3]);
  expect(again.lossTerms).toEqual(first.lossTerms);
  expect(again.losses.values).toEqual(first.losses.values);

  await page.screenshot({ path: shot('rerun') });
  expect(errors).toEqual([]);
});
