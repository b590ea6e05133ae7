/**
 * The wasm backend in Chromium: the page is cross-origin isolated (COOP/COEP from vite preview),
 * the .wasm binaries come from the app's own origin, wasm runs with SIMD and threads, the LGGAN
 * gradients on wasm (our training kernels) match the CPU backend, and a training run in the worker
 * trains on wasm with the cpu backend's losses. wasm has a thread per core (at most 8) in the
 * workers and on the page, and as many as `?wasm-threads=N` says when it is given.
 */
import { expect, test, type Page } from '@playwright/test';
import type { ProgressMessage, RunSpec, StartedMessage } from '../src/browser/protocol.ts';

/** What the wasm note says the pool has by default: a thread per core of this browser, at most 8. */
async function everyCore(page: Page): Promise<string> {
  const n = Math.min(await page.evaluate(() => navigator.hardwareConcurrency), 8);
  return `${n} thread${n === 1 ? '' : 's'}`;
}

/** Trains `steps` steps of the harness's graph in the worker and returns its events (failing on an error). */
async function harnessRun(page: Page, backend: RunSpec['backend'], steps = 2) {
  const spec: RunSpec = { steps, seed: 1, dataset: { kind: 'synthetic', seed: 1, count: 4 }, batchSize: 1, autosaveEvery: 0, sampleEvery: 0, backend };
  const before = await page.evaluate(() => window.harness.events.length);
  await page.evaluate((s) => window.harness.start(s), spec);
  await page.waitForFunction((from) => window.harness.events.slice(from).some((e) => ['finished', 'error', 'crashed'].includes(e.type)), before, { timeout: 60_000 });
  const list = (await page.evaluate(() => window.harness.events)).slice(before);
  expect(list.find((e) => e.type === 'error' || e.type === 'crashed'), 'the run failed').toBeUndefined();
  return list;
}

const lossesOf = (list: Awaited<ReturnType<typeof harnessRun>>) => list.filter((e): e is ProgressMessage => e.type === 'progress').map((p) => p.losses);

const CASES = ['sau', 'sau-label-gated', 'local-disjoint', 'local-grouped'] as const;

test('wasm gradients match the CPU backend, from a cross-origin isolated page with same-origin .wasm files', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const wasmRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmRequests.push(r.url());
  });
  await page.goto('/harness/gradient-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  for (const which of CASES) {
    const cpu = await page.evaluate((w) => window.gradients.run('cpu', w), which);
    const wasm = await page.evaluate((w) => window.gradients.run('wasm', w), which);
    expect(Object.keys(wasm).sort(), which).toEqual(Object.keys(cpu).sort());
    for (const [name, expected] of Object.entries(cpu)) {
      const scale = Math.max(...expected.map(Math.abs), 1e-6);
      const worst = Math.max(...expected.map((e, i) => Math.abs(wasm[name][i] - e)));
      expect(worst / scale, `${which} ${name}`).toBeLessThan(1e-4);
    }
  }
  // SIMD + threads: the threaded SIMD binary, served by the app itself.
  expect(wasmRequests.length).toBeGreaterThan(0);
  for (const url of wasmRequests) expect(url.startsWith(baseURL!), url).toBe(true);
  expect(wasmRequests.some((u) => /threaded-simd/.test(u)), wasmRequests.join(', ')).toBe(true);
});

test('a training run in the worker trains on wasm, with SIMD and a thread per core, as the CPU backend does', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/harness/test-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const wasm = await harnessRun(page, 'wasm');
  const started = wasm.find((e): e is StartedMessage => e.type === 'started')!;
  expect(started.backend).toBe('wasm');
  expect(started.attempts[0].note).toBe(`SIMD, ${await everyCore(page)} (cross-origin isolated)`);
  const cpu = await harnessRun(page, 'cpu');
  const [w, c] = [lossesOf(wasm), lossesOf(cpu)];
  expect(w.length).toBe(2);
  // After the first update the losses that read D (g_adv, d_adv) may differ by up to D's learning
  // rate: the exact gradient of D's last bias is 0 there (the hinge's fake and real terms cancel),
  // the backends round it to different tiny values (0 on cpu, ~4e-8 on wasm), and Adam turns any
  // nonzero gradient into a step of about one learning rate, which shifts every patch logit.
  const judged = new Set(['g_adv', 'd_adv']);
  const dLearningRate = 0.002; // tinyTrainingGraph's d_lr
  w.forEach((step, i) => {
    for (const [name, value] of Object.entries(c[i])) {
      expect(Number.isFinite(step[name]), `step ${i} ${name}: ${step[name]}`).toBe(true);
      const slack = i > 0 && judged.has(name) ? 3 * dLearningRate : 0;
      expect(Math.abs(step[name] - value), `step ${i} ${name}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(value)) + slack);
    }
  });
});

test('?wasm-threads=N sets the worker’s pool, and a value out of range is ignored with a notice', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/harness/test-harness.html?wasm-threads=1');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const one = await harnessRun(page, 'wasm');
  expect(one.find((e): e is StartedMessage => e.type === 'started')!.attempts[0].note).toBe('SIMD, 1 thread (cross-origin isolated; ?wasm-threads=1)');
  for (const step of lossesOf(one)) for (const [name, value] of Object.entries(step)) expect(Number.isFinite(value), `${name}: ${value}`).toBe(true);

  await page.goto('/harness/test-harness.html?wasm-threads=99');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const ignored = await harnessRun(page, 'wasm', 1);
  expect(ignored.find((e): e is StartedMessage => e.type === 'started')!.attempts[0].note).toBe(
    `SIMD, ${await everyCore(page)} (cross-origin isolated; ?wasm-threads="99" ignored: a whole number from 1 to 8 is wanted)`,
  );
});

test('the status bar says how many threads the page’s wasm runs', async ({ page }) => {
  // No WebGPU on this page: 'auto' takes wasm, whatever the software adapter would have timed.
  await page.addInitScript(() => void delete (Navigator.prototype as { gpu?: unknown }).gpu);
  await page.goto('/');
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 30_000 });
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  const title = page.getByTestId('backend').locator('..');
  await expect(title).toHaveAttribute('title', new RegExp(`^webgpu: .*\\nwasm: in use \\(SIMD, ${await everyCore(page)} \\(cross-origin isolated\\)\\)$`));

  await page.goto('/?wasm-threads=1');
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 30_000 });
  await expect(title).toHaveAttribute('title', /\nwasm: in use \(SIMD, 1 thread \(cross-origin isolated; \?wasm-threads=1\)\)$/);
});
