/**
 * End-to-end journeys in Chromium, against a production build served by `vite preview` on
 * 127.0.0.1 (a secure context, so WebGPU is offered) on a free port. Build + preview was measured
 * faster than the dev server here (≈22 s vs ≈33 s for the suite) and cannot hit the dev server's
 * mid-test "new dependencies optimized, reloading" on a cold cache.
 */
import { defineConfig } from '@playwright/test';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, findChromium, HOW_TO_GET_CHROMIUM } from './browser-path.mjs';
import { GUIDE_SEEN_KEY } from '../src/app/guide/first-run.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// Built apart from dist/, so a test run never replaces a build of yours.
const outDir = fileURLToPath(new URL('.output/dist', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// The config is loaded again in every worker process: the first load picks the port and passes it on.
process.env.LGGAN_E2E_PORT ??= String(await freePort());
const port = Number(process.env.LGGAN_E2E_PORT);

const { found } = findChromium();
if (!found) throw new Error(HOW_TO_GET_CHROMIUM);

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '.output/results',
  fullyParallel: false,
  workers: 1,
  // SwiftShader very rarely loses its WebGPU device; one retry absorbs that.
  retries: 1,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    // Journeys start as a returning user: the getting-started guide (first open only) is marked seen.
    // e2e/first-run.spec.ts clears this to test the first open.
    storageState: { cookies: [], origins: [{ origin: `http://127.0.0.1:${port}`, localStorage: [{ name: GUIDE_SEEN_KEY, value: '1' }] }] },
    launchOptions: { executablePath: found.path, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `node e2e/harness/build.mjs ${outDir} && npx vite preview --host 127.0.0.1 --port ${port} --strictPort --outDir ${outDir}`,
    cwd: repoRoot,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
