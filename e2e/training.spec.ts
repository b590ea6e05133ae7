/**
 * Training in the browser: the tiny training GAN in a Web Worker, driven through the test-only
 * harness page (e2e/harness/test-harness.html, `window.harness`). Journeys: WebGPU matches CPU step for
 * step; the page stays responsive while the worker trains, and pause / resume / stop work; an
 * autosave survives a reload and the resumed run repeats the uninterrupted one. Each journey leaves
 * a screenshot in e2e/.output/.
 *
 * Tiny on purpose (16×16, batch 1, a few steps): the first WebGPU step on SwiftShader compiles its
 * shaders (≈3 s here), every later one takes ≈0.4 s.
 */
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import type { ProgressMessage, RunSpec, StartedMessage } from '../src/browser/protocol.ts';

const shot = (name: string) => fileURLToPath(new URL(`.output/${name}.png`, import.meta.url));

const spec = (over: Partial<RunSpec>): RunSpec => ({
  steps: 3,
  seed: 1,
  dataset: { kind: 'synthetic', seed: 1, count: 4 },
  batchSize: 1,
  autosaveEvery: 0,
  sampleEvery: 2,
  ...over,
});

type HarnessEvent = Window['harness']['events'][number];

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return errors;
}

async function openHarness(page: Page): Promise<void> {
  await page.goto('/harness/test-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

const events = (page: Page): Promise<HarnessEvent[]> => page.evaluate(() => window.harness.events);

/**
 * Waits for an event of `type` (with step ≥ `step` when given) among the events from index `from`
 * on; fails at once on a run error.
 */
async function waitForEvent(page: Page, type: string, options: { step?: number; from?: number } = {}): Promise<void> {
  const { step, from = 0 } = options;
  await page.waitForFunction(
    ({ type, step, from }) =>
      window.harness.events
        .slice(from)
        .some((e) => e.type === 'error' || e.type === 'crashed' || (e.type === type && (step === undefined || ('step' in e && e.step >= step)))),
    { type, step, from },
    { timeout: 45_000 },
  );
  const failure = (await events(page)).slice(from).find((e) => e.type === 'error' || e.type === 'crashed');
  expect(failure, 'the run failed').toBeUndefined();
}

/** Runs `runSpec` to its end in a fresh worker; returns that run's events. */
async function runToEnd(page: Page, runSpec: RunSpec): Promise<HarnessEvent[]> {
  const before = (await events(page)).length;
  await page.evaluate((s) => window.harness.start(s), runSpec);
  await waitForEvent(page, 'finished', { from: before });
  return (await events(page)).slice(before);
}

const progressOf = (list: HarnessEvent[]) => list.filter((e): e is ProgressMessage => e.type === 'progress');
const startedOf = (list: HarnessEvent[]) => list.find((e): e is StartedMessage => e.type === 'started');

/** |a − b| ≤ 1e-4 · max(|a|, |b|), with a 1e-7 floor for values at zero. */
function expectClose(a: number, b: number, what: string): void {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(Math.max(1e-4 * Math.max(Math.abs(a), Math.abs(b)), 1e-7));
}

test('three training steps on WebGPU match the same steps on the CPU backend', async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await openHarness(page);

  const gpu = await runToEnd(page, spec({ backend: 'webgpu' }));
  expect(startedOf(gpu)).toMatchObject({ backend: 'webgpu', attempts: [{ name: 'webgpu', ok: true }], fromStep: 0 });
  const cpu = await runToEnd(page, spec({ backend: 'cpu' }));
  expect(startedOf(cpu)).toMatchObject({ backend: 'cpu', attempts: [{ name: 'cpu', ok: true }] });

  const [g, c] = [progressOf(gpu), progressOf(cpu)];
  expect(g.map((p) => p.step)).toEqual([1, 2, 3]);
  expect(c.map((p) => p.step)).toEqual([1, 2, 3]);
  for (let i = 0; i < 3; i++) {
    expect(g[i].backend).toBe('webgpu');
    expect(Object.keys(g[i].losses).sort()).toEqual(['d_adv', 'g_adv', 'g_l1']);
    for (const [loss, value] of Object.entries(g[i].losses)) expectClose(value, c[i].losses[loss], `step ${i + 1} ${loss}`);
  }
  // The run learns: the L1 loss falls on both.
  expect(g[2].losses.g_l1).toBeLessThan(g[0].losses.g_l1);
  console.log(`per step (ms), webgpu: ${g.map((p) => p.ms.toFixed(0)).join(', ')}; cpu: ${c.map((p) => p.ms.toFixed(0)).join(', ')}`);

  await expect(page.getByTestId('run-state')).toHaveText('finished');
  await page.screenshot({ path: shot('training-webgpu-vs-cpu') });
  expect(errors).toEqual([]);
});

test('the worker keeps the page responsive, streams progress and samples, and pauses, resumes and stops', async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await openHarness(page);

  // Forced WebGPU: its first step (shader compilation) is long, which is what this test watches the
  // page through. ('auto' may pick wasm on this software adapter: e2e/app.spec.ts covers that choice.)
  await page.evaluate((s) => window.harness.start(s), spec({ steps: 200, backend: 'webgpu' }));
  await waitForEvent(page, 'started');
  expect(startedOf(await events(page))).toMatchObject({ backend: 'webgpu', attempts: [{ name: 'webgpu', ok: true }], images: ['final'] });
  await expect(page.getByTestId('run-backend')).toHaveText(/^webgpu\b/);

  // The first step (with WebGPU shader compilation) takes seconds in the worker; the page keeps painting.
  await page.evaluate(() => window.harness.resetFrames());
  await waitForEvent(page, 'progress', { step: 1 });
  const frames = await page.evaluate(() => ({ ...window.harness.frames }));
  expect(frames.count).toBeGreaterThanOrEqual(10);
  expect(frames.longestGapMs).toBeLessThan(1000);

  await waitForEvent(page, 'samples', { step: 2 });
  const samples = (await events(page)).find((e) => e.type === 'samples');
  expect(samples).toMatchObject({ type: 'samples', step: 2, images: [{ name: 'final', width: 16, height: 16, bytes: 16 * 16 * 4 }] });
  expect(samples?.type === 'samples' && samples.images[0].distinct).toBeGreaterThan(2);

  // Pause: the worker finishes its step, says so, and then takes none.
  await page.evaluate(() => window.harness.pause());
  await waitForEvent(page, 'state');
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  const pausedAt = (await events(page)).length;
  await page.waitForTimeout(1500);
  expect((await events(page)).slice(pausedAt)).toEqual([]);
  const stepAtPause = Math.max(...progressOf(await events(page)).map((p) => p.step));

  await page.evaluate(() => window.harness.resume());
  await waitForEvent(page, 'progress', { step: stepAtPause + 2 });
  await expect(page.getByTestId('run-state')).toHaveText('running');

  await page.evaluate(() => window.harness.stop());
  await waitForEvent(page, 'stopped');
  await expect(page.getByTestId('run-state')).toHaveText('stopped');
  const all = await events(page);
  const stopped = all.at(-1);
  expect(stopped).toMatchObject({ type: 'stopped' });
  const steps = progressOf(all);
  expect(stopped?.type === 'stopped' && stopped.step).toBe(steps.at(-1)!.step);
  expect(steps.at(-1)!.step).toBeLessThan(200);
  expect(steps.map((p) => p.step)).toEqual(steps.map((_, i) => i + 1));
  // No tensor leaks: the count is flat from the second step on.
  expect(new Set(steps.slice(1).map((p) => p.numTensors)).size).toBe(1);

  await page.screenshot({ path: shot('training-controls') });
  expect(errors).toEqual([]);
});

test('an autosave survives a reload and the resumed run repeats the uninterrupted losses', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  const runSpec = spec({ steps: 4, backend: 'webgpu', autosaveEvery: 2 });

  // Uninterrupted: four steps.
  await openHarness(page);
  const uninterrupted = progressOf(await runToEnd(page, runSpec));
  expect(uninterrupted.map((p) => p.step)).toEqual([1, 2, 3, 4]);

  // A fresh page: the same run, until its step-2 autosave is written; then the page reloads mid-run.
  await openHarness(page);
  const runId = await page.evaluate((s) => window.harness.start(s), runSpec);
  await waitForEvent(page, 'autosaved', { step: 2 });
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await page.evaluate(() => window.harness.autosave())).toMatchObject({ runId, step: 2 });

  // The page offers the autosave; resuming continues at step 2 on the same backend.
  const offer = page.getByTestId('resume-autosave');
  await expect(offer).toHaveText('Resume from step 2');
  await offer.click();
  await waitForEvent(page, 'finished');
  const resumed = await events(page);
  expect(startedOf(resumed)).toMatchObject({ runId, backend: 'webgpu', fromStep: 2, steps: 4 });
  const after = progressOf(resumed);
  expect(after.map((p) => p.step)).toEqual([3, 4]);
  // Bitwise repeatable on one backend: steps 3 and 4 give exactly the uninterrupted losses.
  expect(after.map((p) => p.losses)).toEqual(uninterrupted.slice(2).map((p) => p.losses));
  expect(after.map((p) => [p.lrG, p.lrD])).toEqual(uninterrupted.slice(2).map((p) => [p.lrG, p.lrD]));
  expect(await page.evaluate(() => window.harness.autosave())).toMatchObject({ runId, step: 4 });

  await page.screenshot({ path: shot('training-resume') });
  expect(errors).toEqual([]);
});
