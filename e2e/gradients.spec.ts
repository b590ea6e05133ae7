/**
 * Gradients of the LGGAN nodes built from ops that machine-notes does not list as checked on WebGPU
 * (SAU and its label-gated variant; the class-specific generators' two algorithms): WebGPU must
 * give the CPU backend's loss and gradients within 1e-4 relative.
 */
import { expect, test } from '@playwright/test';

const CASES = ['sau', 'sau-label-gated', 'local-disjoint', 'local-grouped'] as const;

test('SAU and class-specific generator gradients on WebGPU match the CPU backend', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/gradient-harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  for (const which of CASES) {
    const cpu = await page.evaluate((w) => window.gradients.run('cpu', w), which);
    const gpu = await page.evaluate((w) => window.gradients.run('webgpu', w), which);
    expect(Object.keys(gpu).sort(), which).toEqual(Object.keys(cpu).sort());
    expect(Object.keys(cpu).length, which).toBeGreaterThan(3);
    for (const [name, expected] of Object.entries(cpu)) {
      const actual = gpu[name];
      const scale = Math.max(...expected.map(Math.abs), 1e-6);
      const worst = Math.max(...expected.map((e, i) => Math.abs(actual[i] - e)));
      expect(worst / scale, `${which} ${name}`).toBeLessThan(1e-4);
      if (name !== 'loss') expect(expected.some((e) => e !== 0), `${which} ${name} has a non-zero gradient`).toBe(true);
    }
  }
});
