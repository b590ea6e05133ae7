/** Shared steps for the editor journeys: open the app, watch for errors, drag wires and nodes. */
import { expect, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const defaultGraphText = readFileSync(fileURLToPath(new URL('../graphs/lggan-cityscapes-tiny.json', import.meta.url)), 'utf8');
export const defaultGraph = JSON.parse(defaultGraphText) as { meta: { name: string }; nodes: { id: string; type: string; params: Record<string, unknown> }[]; edges: unknown[] };
export const shot = (name: string) => fileURLToPath(new URL(`.output/${name}.png`, import.meta.url));

/** Console errors and uncaught exceptions seen by the page; every journey ends with none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

/**
 * Opens the app and fits the whole graph in view (F), so that every node can be reached by the
 * mouse: the first open shows only the top-left part at a readable zoom (first-sight.spec.ts checks that).
 */
export async function openApp(page: Page, url = '/'): Promise<void> {
  await openAppAsIs(page, url);
  await page.keyboard.press('f');
  // The fit is applied within a frame; two frames later the cards are where they stay.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/** Opens the app and leaves the view as the first open places it. */
export async function openAppAsIs(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
}

/** Opens a shipped example from the top bar's Examples menu by its file name. */
export async function openExample(page: Page, file: string): Promise<void> {
  await page.getByTestId('examples').click();
  await page.locator(`[data-testid="examples-menu"] [data-testid="example"][data-file="${file}"]`).click();
}

export const nodeEl = (page: Page, id: string) => page.locator(`[data-testid="node"][data-node-id="${id}"]`);

async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a wire from an output socket to an input socket, as a user does with the mouse. */
export async function dragWire(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  const a = await centre(page, `[data-node-id="${from[0]}"] [data-output="${from[1]}"] .lg-socket`);
  const b = await centre(page, `[data-node-id="${to[0]}"] [data-input="${to[1]}"] .lg-socket`);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** Drags a node type from the palette onto the canvas at (x, y) relative to the canvas. */
export async function dragFromPalette(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.locator(`[data-testid="palette-item"][data-type="${type}"]`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** The status bar's parameter count for a network ("508 k"). */
export const netParams = (page: Page, network: string) => page.locator(`[data-testid="totals"] [data-network="${network}"] [data-testid="net-params"]`);

// ── the litegraph view, files in and out ──

/** The app's litegraph host, reached through its canvas element (LitegraphView sets it). */
export type HostCanvas = HTMLCanvasElement & { litegraphHost: import('../src/app/litegraph/litegraph-host.ts').LitegraphHost };
export const litegraphCanvas = (page: Page) => page.getByTestId('litegraph-canvas');

/** Switches the app to the litegraph view with its segmented control and waits until it shows the graph. */
export async function showLitegraph(page: Page): Promise<void> {
  await page.getByTestId('view-litegraph').click();
  await expect(page.getByTestId('litegraph-view')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('view-litegraph')).toHaveAttribute('aria-pressed', 'true');
}

/** Switches back to the Rete view and waits for its canvas. */
export async function showRete(page: Page): Promise<void> {
  await page.getByTestId('view-rete').click();
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
}

/** Where a node's title bar is on the page in the litegraph view. */
export async function litegraphTitle(page: Page, node: string): Promise<{ x: number; y: number }> {
  const at = await litegraphCanvas(page).evaluate((el, id) => (el as HostCanvas).litegraphHost.titleOnPage(id), node);
  if (!at) throw new Error(`node '${node}' is not in the litegraph view`);
  return at;
}

/** Drags with real mouse events, in steps, as a person does. */
export async function mouseDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/** Makes Save fall back to a download (as in browsers without the File System Access API), so a test can read the file. */
export async function withoutSavePicker(page: Page): Promise<void> {
  await page.addInitScript(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
}

/** Drops a file on the window, as dragging it from the file manager does. */
export async function dropFile(page: Page, name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([fileName, content]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], fileName, { type: 'application/json' }));
      return dt;
    },
    [name, text] as const,
  );
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
}

/**
 * Trains the open graph in the Run tab on tfjs-cpu at batch 1 (no autosaves, no held-out metrics)
 * and waits until the run has finished; the run panel, for what the journey checks next.
 */
export async function trainOnCpu(page: Page, options: { steps: number; sampleEvery: number; timeout: number }): Promise<Locator> {
  await page.getByTestId('tab-run').click();
  const panel = page.getByTestId('run-panel');
  await panel.getByTestId('backend-setting').selectOption('cpu');
  await panel.getByTestId('batch-size').fill('1');
  await panel.getByTestId('steps').fill(String(options.steps));
  await panel.getByTestId('autosave-every').fill('0');
  await panel.getByTestId('sample-every').fill(String(options.sampleEvery));
  await panel.getByTestId('eval-every').fill('0');
  await panel.getByTestId('train').click();
  await expect(panel.getByTestId('run-state')).toHaveText('finished', { timeout: options.timeout });
  return panel;
}
