/**
 * A generated PNG carries its graph: generate in the app's Generate tab (the 16×16 tiny training
 * GAN, initial weights, tfjs-cpu), download the PNG, open another graph, then drop the PNG on the
 * app and through Open…: the graph that made it is open again (same name, node ids and count).
 * A PNG without a graph is refused with a clear message and the open graph stays.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { encodeShareHash } from '../src/app/editor/share-link.ts';
import { tinyTrainingGraph } from '../src/browser/tiny-training-graph.test-util.ts';
import { openApp, openExample, watchErrors } from './editor.test-util.ts';

/** A grey 8-bit PNG whose pixel values are the ids `id(x, y)`. */
function labelPng(width: number, height: number, id: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(Array.from({ length: width * height }, (_, p) => id(p % width, Math.floor(p / width))));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

/** Drops bytes on the window as a file, as dragging it from the file manager does. */
async function dropBytes(page: Page, name: string, bytes: Buffer): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([fileName, content]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(content)], fileName, { type: 'image/png' }));
      return dt;
    },
    [name, Array.from(bytes)] as const,
  );
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
}

const nodeIds = (page: Page) => page.locator('[data-testid="node"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node-id')).sort());

test('a PNG downloaded from the Generate tab opens the graph that made it, dropped or opened', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  const doc = tinyTrainingGraph();
  doc.meta = { ...doc.meta, name: 'PNG round trip' };
  await openApp(page, `/${encodeShareHash(doc)}`);
  await expect(page.getByTestId('graph-name')).toHaveText('PNG round trip');
  const ids = doc.nodes.map((n) => n.id).sort();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(ids.length);

  await page.getByTestId('tab-run').click();
  const panel = page.getByTestId('run-panel');
  await panel.getByTestId('backend-setting').selectOption('cpu');
  await panel.getByTestId('tab-generate').click();
  await panel.getByTestId('label-upload').setInputFiles({ name: 'labels.png', mimeType: 'image/png', buffer: labelPng(16, 16, (x) => (x < 8 ? 1 : 2)) });
  await expect(panel.getByTestId('generate-outputs')).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('generate-download').click()]);
  expect(download.suggestedFilename()).toBe('PNG-round-trip-generated.png');
  const png = readFileSync((await download.path())!);
  expect(PNG.sync.read(png)).toMatchObject({ width: 16, height: 16 });

  // Another graph, then the PNG dropped on the app: the first graph is back.
  await openExample(page, 'tiny-pix2pix.json');
  await expect(page.getByTestId('graph-name')).toHaveText('Tiny pix2pix');
  await dropBytes(page, 'PNG-round-trip-generated.png', png);
  await expect(page.getByTestId('graph-name')).toHaveText('PNG round trip');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(ids.length);
  expect(await nodeIds(page)).toEqual(ids);

  // Open… takes it too.
  await openExample(page, 'tiny-pix2pix.json');
  await expect(page.getByTestId('graph-name')).toHaveText('Tiny pix2pix');
  await page.getByTestId('open-file').setInputFiles({ name: 'out.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('graph-name')).toHaveText('PNG round trip');
  expect(await nodeIds(page)).toEqual(ids);

  // A PNG without a graph: refused, saying so, and the open graph stays.
  await dropBytes(page, 'labels.png', labelPng(4, 4, () => 0));
  await expect(page.getByText('this PNG carries no LGGAN graph')).toBeVisible();
  await expect(page.getByTestId('graph-name')).toHaveText('PNG round trip');
  expect(errors).toEqual([]);
});
