/**
 * The wasm backend in Chromium: the page is cross-origin isolated (COOP/COEP from vite preview),
 * the .wasm binaries come from the app's own origin, wasm runs with SIMD and threads, the LGGAN
 * gradients on wasm (our training kernels) match the CPU backend, and a training run in the worker
 * trains on wasm with the cpu backend's losses.
 */
import { expect, test } from '@playwright/test';
import type { ProgressMessage, RunSpec, StartedMessage } from '../src/browser/protocol.ts';

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

test('a training run in the worker trains on wasm, with SIMD and threads, as the CPU backend does', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/harness/test-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const spec = (backend: RunSpec['backend']): RunSpec => ({ steps: 2, seed: 1, dataset: { kind: 'synthetic', seed: 1, count: 4 }, batchSize: 1, autosaveEvery: 0, sampleEvery: 0, backend });
  const run = async (backend: RunSpec['backend']) => {
    const before = await page.evaluate(() => window.harness.events.length);
    await page.evaluate((s) => window.harness.start(s), spec(backend));
    await page.waitForFunction((from) => window.harness.events.slice(from).some((e) => ['finished', 'error', 'crashed'].includes(e.type)), before, { timeout: 60_000 });
    const list = (await page.evaluate(() => window.harness.events)).slice(before);
    expect(list.find((e) => e.type === 'error' || e.type === 'crashed'), 'the run failed').toBeUndefined();
    return list;
  };
  const wasm = await run('wasm');
  const started = wasm.find((e): e is StartedMessage => e.type === 'started')!;
  expect(started.backend).toBe('wasm');
  expect(started.attempts[0].note).toMatch(/^SIMD, \d+ threads? \(cross-origin isolated\)$/);
  const cpu = await run('cpu');
  const losses = (list: typeof wasm) => list.filter((e): e is ProgressMessage => e.type === 'progress').map((p) => p.losses);
  const [w, c] = [losses(wasm), losses(cpu)];
  expect(w.length).toBe(2);
  w.forEach((step, i) => {
    for (const [name, value] of Object.entries(c[i])) expect(Math.abs(step[name] - value), `step ${i} ${name}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(value)));
  });
});
