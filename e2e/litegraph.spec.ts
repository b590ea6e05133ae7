/**
 * The node pack in its second host: LitegraphView (litegraph.js canvas) on the shipped tiny pix2pix
 * graph, through the test-only harness page (e2e/harness/litegraph-harness.html). Real mouse
 * drags move a node and wire two ports; the compiler refuses a cycle and litegraph's slot types
 * refuse a wrong kind, each with its reason shown; params and deletions made through litegraph's
 * API come back as documents too. Leaves e2e/.output/litegraph.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { GraphDocument } from '../src/graph/document.ts';

const shot = (name: string) => fileURLToPath(new URL(`.output/${name}.png`, import.meta.url));

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

const emittedCount = (page: Page) => page.evaluate(() => window.litegraphHarness.emitted.length);
const lastDoc = (page: Page) => page.evaluate(() => window.litegraphHarness.last()) as Promise<GraphDocument>;

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

const slot = (page: Page, node: string, side: 'input' | 'output', port: string) =>
  page.evaluate(([n, s, p]) => window.litegraphHarness.slot(n, s as 'input' | 'output', p), [node, side, port] as const).then((at) => {
    if (!at) throw new Error(`no ${side} '${port}' on node '${node}'`);
    return at;
  });

/** Adds a node through litegraph's API at a free spot, refits the view and returns the id it got in the document. */
async function addNode(page: Page, type: string, at: [number, number]): Promise<string> {
  const before = await emittedCount(page);
  await page.evaluate(
    ([t, x, y]) => {
      const { litegraph, host } = window.litegraphHarness;
      const node = litegraph.LiteGraph.createNode(t as string)!;
      node.pos = [x as number, y as number];
      host().graph.add(node);
      host().fitView();
    },
    [type, ...at] as const,
  );
  await expect.poll(() => emittedCount(page)).toBe(before + 1);
  const doc = await lastDoc(page);
  return doc.nodes.find((n) => n.type === type && n.position.x === at[0] && n.position.y === at[1])!.id;
}

test('edits in the litegraph canvas come back as documents, with the compiler’s checks', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/harness/litegraph-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('litegraph-canvas')).toBeVisible();
  expect(await emittedCount(page)).toBe(0); // loading reports nothing

  // 1. Move a node by dragging its title bar.
  const title = await page.evaluate(() => window.litegraphHarness.title('res1'));
  await drag(page, title!, { x: title!.x + 90, y: title!.y + 45 });
  await expect.poll(() => emittedCount(page)).toBe(1);
  let doc = await lastDoc(page);
  const res1 = doc.nodes.find((n) => n.id === 'res1')!;
  expect(res1.position.x).toBeGreaterThan(240);
  expect(res1.position.y).toBeGreaterThan(180);
  expect(doc.edges).toHaveLength(23);

  // 2. Wire two ports with the mouse: a new activation fed by the encoder's activation.
  const added = await addNode(page, 'core/activation', [480, 620]);
  await drag(page, await slot(page, 'enc_act', 'output', 'y'), await slot(page, added, 'input', 'x'));
  await expect.poll(() => emittedCount(page)).toBe(3);
  doc = await lastDoc(page);
  expect(doc.edges).toContainEqual({ from: { node: 'enc_act', port: 'y' }, to: { node: added, port: 'x' } });
  expect(doc.nodes.find((n) => n.id === added)).toMatchObject({ type: 'core/activation', typeVersion: 1, params: {} });

  // 3. A cycle is refused by the compiler's check, with the reason shown; nothing is reported.
  // (enc_norm is fed by enc: both in view, at the start of the graph.)
  await drag(page, await slot(page, 'enc_norm', 'output', 'y'), await slot(page, 'enc', 'input', 'x'));
  await expect(page.getByTestId('litegraph-message')).toContainText('cycle');
  expect(await emittedCount(page)).toBe(3);

  // 4. A wrong kind is refused by litegraph's slot types; the view says why.
  const source = await addNode(page, 'lggan/semantic-input', [0, 620]);
  await drag(page, await slot(page, source, 'output', 'labels'), await slot(page, 'enc_norm', 'input', 'x'));
  await expect(page.getByTestId('litegraph-message')).toContainText("refused: 'Instance norm' input 'x' takes feature");
  await expect(page.getByTestId('litegraph-message')).toContainText('gives labels');
  expect(await emittedCount(page)).toBe(4);
  expect((await lastDoc(page)).edges.filter((e) => e.from.node === source)).toEqual([]);

  // 5. A param set through litegraph (as its widgets and property panel do).
  await page.evaluate(() => window.litegraphHarness.host().nodeOf('enc')!.setProperty('kernel', 5));
  await expect.poll(() => emittedCount(page)).toBe(5);
  expect((await lastDoc(page)).nodes.find((n) => n.id === 'enc')!.params).toEqual({ out_channels: 'ngf', kernel: 5, padding_mode: 'reflect' });

  // 6. Deleting a node takes its edges with it; the compiler's complaint shows on the node it fed.
  await page.evaluate(() => {
    const host = window.litegraphHarness.host();
    host.graph.remove(host.nodeOf('d1_act')!);
  });
  await expect.poll(() => emittedCount(page)).toBe(6);
  doc = await lastDoc(page);
  expect(doc.nodes.map((n) => n.id)).not.toContain('d1_act');
  expect(doc.edges.some((e) => e.from.node === 'd1_act' || e.to.node === 'd1_act')).toBe(false);
  expect(await page.evaluate(() => (window.litegraphHarness.host().nodeOf('d2') as unknown as { boxcolor?: string }).boxcolor)).toBe('#ff3b30');

  await page.evaluate(() => window.litegraphHarness.host().fitView());
  await page.waitForTimeout(100); // one frame for the canvas to redraw before the screenshot
  await page.screenshot({ path: shot('litegraph') });
  expect(errors).toEqual([]);
});
