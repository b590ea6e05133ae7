/** Shared steps for the editor journeys: open the app, watch for errors, drag wires and nodes. */
import { expect, type Page } from '@playwright/test';
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

export async function openApp(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
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
