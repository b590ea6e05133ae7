/**
 * Gradients of single nodes on WebGPU against the CPU backend (src/app/gradient-harness.ts): the
 * loss and every gradient within 1e-4 relative, each gradient non-zero somewhere, and no WebGPU
 * validation error on the console (an invalid pipeline drops the whole command buffer it was
 * batched into, so unrelated tensors come back stale: that is how the global-only graph's training
 * step got non-finite gradients from the 8-term AddN of its feature-matching loss; a conv on a
 * one-hot cast from int32 breaks the same way).
 */
import { expect, test, type Page } from '@playwright/test';

/** WebGPU reports validation errors (an invalid pipeline, bind group or command buffer) on the console only. */
function collectWebGpuErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') {
      if (/Invalid (ComputePipeline|CommandBuffer|BindGroup)|exceeds the maximum per-stage limit|WebGPU/i.test(m.text())) errors.push(m.text().split('\n')[0]);
    }
  });
  return errors;
}

/**
 * The loss and each gradient within 1e-4 of CPU, relative to the larger of the tensor's largest
 * value and 1e-2 × the case's largest gradient (float32 rounding in a backward pass scales with
 * the values flowing through it, so a gradient that is zero in exact arithmetic, such as a conv
 * bias before instance norm or the input of a batch norm over two values, comes out as noise of
 * that size); and each gradient non-zero somewhere unless `mayBeZero` matches its name.
 */
async function expectSameOnWebGpu(page: Page, cases: readonly string[], mayBeZero?: RegExp): Promise<void> {
  for (const which of cases) {
    const cpu = await page.evaluate((w) => window.gradients.run('cpu', w as never), which);
    const gpu = await page.evaluate((w) => window.gradients.run('webgpu', w as never), which);
    expect(Object.keys(gpu).sort(), which).toEqual(Object.keys(cpu).sort());
    expect(Object.keys(cpu).length, which).toBeGreaterThan(2);
    const largest = Math.max(...Object.entries(cpu).flatMap(([name, v]) => (name === 'loss' ? [] : v.map(Math.abs))));
    for (const [name, expected] of Object.entries(cpu)) {
      const actual = gpu[name];
      expect(actual.every(Number.isFinite), `${which} ${name} is finite on webgpu`).toBe(true);
      const scale = Math.max(...expected.map(Math.abs), name === 'loss' ? 1e-6 : 1e-2 * largest);
      const worst = Math.max(...expected.map((e, i) => Math.abs(actual[i] - e)));
      expect(worst / scale, `${which} ${name}`).toBeLessThan(1e-4);
      if (name !== 'loss' && !mayBeZero?.test(name)) expect(expected.some((e) => e !== 0), `${which} ${name} has a non-zero gradient`).toBe(true);
    }
  }
}

test.beforeEach(async ({ page }) => {
  await page.goto('/harness/gradient-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
});

test('SAU and class-specific generator gradients on WebGPU match the CPU backend', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = collectWebGpuErrors(page);
  await expectSameOnWebGpu(page, ['sau', 'sau-label-gated', 'local-disjoint', 'local-grouped']);
  expect(errors).toEqual([]);
});

test('regressions: the 8-term feature-matching loss, and a 3-class one-hot into a SPADE conv, on WebGPU match CPU with no invalid pipeline', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = collectWebGpuErrors(page);
  await expectSameOnWebGpu(page, ['feature-matching-8', 'semantic-spade-3']);
  expect(errors).toEqual([]);
});

test("the global-only graph's nodes (SPADE batch norm on a 1×2 map at batch 1, SPADE block, encoder, global generator) on WebGPU match CPU", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = collectWebGpuErrors(page);
  // No gradient in exact arithmetic, so CPU gives 0 or rounding noise (still compared): a conv bias
  // followed by a batch or instance norm (the norm removes any per-channel constant), and the
  // global generator's head_0.norm_0, which reaches the loss only through norm_1, a batch norm over
  // the 1×2 latent at batch 1 (two values per channel: its output is ±1 whatever its input).
  await expectSameOnWebGpu(page, ['spade-norm-batch', 'spade-resblock', 'encoder', 'global-generator'], /\.bias$|^head_0\.norm_0\./);
  expect(errors).toEqual([]);
});
