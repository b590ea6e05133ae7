/**
 * Runs side by side (the Runs tab): train the tiny training GAN 3 steps on cpu, widen gen1's
 * kernel and train again; then a CLI run folder of the same graph (`lggan train --synthetic`,
 * written here) is opened through the folder picker. The three runs are chosen: the table has a
 * row each with the diff against the first (gen1's kernel), one loss chart per term with a series
 * per run, the sample images of the two browser runs side by side at one step; the table exports
 * as CSV; a browser record is deleted. Screenshots: e2e/.output/runs-compare.png (table, charts)
 * and runs-compare-samples.png (samples).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { tinyTrainingGraph } from '../src/browser/tiny-training-graph.test-util.ts';
import { nodeEl, openApp, shot, trainOnCpu, watchErrors } from './editor.test-util.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** A `lggan train` run folder of `doc`: 2 steps on synthetic scenes, the folder named `name`. */
function cliRunFolder(doc: object, name: string): { parent: string; dir: string } {
  const parent = mkdtempSync(join(tmpdir(), 'lggan-runs-e2e-'));
  const graph = join(parent, 'graph.json');
  writeFileSync(graph, JSON.stringify(doc));
  const dir = join(parent, name);
  execFileSync(process.execPath, [join(repo, 'src/cli/bin.mjs'), 'train', graph, '--synthetic', '--steps', '2', '--out', dir, '--seed', '4', '--checkpoint-every', '0'], { cwd: repo, stdio: 'pipe' });
  return { parent, dir };
}

test('compare two browser runs and a CLI run folder side by side', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  const doc = tinyTrainingGraph();
  const folder = cliRunFolder(doc, 'cli-run');
  try {
    await openApp(page, `/${encodeShareHash(doc)}`);
    await trainOnCpu(page, { steps: 3, sampleEvery: 1, timeout: 60_000 });
    await nodeEl(page, 'gen1').locator('header').click();
    const kernel = page.locator('[data-testid="param"][data-param="kernel"] input');
    await kernel.fill('5');
    await kernel.press('Enter');
    await trainOnCpu(page, { steps: 3, sampleEvery: 1, timeout: 60_000 });

    await page.getByTestId('tab-runs').click();
    const runs = page.getByTestId('runs');
    const items = runs.getByTestId('runs-item');
    await expect(items).toHaveCount(2);
    await runs.getByTestId('runs-folder-input').setInputFiles(folder.dir);
    await expect(runs.getByTestId('runs-notice')).toHaveText('Opened 1 run folder.');
    await expect(items).toHaveCount(3);
    await expect(items.first()).toHaveAttribute('data-source', 'folder');

    // The opened folder is chosen; add the two browser runs, oldest last (newest first in the list).
    await items.nth(2).getByTestId('runs-choose').check();
    await items.nth(1).getByTestId('runs-choose').check();
    const table = runs.getByTestId('runs-table');
    const rows = table.locator('tbody tr');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toContainText('reference');
    await expect(rows.nth(1)).toContainText('same graph'); // the first browser run trained the same graph
    await expect(rows.nth(2)).toContainText('nodes 1 · params 1 · wires 0'); // gen1's kernel
    await expect(items.first()).toContainText('folder · ');
    await expect(items.first().locator('label')).toHaveAttribute('title', 'cli-run');

    const download = page.waitForEvent('download');
    await runs.getByTestId('runs-export-csv').click();
    const csv = readFileSync((await (await download).path())!, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatch(/^run,variant,dir,graph_hash,diff_nodes,diff_params,diff_wires,/);
    expect(csv[3]).toContain(',1,1,0,');
    const header = csv[0].split(',');
    const terms = header.slice(header.indexOf('seed') + 1, header.indexOf('psnr'));
    expect(terms.length).toBeGreaterThan(1);

    // One chart per loss term, a series per run; the browser runs' samples side by side.
    await expect(runs.getByTestId('loss-chart')).toHaveCount(terms.length);
    await expect(runs.getByTestId('legend-run')).toHaveCount(3);
    const strip = runs.getByTestId('sample-strip');
    await expect(strip.locator('img')).not.toHaveCount(0);

    await runs.locator('.main').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: shot('runs-compare') });
    await strip.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('runs-compare-samples') });

    // Delete the oldest browser run's record: it leaves the list and the table.
    await items.nth(2).getByTestId('runs-delete').click();
    await items.nth(2).getByTestId('runs-delete-confirm').click();
    await expect(items).toHaveCount(2);
    await expect(rows).toHaveCount(2);
    expect(errors).toEqual([]);
  } finally {
    rmSync(folder.parent, { recursive: true, force: true });
  }
});
