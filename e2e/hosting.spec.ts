/**
 * The production build on a plain static host: served from a sub-path by a host that sends no
 * headers at all (no COOP/COEP, no CSP header), it loads its scripts, workers and .wasm files
 * relative to the page, the service-worker shim (public/isolation-boot.js, isolation-sw.js) makes
 * it cross-origin isolated with exactly one reload, never loops where it cannot, and keeps out of
 * the way where the host sends the headers itself. The build is the one the config's web server
 * made with the app's own config (what `npm run build` runs); harness/ beside it is the e2e's own.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GUIDE_SEEN_KEY } from '../src/app/guide/first-run.ts';
import { defaultGraph, watchErrors } from './editor.test-util.ts';
import { serveStatic } from './static-host.test-util.ts';

const dist = fileURLToPath(new URL('.output/dist', import.meta.url));
const SUB_PATH = 'some/sub/path';

/** crossOriginIsolated once the page settles; false while a reload has the page in between. */
const isolated = (page: Page) => page.evaluate(() => globalThis.crossOriginIsolated).catch(() => false);

/** The app opened: the default graph on the canvas and a backend in the status bar. */
async function expectAppWorks(page: Page): Promise<void> {
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('node')).toHaveCount(defaultGraph.nodes.length);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm)$/, { timeout: 30_000 });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-status', 'ready');
}

test.beforeEach(async ({ context }) => {
  // The static host is another origin than the config's: mark the getting-started guide seen there too.
  await context.addInitScript((key) => localStorage.setItem(key, '1'), GUIDE_SEEN_KEY);
});

test('the build ships the app alone, with relative URLs and the isolation shim', async () => {
  const files = (await readdir(dist, { recursive: true })).map((f) => f.split('\\').join('/')).filter((f) => !f.startsWith('harness'));
  expect(files.filter((f) => f.endsWith('.html'))).toEqual(['index.html']);
  expect(files.filter((f) => /harness|bench/i.test(f))).toEqual([]);
  expect(files).toEqual(expect.arrayContaining(['isolation-boot.js', 'isolation-sw.js']));
  // Every URL in the page is relative (./…), none from the host's root.
  const html = await readFile(`${dist}/index.html`, 'utf8');
  expect([...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((url) => !/^(\.\/|data:)/.test(url))).toEqual([]);
  expect(html).toContain('src="./isolation-boot.js"');
});

test('from a sub-path of a host without headers: loads, and the service worker isolates it with one reload', async ({ page }) => {
  test.setTimeout(90_000);
  const host = await serveStatic(dist, SUB_PATH, { skip: ['harness'] });
  try {
    const errors = watchErrors(page);
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(host.url) && !/^(data|blob):/.test(r.url())) outside.push(r.url());
    });
    await page.goto(host.url);
    await expect.poll(() => isolated(page), { timeout: 30_000 }).toBe(true);
    await expectAppWorks(page);

    expect(await page.evaluate(() => ({ controlled: navigator.serviceWorker.controller !== null, load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type }))).toEqual({
      controlled: true,
      load: 'reload',
    });
    // The app's workers are isolated too (the worker serves their scripts with the headers), so
    // tfjs-wasm can start its threads there: start one of the build's workers and ask it.
    const workerScript = (await readdir(`${dist}/assets`)).find((f) => /^generate-worker-.*\.js$/.test(f));
    expect(workerScript).toBeDefined();
    const [worker] = await Promise.all([page.waitForEvent('worker'), page.evaluate((url) => void new Worker(url, { type: 'module' }), `${host.url}assets/${workerScript}`)]);
    expect(await worker.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);

    // Two navigations in all (the first open and the one reload), and every file from under the sub-path.
    expect(host.requested.filter((p) => p === `/${SUB_PATH}/`)).toHaveLength(2);
    expect(host.missing).toEqual([]);
    expect(outside).toEqual([]);
    // No CSP violation (Chromium reports them as console errors) and no other error.
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});

test('where the worker cannot isolate the page, it reloads once and never again; the app runs unisolated', async ({ page }) => {
  test.setTimeout(90_000);
  // A worker that takes the page but adds no headers: as if the browser ignored them.
  const inert = "self.addEventListener('install', () => self.skipWaiting()); self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));";
  const host = await serveStatic(dist, SUB_PATH, { skip: ['harness'], replace: { 'isolation-sw.js': inert } });
  try {
    const errors = watchErrors(page);
    await page.goto(host.url);
    // The one reload happens once the worker controls the page; then the app opens for good.
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null).catch(() => false), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => host.requested.filter((p) => p === `/${SUB_PATH}/`).length).toBe(2);
    await expectAppWorks(page);
    expect(await isolated(page)).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem('lggan-studio.isolation-reloaded'))).toBe('1');
    expect(host.requested.filter((p) => p === `/${SUB_PATH}/`)).toHaveLength(2);
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});

test('where the host sends COOP/COEP itself (vite preview), the shim registers nothing and never reloads', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expectAppWorks(page);
  expect(
    await page.evaluate(async () => ({
      isolated: globalThis.crossOriginIsolated,
      workers: (await navigator.serviceWorker.getRegistrations()).length,
      load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type,
    })),
  ).toEqual({ isolated: true, workers: 0, load: 'navigate' });
  expect(errors).toEqual([]);
});
