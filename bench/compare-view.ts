/**
 * Benchmark: the Compare view's loss charts in Chromium (issue 15's target: 10 runs of 1,000 steps
 * rendering in under 200 ms). Opens the built runs chart harness (e2e/harness/runs-compare-harness.html)
 * with synthetic runs, without its sample strip, and reads window.renderMs: from mounting LossCharts
 * with its props to every chart drawn and a frame after, and the main thread's busy time over that
 * span (the wall clock on a shared machine also counts other processes). Median of several fresh
 * loads. Then, on the
 * last load, the time from a smoothing change to every chart drawn again and a frame after.
 * Not a test: nothing fails on time.
 *
 *   npm run bench:variants -- --compare-view [--runs 10] [--steps 1000] [--terms 5] [--loads 5]
 *   node --import tsx bench/compare-view.ts [same options]
 * A file of its own rather than part of bench/variants.ts's body: that one times Node's tfjs, this
 * one builds the app and drives Chromium; variants.ts only hands `--compare-view` over to it.
 */
import { cpus } from 'node:os';
import type { Page } from 'playwright-core';
import { withBenchPage } from './browser.ts';

const args = process.argv.slice(2);
function whole(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`--${name} must be a whole number ≥ 1, got ${args[i + 1] ?? 'nothing'}`);
  return n;
}
const runs = whole('runs', 10);
const steps = whole('steps', 1000);
const terms = whole('terms', 5);
const loads = whole('loads', 5);
const TARGET_MS = 200;
const path = `harness/runs-compare-harness.html?runs=${runs}&steps=${steps}&terms=${terms}&samples=0&start=manual`;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/**
 * Loads the harness afresh (its charts held back), then mounts them and waits until they are drawn.
 * Returns renderMs (wall clock, props set → drawn + a frame) and the renderer main thread's busy time
 * over the same span (CDP TaskDuration: less hit by other load on a shared machine).
 * Page scripts are strings: tsx would wrap functions in helpers the page lacks.
 */
async function load(page: Page): Promise<{ ms: number; busyMs: number }> {
  await page.reload();
  await page.waitForFunction('document.body.dataset.ready !== undefined', undefined, { timeout: 60_000 });
  const error = (await page.evaluate('document.body.dataset.ready === "error" ? document.body.textContent : ""')) as string;
  if (error) throw new Error(error.trim());
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
  const before = await taskSeconds();
  await page.evaluate('window.startCompare()');
  await page.waitForFunction('document.body.dataset.rendered === "true"', undefined, { timeout: 60_000 });
  const busyMs = ((await taskSeconds()) - before) * 1000;
  await cdp.detach();
  return { ms: (await page.evaluate('window.renderMs')) as number, busyMs };
}

/** Moves the smoothing slider and times until every chart has drawn again and a frame has passed. */
function timeSmoothingChange(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const roots = [...document.querySelectorAll('[data-testid="loss-chart"] .uplot')];
    const before = roots.map((r) => Number(r.dataset.draws));
    const slider = document.querySelector('[data-testid="smoothing"]');
    const start = performance.now();
    slider.value = slider.value === '0.9' ? '0.5' : '0.9';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    const check = () => {
      if (roots.every((r, i) => Number(r.dataset.draws) > before[i])) requestAnimationFrame(() => resolve(performance.now() - start));
      else requestAnimationFrame(check);
    };
    check();
  })`) as Promise<number>;
}

await withBenchPage(async (page) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const version = page.context().browser()?.version() ?? 'unknown';
  console.log(`Chromium ${version}, headless; ${cpus().length} logical cores (${cpus()[0]?.model ?? 'unknown CPU'})`);
  console.log(`${runs} runs × ${steps} steps × ${terms} loss terms: ${terms} charts, ${2 * runs} curves each (raw and smoothed)`);
  const results: { ms: number; busyMs: number }[] = [];
  for (let i = 0; i < loads; i++) results.push(await load(page));
  const times = results.map((r) => r.ms);
  const busy = results.map((r) => r.busyMs);
  const m = median(times);
  console.log(`render (props set → charts drawn + a frame): median ${m.toFixed(1)} ms over ${loads} loads [${times.map((t) => t.toFixed(1)).join(', ')}]; target < ${TARGET_MS} ms: ${m < TARGET_MS ? 'met' : 'NOT met'}`);
  console.log(`  main thread busy over the same span: median ${median(busy).toFixed(1)} ms [${busy.map((t) => t.toFixed(1)).join(', ')}]`);
  const smoothing: number[] = [];
  for (let i = 0; i < 5; i++) smoothing.push(await timeSmoothingChange(page));
  console.log(`smoothing change → every chart redrawn + a frame: median ${median(smoothing).toFixed(1)} ms [${smoothing.map((t) => t.toFixed(1)).join(', ')}]`);
}, path);
