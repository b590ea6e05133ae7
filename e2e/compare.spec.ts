/**
 * "Compare with…": the default graph (the full tiny LGGAN) diffed against the global-only ablation
 * example. The local branch's nodes are ringed green (added in the open graph), the losses whose
 * image count differs amber, the new wires dashed green; the global-only graph's own wires from
 * the global image are listed as removed. A row selects and centres its node; an edit updates the
 * comparison; Clear removes every mark. Screenshot: e2e/.output/compare-global-only.png.
 *
 * And the graph a run was trained on: train the tiny training GAN 2 steps (cpu), change gen1's
 * kernel, and compare with the run's recorded graph: gen1 alone is marked changed.
 * Screenshot: e2e/.output/compare-run-graph.png.
 *
 * And the same marks in the litegraph view: rings and tags drawn on the canvas (read back as
 * pixels), cleared with the comparison. Screenshot: e2e/.output/compare-litegraph.png.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { tinyTrainingGraph } from '../src/browser/tiny-training-graph.test-util.ts';
import { DIFF_COLORS, RING } from '../src/app/litegraph/compare-marks.ts';
import { litegraphCanvas, nodeEl, openApp, showLitegraph, shot, trainOnCpu, watchErrors, type HostCanvas } from './editor.test-util.ts';

test('diff the default graph against an ablation example', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await page.getByTestId('tab-compare').click();
  await expect(page.getByTestId('compare')).toContainText('Choose a graph');
  // The examples are listed by title, grouped as in the Examples menu.
  const title = JSON.parse(readFileSync(new URL('../graphs/ablation-cityscapes-global-only-tiny.json', import.meta.url), 'utf8')).meta.name;
  await expect(page.locator('[data-testid="compare-with"] option[value="example:ablation-cityscapes-global-only-tiny.json"]')).toHaveText(title);
  await expect(page.locator('[data-testid="compare-with"] optgroup[label="Examples · Ablations · tiny"]')).toHaveCount(1);
  await page.getByTestId('compare-with').selectOption('example:ablation-cityscapes-global-only-tiny.json');

  const summary = page.getByTestId('compare-summary');
  await expect(summary).toContainText('against ablation-cityscapes-global-only-tiny.json');
  await expect(summary).toContainText('nodes +10 −0 ~5, wires +32 −5');
  // Open = full graph, reference = global-only: the local branch is "added" here.
  for (const id of ['trunk', 'local', 'fusion', 'masks', 'classifier']) await expect(nodeEl(page, id)).toHaveAttribute('data-diff', 'added');
  for (const id of ['g_adv', 'd_adv', 'g_feat', 'g_vgg', 'trainer']) await expect(nodeEl(page, id)).toHaveAttribute('data-diff', 'changed');
  await expect(nodeEl(page, 'global')).not.toHaveAttribute('data-diff', /./);
  await expect(page.locator('[data-testid="wire"][data-diff="added"]')).toHaveCount(32);
  await expect(page.locator('[data-testid="wire"]:not([data-diff])').first()).toBeAttached();

  const items = page.getByTestId('compare-items');
  await expect(items.locator('li.removed')).toHaveCount(5); // global.image → the losses and the output, as the ablation wires it
  await expect(items).toContainText('wire global.image → out_final.value removed');
  await expect(items).toContainText('trainer g_losses: 3 → 5');
  await expect(page.getByTestId('compare-totals')).toContainText('G');

  // A row selects and centres its node.
  await items.getByRole('button', { name: 'trainer g_losses: 3 → 5' }).click();
  await expect(nodeEl(page, 'trainer')).toHaveClass(/selected/);
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const offCentre = async () => {
    const box = (await nodeEl(page, 'trainer').boundingBox())!;
    return Math.hypot(box.x + box.width / 2 - (canvas.x + canvas.width / 2), box.y + box.height / 2 - (canvas.y + canvas.height / 2));
  };
  await expect.poll(offCentre).toBeLessThan(40);

  await page.getByTestId('fit').click();
  await page.screenshot({ path: shot('compare-global-only') });

  // An edit of the open graph updates the comparison: delete the attention output.
  await items.getByRole('button', { name: 'out_attention (core/output) added' }).click();
  await expect(nodeEl(page, 'out_attention')).toHaveClass(/selected/);
  await page.keyboard.press('Delete');
  await expect(nodeEl(page, 'out_attention')).toHaveCount(0);
  await expect(summary).toContainText('nodes +9 −0 ~5, wires +31 −5');

  await page.getByTestId('compare-clear').click();
  await expect(page.locator('[data-diff]')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('diff an edited graph against the graph a run was trained on', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const doc = tinyTrainingGraph();
  await openApp(page, `/${encodeShareHash(doc)}`);
  await trainOnCpu(page, { steps: 2, sampleEvery: 0, timeout: 60_000 });

  await nodeEl(page, 'gen1').locator('header').click();
  const kernel = page.locator('[data-testid="param"][data-param="kernel"] input');
  await kernel.fill('5');
  await kernel.press('Enter');

  await page.getByTestId('tab-compare').click();
  const run = page.getByTestId('compare-run');
  await expect(run).toHaveCount(1);
  await expect(run).toHaveText(new RegExp(`^${doc.meta.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC · 2 steps · [0-9a-f]{8}$`));
  await page.getByTestId('compare-with').selectOption((await run.getAttribute('value'))!);

  const summary = page.getByTestId('compare-summary');
  await expect(summary).toContainText(`against run ${doc.meta.name}`);
  await expect(summary).toContainText('nodes +0 −0 ~1, wires +0 −0');
  await expect(nodeEl(page, 'gen1')).toHaveAttribute('data-diff', 'changed');
  await expect(page.locator('[data-diff]')).toHaveCount(1);
  await expect(page.getByTestId('compare-items')).toContainText('gen1 kernel: 3 → 5');
  await page.getByTestId('fit').click();
  await page.screenshot({ path: shot('compare-run-graph') });
  expect(errors).toEqual([]);
});

/** The pixel the canvas shows just inside the right end of a node's mark tag (its fill, clear of the word), as [r, g, b]. */
function tagPixel(page: Page, node: string): Promise<number[]> {
  return litegraphCanvas(page).evaluate(
    (el, { id, ring }) => {
      const host = (el as HostCanvas).litegraphHost;
      const n = host.nodeOf(id)!;
      const ds = host.canvas.ds as unknown as { scale: number; offset: [number, number] };
      const title = 30; // litegraph's NODE_TITLE_HEIGHT
      const x = n.pos[0] + n.size[0] + ring.gap - 3;
      const y = n.pos[1] - title - ring.gap - 3;
      const px = Math.round((x + ds.offset[0]) * ds.scale);
      const py = Math.round((y + ds.offset[1]) * ds.scale);
      return Array.from((el as HTMLCanvasElement).getContext('2d')!.getImageData(px, py, 1, 1).data.slice(0, 3));
    },
    { id: node, ring: RING },
  );
}

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

test('the litegraph view draws the comparison marks too', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await page.getByTestId('tab-compare').click();
  await page.getByTestId('compare-with').selectOption('example:ablation-cityscapes-global-only-tiny.json');
  await expect(page.getByTestId('compare-summary')).toContainText('nodes +10 −0 ~5, wires +32 −5');
  await showLitegraph(page);

  const markOf = (id: string) => litegraphCanvas(page).evaluate((el, node) => (el as HostCanvas).litegraphHost.compareMarkOf(node) ?? null, id);
  for (const id of ['trunk', 'local', 'fusion']) expect(await markOf(id)).toBe('added');
  for (const id of ['g_adv', 'trainer']) expect(await markOf(id)).toBe('changed');
  expect(await markOf('global')).toBeNull();

  // The tags are on the canvas in the marks' colours (each node centred first: litegraph draws what is in view).
  for (const [id, mark] of [['trunk', 'added'], ['g_adv', 'changed']] as const) {
    await page.getByTestId('compare-items').getByRole('button', { name: id === 'trunk' ? /^trunk \(/ : /^g_adv /, exact: false }).first().click();
    await expect.poll(() => tagPixel(page, id)).toEqual(rgb(DIFF_COLORS[mark]));
  }
  await page.screenshot({ path: shot('compare-litegraph') });

  await page.getByTestId('compare-clear').click();
  await expect.poll(() => markOf('g_adv')).toBeNull();
  await expect.poll(() => tagPixel(page, 'g_adv')).not.toEqual(rgb(DIFF_COLORS.changed));
  expect(errors).toEqual([]);
});
